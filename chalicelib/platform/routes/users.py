"""/v1/users: an organization's users (invite, role, deactivate); and the public invitation
acceptance, /v1/auth/invitations/accept, which the invited person calls without a token."""
from chalice import Blueprint

from chalicelib.core.cursors import parse_page_size
from chalicelib.core.lazy import lazy_module
from chalicelib.platform.routes.authorizer import jwt_authorizer
from chalicelib.platform.routes.contracts import FREE_FORM, Contract, page_of
from chalicelib.platform.routes.routing import Routes, json_response
from chalicelib.platform.services.roles import READ, WRITE, can

users_blueprint = Blueprint(__name__)
routes = Routes(users_blueprint, jwt_authorizer)
users_admin = lazy_module("chalicelib.platform.services.users_admin")
# Token-bearing responses must not be stored by a browser or a proxy.
NO_STORE = {"Cache-Control": "no-store"}
# users_admin.user_view, for the OpenAPI document.
USER = {
    "type": "object",
    "required": ["id", "email", "name", "role", "status", "created_at", "updated_at"],
    "properties": {
        "id": {"type": "string"},
        "email": {"type": "string"},
        "name": {"type": ["string", "null"]},
        "role": {"type": "string"},
        "status": {"type": "string"},
        "created_at": {"type": "string"},
        "updated_at": {"type": "string"},
    },
}


@routes.protected(
    "/v1/users", methods=["GET"], permission=can("users", READ), contract=Contract(pages=True, responses={200: page_of(USER)})
)
def list_users(request):
    limit = parse_page_size(request.query("limit"))
    return json_response(users_admin.list_users(request.principal, limit, request.query("cursor")))


@routes.protected(
    "/v1/users/invite", methods=["POST"], permission=can("users", WRITE), idempotent=True,
    contract=Contract(
        body=lambda: users_admin.INVITE_SCHEMA, responses={201: USER}, errors=(409,), created="/v1/users/{user_id}"
    ),
)  # fmt: skip
def invite_user(request):
    user = users_admin.invite_user(request.principal, request.json())
    return json_response(user, status=201, headers={"Location": f"/v1/users/{user['id']}"})


@routes.protected(
    "/v1/users/{user_id}", methods=["GET"], permission=can("users", READ), contract=Contract(responses={200: USER})
)
def get_user(request, user_id):
    return json_response(users_admin.get_user(request.principal, user_id))


@routes.protected(
    "/v1/users/{user_id}/role", methods=["PUT"], permission=can("users", WRITE),
    contract=Contract(body=lambda: users_admin.ROLE_CHANGE_SCHEMA, responses={200: USER}, errors=(409,)),
)  # fmt: skip
def change_role(request, user_id):
    return json_response(users_admin.change_role(request.principal, user_id, request.json()))


@routes.protected(
    "/v1/users/{user_id}/deactivate", methods=["POST"], permission=can("users", WRITE),
    contract=Contract(responses={200: USER}, errors=(409,)),
)  # fmt: skip
def deactivate_user(request, user_id):
    return json_response(users_admin.deactivate_user(request.principal, user_id))


@routes.protected(
    "/v1/users/{user_id}/reactivate", methods=["POST"], permission=can("users", WRITE),
    contract=Contract(responses={200: USER}, errors=(409,)),
)  # fmt: skip
def reactivate_user(request, user_id):
    return json_response(users_admin.reactivate_user(request.principal, user_id))


@routes.public(
    "/v1/auth/invitations/accept", methods=["POST"],
    contract=Contract(body=lambda: users_admin.ACCEPT_SCHEMA, responses={200: FREE_FORM}, errors=(401, 404, 409), tag="auth"),
)  # fmt: skip
def accept_invitation(request):
    return json_response(users_admin.accept_invitation(request.json()), headers=NO_STORE)
