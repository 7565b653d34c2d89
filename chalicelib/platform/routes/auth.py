"""/v1/auth: registration, tokens, switching organization, password reset; /v1/me/organizations;
and the public signing keys."""
from chalice import Blueprint

from chalicelib.core.lazy import lazy_module
from chalicelib.platform.routes.authorizer import jwt_authorizer
from chalicelib.platform.routes.caching import NO_STORE, TENANT_DATA, public
from chalicelib.platform.routes.routing import Routes, json_response, no_content
from chalicelib.platform.services.roles import SESSION

auth = lazy_module("chalicelib.platform.services.auth")
tokens = lazy_module("chalicelib.platform.services.tokens")

auth_blueprint = Blueprint(__name__)
# Tokens, sessions and resets must never be stored by a browser or a proxy (RFC 6749, 5.1).
routes = Routes(auth_blueprint, jwt_authorizer, cache=NO_STORE)


@routes.public("/v1/auth/register", methods=["POST"])
def register(request):
    return json_response(auth.register(request.json()), status=201)


@routes.public("/v1/auth/login", methods=["POST"])
def login(request):
    return json_response(auth.login(request.json()))


@routes.public("/v1/auth/refresh", methods=["POST"])
def refresh(request):
    return json_response(auth.refresh(request.json()))


@routes.protected("/v1/auth/switch-organization", methods=["POST"], permission=SESSION)
def switch_organization(request):
    return json_response(auth.switch_organization(request.principal, request.json()))


@routes.protected("/v1/me/organizations", methods=["GET"], permission=SESSION, cache=TENANT_DATA)
def my_organizations(request):
    return json_response(auth.my_organizations(request.principal))


@routes.protected("/v1/auth/logout", methods=["POST"], permission=SESSION)
def logout(request):
    auth.logout(request.principal)
    return no_content()


@routes.public("/v1/auth/password/forgot", methods=["POST"])
def forgot_password(request):
    auth.forgot_password(request.json())
    return json_response({"status": "If the account exists, a reset code is on its way."}, status=202)


@routes.public("/v1/auth/password/reset", methods=["POST"])
def reset_password(request):
    auth.reset_password(request.json())
    return no_content()


# Public keys: verifiers may keep them 5 minutes; a new key is published before it signs.
@routes.public("/.well-known/jwks.json", cache=public(max_age=300))
def json_web_keys(request):
    return json_response(tokens.json_web_key_set())
