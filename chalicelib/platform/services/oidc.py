"""OpenID Connect: the provider's discovery document and the UserInfo of the caller.

Everything the document names is derived from the access tokens' issuer (`JWT_ISSUER`, the API's
base URL), so a client that discovers `<issuer>/.well-known/openid-configuration` finds the keys,
the token endpoint and the UserInfo endpoint on the API that signed its tokens, and the `iss` it
checks is the one the document states. The token endpoint is OAuth 2.0's (RFC 6749: a form with
`grant_type` password or refresh_token) over the API's own login and refresh; there is no
authorization endpoint, so no code or implicit flow. With `scope` holding `openid` it also answers
an ID token: RS256 (the algorithm OIDC requires every relying party to support), with its own key
in the JWKS beside the access tokens' ES256 keys; its audience is the `client_id` sent, or the API's.
"""
from __future__ import annotations

from typing import Any

from chalicelib.core.errors import MalformedRequest, Unauthorized
from chalicelib.core.settings import get_settings
from chalicelib.core.validation import validate
from chalicelib.platform.services import auth
from chalicelib.platform.services.passwords import MAX_LENGTH
from chalicelib.platform.services.roles import Principal
from chalicelib.platform.services.tokens import ID_TOKEN_ALGORITHM, REQUIRED_CLAIMS, sign_id_token, verify_access_token
from chalicelib.platform.tables import memberships
from chalicelib.platform.tables.memberships import ACTIVE

JWKS_PATH = "/.well-known/jwks.json"
USERINFO_PATH = "/v1/auth/userinfo"
TOKEN_PATH = "/v1/auth/token"
# What UserInfo adds to the token's claims: who the person is (every login proved its email
# address, by the confirmed sign-up mail or the invitation link, before it could sign in).
USERINFO_CLAIMS = ["email", "email_verified", "name"]
# What an ID token says beyond UserInfo: OIDC Core 2 (auth_time on a password grant only: a refresh
# does not know when the person signed in) and `azp`, the client it was issued to.
ID_TOKEN_CLAIMS = ["iss", "sub", "aud", "exp", "iat", "auth_time", "azp"]
OPENID_SCOPE = "openid"
# The limits of login's and refresh's own bodies (auth.LOGIN_SCHEMA, auth.REFRESH_SCHEMA).
_USERNAME = {"type": "string", "minLength": 1, "maxLength": 254}
_PASSWORD = {"type": "string", "minLength": 1, "maxLength": MAX_LENGTH}
_REFRESH_TOKEN = {"type": "string", "minLength": 1, "maxLength": 512}
# The token request's form fields (RFC 6749 4.3.2 and 6); `scope` and `client_id` are accepted and
# change nothing: every token grants what the person's role grants, to any (public) client.
TOKEN_REQUEST_SCHEMA = {
    "oneOf": [
        {
            "type": "object",
            "additionalProperties": False,
            "required": ["grant_type", "username", "password"],
            "properties": {"grant_type": {"const": "password"}, "username": _USERNAME, "password": _PASSWORD,
                           "scope": {"type": "string", "maxLength": 512}, "client_id": {"type": "string", "maxLength": 128}},
        },
        {
            "type": "object",
            "additionalProperties": False,
            "required": ["grant_type", "refresh_token"],
            "properties": {"grant_type": {"const": "refresh_token"}, "refresh_token": _REFRESH_TOKEN,
                           "scope": {"type": "string", "maxLength": 512}, "client_id": {"type": "string", "maxLength": 128}},
        },
    ]
}  # fmt: skip


def discovery_document() -> dict[str, Any]:
    issuer = get_settings().jwt_issuer
    base = issuer.rstrip("/")
    return {
        "issuer": issuer,
        "jwks_uri": base + JWKS_PATH,
        "token_endpoint": base + TOKEN_PATH,
        "userinfo_endpoint": base + USERINFO_PATH,
        "service_documentation": base + "/docs",
        "grant_types_supported": ["password", "refresh_token"],
        # REQUIRED by the specification although only an authorization endpoint takes a
        # response_type: the token endpoint answers bearer access tokens.
        "response_types_supported": ["token"],
        "token_endpoint_auth_methods_supported": ["none"],
        # `sub` is the person's user id in the token's organization: the same to every client.
        "subject_types_supported": ["public"],
        "scopes_supported": [OPENID_SCOPE],
        "id_token_signing_alg_values_supported": [ID_TOKEN_ALGORITHM],
        "claim_types_supported": ["normal"],
        "claims_supported": sorted({*REQUIRED_CLAIMS, "perms", *USERINFO_CLAIMS, *ID_TOKEN_CLAIMS}),
    }


def userinfo(principal: Principal) -> dict[str, Any]:
    """The caller's standard claims and their place in the token's organization (one GetItem)."""
    member = memberships.find_membership(principal.org_id, principal.user_id)
    if member is None or member.status != ACTIVE:
        raise Unauthorized("The access token's user is no longer an active member.", invalid_token=True)
    return {
        "sub": member.user_id,
        "email": member.email,
        "email_verified": True,
        "name": member.name,
        "org": member.org_id,
        "role": member.role,
    }


def grant_tokens(fields: dict[str, list[str]]) -> dict[str, Any]:
    """The token endpoint: a login (password grant) or a refresh, answered as those are."""
    repeated = sorted(name for name, values in fields.items() if len(values) != 1)
    if repeated:
        # RFC 6749 3.2: a parameter must not be included more than once.
        raise MalformedRequest(f"Each form field may be sent once: {', '.join(repeated)}.", field=repeated[0])
    grant = validate(TOKEN_REQUEST_SCHEMA, {name: values[0] for name, values in fields.items()})
    if grant["grant_type"] == "password":
        answer = auth.login({"email": grant["username"], "password": grant["password"]})
    else:
        answer = auth.refresh({"refresh_token": grant["refresh_token"]})
    if OPENID_SCOPE in grant.get("scope", "").split():
        answer["id_token"] = _id_token(answer, grant)
    return answer


def _id_token(answer: dict[str, Any], grant: dict[str, str]) -> str:
    """Who signed in, for the client (OIDC Core 2 and 3.1.3.6), as long-lived as the access token."""
    import time

    principal = verify_access_token(answer["access_token"])
    now = int(time.time())
    claims = {
        "iss": get_settings().jwt_issuer,
        "aud": grant.get("client_id") or get_settings().jwt_audience,
        "iat": now,
        "exp": now + int(answer["expires_in"]),
        **userinfo(principal),
    }
    if "client_id" in grant:
        claims["azp"] = grant["client_id"]
    if grant["grant_type"] == "password":
        claims["auth_time"] = now
    return sign_id_token(claims)
