"""/v1/teams: an organization's teams, their members and leads (services/teams.py)."""
from chalice import Blueprint

from chalicelib.core.cursors import parse_page_size
from chalicelib.core.lazy import lazy_module
from chalicelib.platform.routes.authorizer import jwt_authorizer
from chalicelib.platform.routes.contracts import Contract, page_of
from chalicelib.platform.routes.records import RecordSchemas, functions_of, record_routes
from chalicelib.platform.routes.requests import etag
from chalicelib.platform.routes.routing import Routes, json_response, no_content
from chalicelib.platform.services.roles import READ, can

teams_blueprint = Blueprint(__name__)
routes = Routes(teams_blueprint, jwt_authorizer)
teams = lazy_module("chalicelib.platform.services.teams")

record_routes(
    routes, "teams", "/v1/teams", "team_id", ("team", "teams"), functions_of(teams, "team", "teams"),
    operations=("list", "create", "get", "patch", "delete"),
    schemas=RecordSchemas(teams, create="TEAM_SCHEMA", patch="PATCH_SCHEMA", view=lambda: teams.TEAM_VIEW),
)  # fmt: skip


@routes.protected(
    "/v1/teams/{team_id}/members", methods=["GET"], permission=can("teams", READ),
    contract=Contract(pages=True, responses={200: page_of(lambda: teams.MEMBER_VIEW)}),
)  # fmt: skip
def list_team_members(request, team_id):
    limit = parse_page_size(request.query("limit"))
    return json_response(teams.list_members(request.principal, team_id, limit, request.query("cursor")))


# Managing members takes teams:write, or leading the team (the service decides: 403 otherwise).
@routes.protected(
    "/v1/teams/{team_id}/members/{user_id}", methods=["PUT"], permission=can("teams", READ),
    contract=Contract(body=lambda: teams.MEMBER_SCHEMA, responses={200: lambda: teams.MEMBER_VIEW}, errors=(409,)),
)  # fmt: skip
def put_team_member(request, team_id, user_id):
    member = teams.put_member(request.principal, team_id, user_id, request.json())
    return json_response(member, headers={"ETag": etag(member["version"])})


@routes.protected(
    "/v1/teams/{team_id}/members/{user_id}", methods=["DELETE"], permission=can("teams", READ),
    contract=Contract(responses={204: None}, errors=(409,)),
)  # fmt: skip
def remove_team_member(request, team_id, user_id):
    teams.remove_member(request.principal, team_id, user_id)
    return no_content()
