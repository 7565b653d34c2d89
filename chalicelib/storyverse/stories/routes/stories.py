"""/v1/stories: a family's stories (list, create, read, replace, merge-patch, delete, restore), in
the children's space (services/stories.py says who sees and writes what); a story's public link
(POST/DELETE /v1/stories/{story_id}/share), and the link itself, the one route here without
authentication: GET /v1/shared/stories/{token}, counted per client address against token guessing."""
from chalice import Blueprint

from chalicelib.core.lazy import lazy_module
from chalicelib.platform.routes.authorizer import jwt_authorizer
from chalicelib.platform.routes.contracts import Contract
from chalicelib.platform.routes.rate_limits import RATE_LIMIT_HEADERS, limited_per_address
from chalicelib.platform.routes.records import (
    ETAG_HEADER,
    OPERATIONS,
    RecordSchemas,
    functions_of,
    query_parameters,
    record_response,
    record_routes,
)
from chalicelib.platform.routes.routing import Routes, json_response
from chalicelib.platform.services.roles import WRITE, can

stories_blueprint = Blueprint(__name__)
# A link's token is secrets.token_urlsafe(32); any other shape names nothing (404 before any call).
routes = Routes(stories_blueprint, jwt_authorizer, path_ids={"token": "[A-Za-z0-9_-]{43}"})
stories = lazy_module("chalicelib.storyverse.stories.services.stories")

record_routes(
    routes, "stories", "/v1/stories", "story_id", ("story", "stories"), functions_of(stories, "story", "stories"),
    operations=tuple(operation for operation in OPERATIONS if operation != "batch"), list_arguments=query_parameters,
    schemas=RecordSchemas(stories, create="STORY_SCHEMA", replace="REPLACE_SCHEMA", patch="PATCH_SCHEMA",
                          filters="LIST_FILTERS", choices="LIST_CHOICES"),
)  # fmt: skip


@routes.protected(
    "/v1/stories/{story_id}/share", methods=["POST"], permission=can("stories", WRITE),
    contract=Contract(responses={201: lambda: stories.SHARE_LINK_VIEW}, body_required=False),
)  # fmt: skip
def share_story(request, story_id):
    return json_response(stories.share_story(request.principal, story_id), status=201)


@routes.protected(
    "/v1/stories/{story_id}/share", methods=["DELETE"], permission=can("stories", WRITE),
    contract=Contract(responses={200: "#Story"}, errors=(409,), response_headers=ETAG_HEADER),
)  # fmt: skip
def unshare_story(request, story_id):
    return record_response("/v1/stories", stories.unshare_story(request.principal, story_id))


@routes.public(
    "/v1/shared/stories/{token}", methods=["GET"],
    contract=Contract(responses={200: lambda: stories.SHARED_STORY_VIEW}, response_headers=RATE_LIMIT_HEADERS),
)  # fmt: skip
@limited_per_address("stories.shared")
def shared_story(request, token):
    return json_response(stories.shared_story(token))
