"""/v1/roles: the built-in roles (read-only) and the organization's custom roles."""
from chalice import Blueprint

from chalicelib.core.cursors import parse_page_size
from chalicelib.core.ids import ID_PATTERN
from chalicelib.core.lazy import lazy_module
from chalicelib.platform.routes.authorizer import jwt_authorizer
from chalicelib.platform.routes.requests import etag
from chalicelib.platform.routes.routing import JSON_TYPES, Routes, json_response, no_content
from chalicelib.platform.services.roles import BUILT_IN_ROLES, READ, WRITE, can

roles_blueprint = Blueprint(__name__)
# A built-in role's id is its name; a custom role's is minted.
routes = Routes(roles_blueprint, jwt_authorizer, path_ids={"role_id": "|".join([*BUILT_IN_ROLES, ID_PATTERN])})
MERGE_PATCH_TYPES = [*JSON_TYPES, "application/merge-patch+json"]
roles_admin = lazy_module("chalicelib.platform.services.roles_admin")


def _role_response(role, status=200):
    headers = {"ETag": etag(role["version"])} if "version" in role else {}
    if status == 201:
        headers["Location"] = f"/v1/roles/{role['id']}"
    return json_response(role, status=status, headers=headers)


@routes.protected("/v1/roles", methods=["GET"], permission=can("roles", READ))
def list_roles(request):
    limit = parse_page_size(request.query("limit"))
    return json_response(roles_admin.list_roles(request.principal, limit, request.query("cursor")))


@routes.protected("/v1/roles", methods=["POST"], permission=can("roles", WRITE), idempotent=True)
def create_role(request):
    return _role_response(roles_admin.create_role(request.principal, request.json()), status=201)


@routes.protected("/v1/roles/{role_id}", methods=["GET"], permission=can("roles", READ))
def get_role(request, role_id):
    return _role_response(roles_admin.get_role(request.principal, role_id))


@routes.protected("/v1/roles/{role_id}", methods=["PUT"], permission=can("roles", WRITE))
def replace_role(request, role_id):
    version = request.expected_version(required=True)
    return _role_response(roles_admin.replace_role(request.principal, role_id, request.json(), version))


@routes.protected("/v1/roles/{role_id}", methods=["PATCH"], permission=can("roles", WRITE), content_types=MERGE_PATCH_TYPES)
def patch_role(request, role_id):
    version = request.expected_version()
    return _role_response(roles_admin.patch_role(request.principal, role_id, request.json(), version))


@routes.protected("/v1/roles/{role_id}", methods=["DELETE"], permission=can("roles", WRITE))
def delete_role(request, role_id):
    roles_admin.delete_role(request.principal, role_id, request.expected_version())
    return no_content()
