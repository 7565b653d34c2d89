"""/v1/children: a family's child profiles (services/children.py), the logins a parent sets up for
a child (a PIN, device tokens: services/child_logins.py) and ending a child's sessions; and the
child's own sign-in, POST /v1/auth/child-login (PIN) and /v1/auth/device-login (device token),
public routes limited per address like /v1/auth/login."""
from chalice import Blueprint

from chalicelib.core.lazy import lazy_module
from chalicelib.platform.routes.auth import TOKENS
from chalicelib.platform.routes.authorizer import jwt_authorizer
from chalicelib.platform.routes.caching import NO_STORE
from chalicelib.platform.routes.contracts import Contract
from chalicelib.platform.routes.rate_limits import RATE_LIMIT_HEADERS, limited_per_address
from chalicelib.platform.routes.records import RecordSchemas, functions_of, record_routes
from chalicelib.platform.routes.routing import Routes, json_response, no_content
from chalicelib.platform.services.roles import READ, WRITE, can

children = lazy_module("chalicelib.storyverse.families.services.children")
logins = lazy_module("chalicelib.storyverse.families.services.child_logins")

children_blueprint = Blueprint(__name__)
routes = Routes(children_blueprint, jwt_authorizer)

record_routes(
    routes, "children", "/v1/children", "child_id", ("child", "children"), functions_of(children, "child", "children"),
    operations=("list", "create", "get", "patch", "delete", "restore"),
    schemas=RecordSchemas(children, create="CHILD_SCHEMA", patch="PATCH_SCHEMA", view=lambda: children.CHILD_VIEW),
)


@routes.protected(
    "/v1/children/{child_id}/pin", methods=["PUT"], permission=can("children", WRITE),
    contract=Contract(body=lambda: children.PIN_SCHEMA, responses={204: None}),
)  # fmt: skip
def set_child_pin(request, child_id):
    children.set_pin(request.principal, child_id, request.json())
    return no_content()


@routes.protected(
    "/v1/children/{child_id}/pin", methods=["DELETE"], permission=can("children", WRITE),
    contract=Contract(responses={204: None}),
)  # fmt: skip
def remove_child_pin(request, child_id):
    children.remove_pin(request.principal, child_id)
    return no_content()


@routes.protected(
    "/v1/children/{child_id}/sessions/revoke", methods=["POST"], permission=can("children", WRITE),
    contract=Contract(responses={204: None}),
)  # fmt: skip
def revoke_child_sessions(request, child_id):
    children.revoke_sessions(request.principal, child_id)
    return no_content()


# The device token is in the creation's answer only, which no browser or proxy may store.
@routes.protected(
    "/v1/children/{child_id}/devices", methods=["POST"], permission=can("children", WRITE), cache=NO_STORE,
    contract=Contract(body=lambda: logins.DEVICE_SCHEMA, responses={201: lambda: logins.CREATED_DEVICE},
                      created="/v1/children/{child_id}/devices/{device_id}"),
)  # fmt: skip
def create_child_device(request, child_id):
    created = logins.create_device(request.principal, child_id, request.json())
    return json_response(created, status=201, headers={"Location": f"/v1/children/{child_id}/devices/{created['id']}"})


@routes.protected(
    "/v1/children/{child_id}/devices", methods=["GET"], permission=can("children", READ),
    contract=Contract(responses={200: lambda: {"type": "object", "required": ["items"],
                                               "properties": {"items": {"type": "array", "items": logins.DEVICE_VIEW}}}}),
)  # fmt: skip
def list_child_devices(request, child_id):
    return json_response(logins.list_devices(request.principal, child_id))


@routes.protected(
    "/v1/children/{child_id}/devices/{device_id}", methods=["DELETE"], permission=can("children", WRITE),
    contract=Contract(responses={204: None}),
)  # fmt: skip
def revoke_child_device(request, child_id, device_id):
    logins.revoke_device(request.principal, child_id, device_id)
    return no_content()


# A child's sign-in: tokens, never stored by a browser or a proxy (RFC 6749, 5.1).
@routes.public(
    "/v1/auth/child-login", methods=["POST"], cache=NO_STORE,
    contract=Contract(body=lambda: logins.PIN_LOGIN_SCHEMA, responses={200: TOKENS}, errors=(401, 429),
                      response_headers=RATE_LIMIT_HEADERS),
)  # fmt: skip
@limited_per_address("auth.child_login")
def child_login(request):
    return json_response(logins.login_with_pin(request.json()))


@routes.public(
    "/v1/auth/device-login", methods=["POST"], cache=NO_STORE,
    contract=Contract(body=lambda: logins.DEVICE_LOGIN_SCHEMA, responses={200: TOKENS}, errors=(401,),
                      response_headers=RATE_LIMIT_HEADERS),
)  # fmt: skip
@limited_per_address("auth.device_login")
def device_login(request):
    return json_response(logins.login_with_device(request.json()))
