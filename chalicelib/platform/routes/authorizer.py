"""The custom authorizer every protected /v1 route names. API Gateway caches its answer per token
for five minutes, so most requests never invoke it; logout takes effect within that window.

An organization's API key (the `x-api-key` header) reaches it as `ApiKey <key>` (local_gateway.py
hands it over so; see docs/architecture.md, "API keys", for AWS) and gives a principal of kind
api_key. Its cached answer cannot outlive a revocation: every request of a key also checks the key
itself (requests.principal_from_authorizer)."""
from __future__ import annotations

from chalice import AuthResponse, Blueprint

from chalicelib.core.errors import Unauthorized
from chalicelib.observability import count
from chalicelib.platform.services.roles import is_built_in

AUTHORIZER_TTL_SECONDS = 300
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
    # The whole API: the result is cached per token, so it must hold for every route; each route
    # then checks the role's permission itself.
    context = {"org_id": principal.org_id, "role": principal.role, "session_id": principal.session_id,
               "kind": principal.kind}  # fmt: skip
    if not is_built_in(principal.role):
        # API Gateway passes only strings, numbers and booleans through the authorizer context.
        context["permissions"] = " ".join(sorted(principal.permissions))
    return AuthResponse(routes=["*"], principal_id=principal.user_id, context=context)
