"""/v1/custom-fields: an organization's field definitions (ids are "<entity>.<key>")."""
from chalice import Blueprint

from chalicelib.core.cursors import parse_page_size
from chalicelib.core.errors import MalformedRequest
from chalicelib.core.lazy import lazy_module
from chalicelib.platform.routes.authorizer import jwt_authorizer
from chalicelib.platform.routes.requests import etag
from chalicelib.platform.routes.routing import JSON_TYPES, Routes, json_response, no_content
from chalicelib.platform.services.roles import READ, WRITE, can

custom_fields_blueprint = Blueprint(__name__)
# A definition's id is "<entity>.<key>" (data/custom_fields.py), not a minted id.
routes = Routes(custom_fields_blueprint, jwt_authorizer, path_ids={"field_id": r"[a-z]{1,32}\.[A-Za-z0-9_]{1,64}"})
MERGE_PATCH_TYPES = [*JSON_TYPES, "application/merge-patch+json"]
custom_fields = lazy_module("chalicelib.platform.services.custom_fields")


def _definition_response(definition, status=200):
    headers = {"ETag": etag(definition["version"])}
    if status == 201:
        headers["Location"] = f"/v1/custom-fields/{definition['id']}"
    return json_response(definition, status=status, headers=headers)


@routes.protected("/v1/custom-fields", methods=["GET"], permission=can("custom_fields", READ))
def list_definitions(request):
    unknown = set(request.query_params) - {"entity", "limit", "cursor"}
    if unknown:
        name = sorted(unknown)[0]
        raise MalformedRequest(f"Unknown query parameter {name!r}; the filter is entity.", field=name)
    limit = parse_page_size(request.query("limit"))
    return json_response(custom_fields.list_definitions(request.principal, request.query("entity"), limit, request.query("cursor")))


@routes.protected("/v1/custom-fields", methods=["POST"], permission=can("custom_fields", WRITE), idempotent=True)
def create_definition(request):
    return _definition_response(custom_fields.create_definition(request.principal, request.json()), status=201)


routes.batch(
    "/v1/custom-fields/batch",
    lambda principal, item: custom_fields.create_definition(principal, item),
    permission=can("custom_fields", WRITE),
)


@routes.protected("/v1/custom-fields/{field_id}", methods=["GET"], permission=can("custom_fields", READ))
def get_definition(request, field_id):
    return _definition_response(custom_fields.get_definition(request.principal, field_id))


@routes.protected(
    "/v1/custom-fields/{field_id}", methods=["PATCH"], permission=can("custom_fields", WRITE), content_types=MERGE_PATCH_TYPES
)
def patch_definition(request, field_id):
    version = request.expected_version()
    return _definition_response(custom_fields.patch_definition(request.principal, field_id, request.json(), version))


@routes.protected("/v1/custom-fields/{field_id}", methods=["DELETE"], permission=can("custom_fields", WRITE))
def delete_definition(request, field_id):
    custom_fields.delete_definition(request.principal, field_id, request.expected_version())
    return no_content()


@routes.protected("/v1/custom-fields/{field_id}/restore", methods=["POST"], permission=can("custom_fields", WRITE))
def restore_definition(request, field_id):
    return _definition_response(custom_fields.restore_definition(request.principal, field_id))
