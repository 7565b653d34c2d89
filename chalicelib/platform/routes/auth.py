"""/v1/auth: registration (a sign-up confirmed by email), tokens, switching organization, password reset; /v1/me/organizations;
the public signing keys and OpenID Connect (discovery, the OAuth 2.0 token endpoint, UserInfo)."""
from chalice import Blueprint

from chalicelib.core.lazy import lazy_module
from chalicelib.platform.routes.authorizer import jwt_authorizer
from chalicelib.platform.routes.caching import NO_STORE, TENANT_DATA, public
from chalicelib.platform.routes.contracts import FREE_FORM, STRING, Contract, object_of
from chalicelib.platform.routes.rate_limits import RATE_LIMIT_HEADERS, limited_per_address
from chalicelib.platform.routes.routing import Routes, json_response, no_content
from chalicelib.platform.services.roles import SESSION

auth = lazy_module("chalicelib.platform.services.auth")
oidc = lazy_module("chalicelib.platform.services.oidc")
signups = lazy_module("chalicelib.platform.services.signups")
tokens = lazy_module("chalicelib.platform.services.tokens")

auth_blueprint = Blueprint(__name__)
# Tokens, sessions and resets must never be stored by a browser or a proxy (RFC 6749, 5.1).
routes = Routes(auth_blueprint, jwt_authorizer, cache=NO_STORE)
# What services/auth.py answers (_token_response and what login adds), for the OpenAPI document.
TOKENS = {
    "type": "object",
    "required": ["access_token", "token_type", "expires_in", "refresh_token", "refresh_expires_in"],
    "properties": {
        "access_token": {"type": "string"},
        "token_type": {"const": "Bearer"},
        "expires_in": {"type": "integer"},
        "refresh_token": {"type": "string"},
        "refresh_expires_in": {"type": "integer"},
        "organization_id": {"type": "string"},
        "organizations": {"type": "array", "items": FREE_FORM},
        # The token endpoint's, with `openid` in the scope (services/oidc.py).
        "id_token": {"type": "string"},
    },
}
MY_ORGANIZATIONS = {
    "type": "object",
    "required": ["items", "current_organization_id"],
    "properties": {"items": {"type": "array", "items": FREE_FORM}, "current_organization_id": {"type": "string"}},
}
JWKS = {"type": "object", "required": ["keys"], "properties": {"keys": {"type": "array", "items": FREE_FORM}}}
_URL = {"type": "string", "format": "uri"}
_NAMES = {"type": "array", "items": {"type": "string"}, "minItems": 1}
# What services/oidc.py answers: OpenID Connect Discovery 1.0, section 3 (what it states).
OPENID_CONFIGURATION = {
    "type": "object",
    "required": ["issuer", "jwks_uri", "token_endpoint", "userinfo_endpoint", "response_types_supported",
                 "subject_types_supported", "id_token_signing_alg_values_supported", "scopes_supported", "claims_supported"],
    "properties": {
        **{name: _URL for name in ("issuer", "jwks_uri", "token_endpoint", "userinfo_endpoint", "service_documentation")},
        **{name: _NAMES for name in ("grant_types_supported", "response_types_supported", "token_endpoint_auth_methods_supported",
                                     "subject_types_supported", "id_token_signing_alg_values_supported", "scopes_supported",
                                     "claim_types_supported", "claims_supported")},
    },
}  # fmt: skip
USERINFO = {
    "type": "object",
    "required": ["sub", "email", "email_verified", "name", "org", "role"],
    "properties": {"sub": STRING, "email": STRING, "email_verified": {"type": "boolean"}, "name": STRING,
                   "org": STRING, "role": STRING},
}  # fmt: skip
FORM_TYPES = ["application/x-www-form-urlencoded"]


# The same answer for every email (new, with a login, in another organization): the mail says which.
SIGNUP_REQUESTED = {"status": "Check your email: we sent a message to confirm the sign-up."}
SIGNUP_REQUESTED_VIEW = {"type": "object", "required": ["status"], "properties": {"status": {"type": "string"}}}
# The organization and owner registered, signed in (the tokens of a login).
REGISTERED = {**TOKENS, "required": [*TOKENS["required"], "user", "organization"],
              "properties": {**TOKENS["properties"], "user": FREE_FORM, "organization": FREE_FORM}}  # fmt: skip


