"""The custom authorizer every protected /v1 route names. API Gateway caches its answer per token
for five minutes, so most requests never invoke it; logout takes effect within that window."""
from __future__ import annotations

from chalice import AuthResponse, Blueprint

from chalicelib.core.errors import Unauthorized
from chalicelib.observability import count
from chalicelib.platform.services.roles import is_built_in

AUTHORIZER_TTL_SECONDS = 300

authorizer_blueprint = Blueprint(__name__)


@authorizer_blueprint.authorizer(ttl_seconds=AUTHORIZER_TTL_SECONDS)
def jwt_authorizer(auth_request):
    from chalicelib.platform.services.auth import authenticate

    try:
        principal = authenticate(auth_request.token or "")
    except Unauthorized:
        count("AccessTokenRejected")
        # API Gateway answers 401 (its UNAUTHORIZED gateway response) for exactly this message.
        raise Exception("Unauthorized") from None
    # The whole API: the result is cached per token, so it must hold for every route; each route
    # then checks the role's permission itself.
    context = {"org_id": principal.org_id, "role": principal.role, "session_id": principal.session_id}
    if not is_built_in(principal.role):
        # API Gateway passes only strings, numbers and booleans through the authorizer context.
        context["permissions"] = " ".join(sorted(principal.permissions))
    return AuthResponse(routes=["*"], principal_id=principal.user_id, context=context)
