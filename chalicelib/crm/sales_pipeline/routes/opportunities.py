"""/v1/opportunities: the sales pipeline (CRUD, stage moves, restore, batch)."""
from chalice import Blueprint

from chalicelib.core.cursors import parse_page_size
from chalicelib.core.lazy import lazy_module
from chalicelib.platform.routes.authorizer import jwt_authorizer
from chalicelib.platform.routes.requests import etag
from chalicelib.platform.routes.routing import JSON_TYPES, Routes, json_response, no_content
from chalicelib.platform.services.roles import READ, WRITE, can

opportunities_blueprint = Blueprint(__name__)
routes = Routes(opportunities_blueprint, jwt_authorizer)
MERGE_PATCH_TYPES = [*JSON_TYPES, "application/merge-patch+json"]
opportunities = lazy_module("chalicelib.crm.sales_pipeline.services.opportunities")


def _opportunity_response(opportunity, status=200):
    headers = {"ETag": etag(opportunity["version"])}
    if status == 201:
        headers["Location"] = f"/v1/opportunities/{opportunity['id']}"
    return json_response(opportunity, status=status, headers=headers)


@routes.protected("/v1/opportunities", methods=["GET"], permission=can("opportunities", READ))
def list_opportunities(request):
    limit = parse_page_size(request.query("limit"))
    return json_response(
        opportunities.list_opportunities(request.principal, request.query_params, limit, request.query("cursor"))
    )


@routes.protected("/v1/opportunities", methods=["POST"], permission=can("opportunities", WRITE), idempotent=True)
def create_opportunity(request):
    return _opportunity_response(opportunities.create_opportunity(request.principal, request.json()), status=201)


routes.batch(
    "/v1/opportunities/batch",
    lambda principal, item: opportunities.create_opportunity(principal, item),
    permission=can("opportunities", WRITE),
)


@routes.protected("/v1/opportunities/{opportunity_id}", methods=["GET"], permission=can("opportunities", READ))
def get_opportunity(request, opportunity_id):
    return _opportunity_response(opportunities.get_opportunity(request.principal, opportunity_id))


@routes.protected("/v1/opportunities/{opportunity_id}", methods=["PUT"], permission=can("opportunities", WRITE))
def replace_opportunity(request, opportunity_id):
    version = request.expected_version(required=True)
    return _opportunity_response(
        opportunities.replace_opportunity(request.principal, opportunity_id, request.json(), version)
    )


@routes.protected(
    "/v1/opportunities/{opportunity_id}",
    methods=["PATCH"],
    permission=can("opportunities", WRITE),
    content_types=MERGE_PATCH_TYPES,
)
def patch_opportunity(request, opportunity_id):
    version = request.expected_version()
    return _opportunity_response(
        opportunities.patch_opportunity(request.principal, opportunity_id, request.json(), version)
    )


@routes.protected("/v1/opportunities/{opportunity_id}", methods=["DELETE"], permission=can("opportunities", WRITE))
def delete_opportunity(request, opportunity_id):
    opportunities.delete_opportunity(request.principal, opportunity_id, request.expected_version())
    return no_content()


@routes.protected(
    "/v1/opportunities/{opportunity_id}/restore", methods=["POST"], permission=can("opportunities", WRITE)
)
def restore_opportunity(request, opportunity_id):
    return _opportunity_response(opportunities.restore_opportunity(request.principal, opportunity_id))


# If-Match is honoured but optional here: the move itself is checked against the stage read and
# committed on that version, so a concurrent move fails (409/412) rather than being lost.
@routes.protected("/v1/opportunities/{opportunity_id}/stage", methods=["PUT"], permission=can("opportunities", WRITE))
def change_stage(request, opportunity_id):
    version = request.expected_version()
    return _opportunity_response(
        opportunities.change_stage(request.principal, opportunity_id, request.json(), version)
    )