@routes.public(
    "/v1/auth/register", methods=["POST"],
    contract=Contract(body=lambda: signups.REGISTER_SCHEMA, responses={202: SIGNUP_REQUESTED_VIEW}, response_headers=RATE_LIMIT_HEADERS),
)  # fmt: skip
@limited_per_address("auth.register")
def register(request):
    signups.request_signup(request.json())
    return json_response(SIGNUP_REQUESTED, status=202)


@routes.public(
    "/v1/auth/register/confirm", methods=["POST"],
    contract=Contract(body=lambda: signups.CONFIRM_SCHEMA, responses={201: REGISTERED}),
)  # fmt: skip
def confirm_registration(request):
    return json_response(signups.confirm_signup(request.json()), status=201)


@routes.public(
    "/v1/auth/login", methods=["POST"],
    contract=Contract(body=lambda: auth.LOGIN_SCHEMA, responses={200: TOKENS}, errors=(401,), response_headers=RATE_LIMIT_HEADERS),
)  # fmt: skip
@limited_per_address("auth.login")
def login(request):
    return json_response(auth.login(request.json()))


@routes.public(
    "/v1/auth/refresh", methods=["POST"], contract=Contract(body=lambda: auth.REFRESH_SCHEMA, responses={200: TOKENS}, errors=(401,))
)
def refresh(request):
    return json_response(auth.refresh(request.json()))


@routes.protected(
    "/v1/auth/switch-organization", methods=["POST"], permission=SESSION,
    contract=Contract(body=lambda: auth.SWITCH_SCHEMA, responses={200: TOKENS}, errors=(404,)),
)  # fmt: skip
def switch_organization(request):
    return json_response(auth.switch_organization(request.principal, request.json()))


@routes.protected(
    "/v1/me/organizations", methods=["GET"], permission=SESSION, cache=TENANT_DATA,
    contract=Contract(responses={200: MY_ORGANIZATIONS}),
)  # fmt: skip
def my_organizations(request):
    return json_response(auth.my_organizations(request.principal))


@routes.protected("/v1/auth/logout", methods=["POST"], permission=SESSION, contract=Contract(responses={204: None}))
def logout(request):
    auth.logout(request.principal)
    return no_content()


@routes.public(
    "/v1/auth/password/forgot", methods=["POST"],
    contract=Contract(body=lambda: auth.FORGOT_SCHEMA, responses={202: object_of(status=STRING)}, response_headers=RATE_LIMIT_HEADERS),
)  # fmt: skip
@limited_per_address("auth.forgot_password")
def forgot_password(request):
    auth.forgot_password(request.json())
    return json_response({"status": "If the account exists, a reset code is on its way."}, status=202)


@routes.public(
    "/v1/auth/password/reset", methods=["POST"],
    contract=Contract(body=lambda: auth.RESET_SCHEMA, responses={204: None}, errors=(401,)),
)  # fmt: skip
def reset_password(request):
    auth.reset_password(request.json())
    return no_content()


# Public keys: verifiers may keep them 5 minutes; a new key is published before it signs.
@routes.public("/.well-known/jwks.json", cache=public(max_age=300), contract=Contract(responses={200: JWKS}, tag="auth"))
def json_web_keys(request):
    return json_response(tokens.json_web_key_set())


# OpenID Connect Discovery: derived from the tokens' issuer, so as cacheable as the keys it names.
@routes.public(
    "/.well-known/openid-configuration", cache=public(max_age=300),
    contract=Contract(responses={200: OPENID_CONFIGURATION}, tag="auth"),
)  # fmt: skip
def openid_configuration(request):
    return json_response(oidc.discovery_document())


@routes.public(
    "/v1/auth/token", methods=["POST"], content_types=FORM_TYPES,
    contract=Contract(body=lambda: oidc.TOKEN_REQUEST_SCHEMA, responses={200: TOKENS}, errors=(401,), response_headers=RATE_LIMIT_HEADERS),
)  # fmt: skip
@limited_per_address("auth.token")
def token(request):
    return json_response(oidc.grant_tokens(request.form()))


@routes.protected(
    "/v1/auth/userinfo", methods=["GET"], permission=SESSION,
    contract=Contract(responses={200: USERINFO}),
)  # fmt: skip
def userinfo(request):
    return json_response(oidc.userinfo(request.principal))

