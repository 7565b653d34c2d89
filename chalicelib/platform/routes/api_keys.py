"""/v1/api-keys: an organization's API keys (owners and admins: the api_keys permissions). The key
itself is in the creation's answer only, which no browser or proxy may store."""
from chalice import Blueprint

from chalicelib.core.lazy import lazy_module
from chalicelib.platform.routes.authorizer import jwt_authorizer
from chalicelib.platform.routes.caching import NO_STORE
from chalicelib.platform.routes.contracts import Contract
from chalicelib.platform.routes.routing import Routes, json_response, no_content
from chalicelib.platform.services.roles import can

api_keys = lazy_module("chalicelib.platform.services.api_keys")

api_keys_blueprint = Blueprint(__name__)
routes = Routes(api_keys_blueprint, jwt_authorizer)

_NULLABLE_TIME = {"type": ["string", "null"], "format": "date-time"}
API_KEY_VIEW = {
    "type": "object",
    "required": ["id", "name", "prefix", "permissions", "tier", "status", "revoked", "created_at", "created_by",
                 "expires_at", "revoked_at", "last_used_at"],
    "properties": {
        "id": {"type": "string"},
        "name": {"type": "string"},
        "prefix": {"type": "string"},
        "permissions": {"type": "array", "items": {"type": "string"}},
        "tier": {"type": "string"},
        "status": {"enum": ["active", "expired", "revoked"]},
        "revoked": {"type": "boolean"},
        "created_at": {"type": "string", "format": "date-time"},
        "created_by": {"type": "string"},
        "expires_at": _NULLABLE_TIME,
        "revoked_at": _NULLABLE_TIME,
        "last_used_at": _NULLABLE_TIME,
    },
}  # fmt: skip
CREATED_KEY = {**API_KEY_VIEW, "required": [*API_KEY_VIEW["required"], "key"],
               "properties": {**API_KEY_VIEW["properties"], "key": {"type": "string"}}}  # fmt: skip
API_KEY_LIST = {"type": "object", "required": ["items"], "properties": {"items": {"type": "array", "items": API_KEY_VIEW}}}


@routes.protected(
    "/v1/api-keys", methods=["POST"], permission=can("api_keys", "write"), cache=NO_STORE,
    contract=Contract(body=lambda: api_keys.CREATE_SCHEMA, responses={201: CREATED_KEY}, created="/v1/api-keys/{key_id}",
                      errors=(503,)),
)  # fmt: skip
def create_api_key(request):
    created = api_keys.create_key(request.principal, request.json())
    return json_response(created, status=201, headers={"Location": f"/v1/api-keys/{created['id']}"})


@routes.protected(
    "/v1/api-keys", methods=["GET"], permission=can("api_keys", "read"),
    contract=Contract(responses={200: API_KEY_LIST}),
)  # fmt: skip
def list_api_keys(request):
    return json_response(api_keys.list_keys(request.principal))


@routes.protected(
    "/v1/api-keys/{key_id}", methods=["GET"], permission=can("api_keys", "read"),
    contract=Contract(responses={200: API_KEY_VIEW}),
)  # fmt: skip
def get_api_key(request, key_id):
    return json_response(api_keys.get_key(request.principal, key_id))


@routes.protected(
    "/v1/api-keys/{key_id}", methods=["DELETE"], permission=can("api_keys", "write"),
    contract=Contract(responses={204: None}),
)  # fmt: skip
def revoke_api_key(request, key_id):
    api_keys.revoke_key(request.principal, key_id)
    return no_content()
