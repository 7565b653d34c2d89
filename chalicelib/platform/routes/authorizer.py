"""The custom authorizer every protected /v1 route names.

It takes a bearer token (`Authorization: Bearer <jwt>`) or an organization's API key, sent as
`x-api-key: <key>` or `Authorization: ApiKey <key>` (an API key gives a principal of kind api_key).
In AWS it is a REQUEST authorizer without result cache (infra/chalice_package.py makes it so): a
TOKEN authorizer on `Authorization` would leave an `x-api-key`-only request at the gateway's 401,
and a cached REQUEST authorizer requires every identity source to be present. So it runs on every
request, and a logout or a key's revocation applies to the very next request. `chalice local` and
chalice.test hand it the same REQUEST event (local_gateway.py); see docs/architecture.md, "API keys"."""
from __future__ import annotations

from chalice import AuthResponse, Blueprint
from chalice.app import AuthRequest

from chalicelib.core.errors import Unauthorized
from chalicelib.observability import count
from chalicelib.platform.services.roles import is_built_in

# No result cache: a cached REQUEST authorizer needs every identity source on every request.
AUTHORIZER_TTL_SECONDS = 0
REFUSED_TOKEN = "refused-token"
# The authorization scheme an API key arrives under.
API_KEY_SCHEME = "ApiKey"

authorizer_blueprint = Blueprint(__name__)


@authorizer_blueprint.authorizer(ttl_seconds=AUTHORIZER_TTL_SECONDS)
def jwt_authorizer(auth_request):
    from chalicelib.platform.services.auth import authenticate

    token = auth_request.token or ""
    scheme, _, credentials = token.strip().partition(" ")
    try:
        if scheme == API_KEY_SCHEME:
            from chalicelib.platform.services.api_keys import authenticate_key

            principal = authenticate_key(credentials.strip())
        else:
            principal = authenticate(token)
    except Unauthorized as error:
        count("AccessTokenRejected")
        if not error.invalid_token:
            # No bearer token at all: API Gateway answers 401 (its UNAUTHORIZED gateway response,
            # a bare Bearer challenge) for exactly this message.
            raise Exception("Unauthorized") from None
        # A gateway response's headers are static: they cannot say why a token was refused. So a
        # refused token passes with no principal but the reason, and the route answers 401 with
        # error="invalid_token" and that reason (RFC 6750); it grants nothing, as every protected
        # route builds its caller from org_id, role and session_id, which this context lacks.
        return AuthResponse(routes=["*"], principal_id=REFUSED_TOKEN, context={"token_error": error.detail})
    # The whole API: each route then checks the role's permission itself.
    context = {"org_id": principal.org_id, "role": principal.role, "session_id": principal.session_id,
               "kind": principal.kind}  # fmt: skip
    if not is_built_in(principal.role):
        # API Gateway passes only strings, numbers and booleans through the authorizer context.
        context["permissions"] = " ".join(sorted(principal.permissions))
    return AuthResponse(routes=["*"], principal_id=principal.user_id, context=context)


def auth_request_from_event(event: dict) -> AuthRequest:
    """The credentials of API Gateway's REQUEST event: the `Authorization` header, else the
    `x-api-key` header as `ApiKey <key>`. A TOKEN event (Chalice's own local gateway) carries the
    `Authorization` header only. Header names are matched case-insensitively: API Gateway passes
    them as the client wrote them."""
    if event.get("type") == "TOKEN":
        return AuthRequest("TOKEN", event.get("authorizationToken") or "", event["methodArn"])
    headers = {name.lower(): value for name, value in (event.get("headers") or {}).items() if value}
    token = headers.get("authorization", "")
    if not token.strip() and headers.get("x-api-key", "").strip():
        token = f"{API_KEY_SCHEME} {headers['x-api-key'].strip()}"
    return AuthRequest(event["type"], token, event["methodArn"])


# Chalice's authorizer reads `authorizationToken`, which only a TOKEN event has.
jwt_authorizer._transform_event = auth_request_from_event
