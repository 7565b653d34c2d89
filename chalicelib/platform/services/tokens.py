"""Access tokens: short-lived ES256 JWTs carrying user, organization, role and session. OpenID
Connect ID tokens (services/oidc.py) are RS256, signed with a key of their own, never accepted as
an access token (the algorithm is pinned and the key must be an access-token key).

Verification pins the algorithm to ES256 and looks the key up by `kid` among our own public keys,
which defeats `alg: none`, HS256-signed-with-the-public-key and foreign-key attacks.
"""
from __future__ import annotations

import base64
import secrets
import time
from typing import Any

from chalicelib.core.errors import ServiceUnavailable, Unauthorized
from chalicelib.core.settings import get_settings
from chalicelib.platform.services.roles import Principal, is_built_in, principal
from chalicelib.platform.services.signing_keys import get_key_ring, public_key

ALGORITHM = "ES256"
ID_TOKEN_ALGORITHM = "RS256"
REQUIRED_CLAIMS = ["exp", "iat", "nbf", "iss", "aud", "sub", "org", "role", "sid", "jti"]


def issue_access_token(principal: Principal) -> tuple[str, int]:
    import jwt

    settings = get_settings()
    ring = get_key_ring()
    now = int(time.time())
    ttl = settings.access_token_ttl_seconds
    claims = {
        "iss": settings.jwt_issuer,
        "aud": settings.jwt_audience,
        "sub": principal.user_id,
        "org": principal.org_id,
        "role": principal.role,
        "sid": principal.session_id,
        "iat": now,
        "nbf": now,
        "exp": now + ttl,
        "jti": secrets.token_urlsafe(12),
    }
    if not is_built_in(principal.role):
        claims["perms"] = sorted(principal.permissions)
    token = jwt.encode(claims, ring.private_key, algorithm=ALGORITHM, headers={"kid": ring.kid})
    return token, ttl


def sign_id_token(claims: dict[str, Any]) -> str:
    import jwt

    ring = get_key_ring()
    if ring.id_token_private_key is None:
        raise ServiceUnavailable("ID tokens are not available yet: the signing secret has no RSA key.")
    return jwt.encode(claims, ring.id_token_private_key, algorithm=ID_TOKEN_ALGORITHM, headers={"kid": ring.id_token_kid})


def verify_access_token(token: str) -> Principal:
    import jwt
    from cryptography.hazmat.primitives.asymmetric import ec

    settings = get_settings()
    try:
        header = jwt.get_unverified_header(token)
        key = public_key(header.get("kid"))
        # An ID token's RSA key (current or rotated out) never verifies an access token.
        if not isinstance(key, ec.EllipticCurvePublicKey) or header.get("alg") != ALGORITHM:
            raise Unauthorized("The access token is not signed by this API.", invalid_token=True)
        claims = jwt.decode(
            token,
            key,
            algorithms=[ALGORITHM],
            audience=settings.jwt_audience,
            issuer=settings.jwt_issuer,
            options={"require": REQUIRED_CLAIMS},
            leeway=30,
        )
        return principal(claims["sub"], claims["org"], claims["role"], claims["sid"], claims.get("perms"))
    except jwt.ExpiredSignatureError:
        raise Unauthorized("The access token has expired; refresh it.", invalid_token=True) from None
    except (jwt.PyJWTError, ValueError, TypeError):
        raise Unauthorized("The access token is malformed or not valid for this API.", invalid_token=True) from None


def json_web_key_set() -> dict[str, Any]:
    from cryptography.hazmat.primitives.asymmetric import rsa

    keys = []
    for kid, key in get_key_ring().public_keys.items():
        numbers = key.public_numbers()
        if isinstance(key, rsa.RSAPublicKey):
            keys.append({"kty": "RSA", "kid": kid, "use": "sig", "alg": ID_TOKEN_ALGORITHM,
                         "n": _b64url(_unsigned(numbers.n)), "e": _b64url(_unsigned(numbers.e))})  # fmt: skip
        else:
            keys.append({"kty": "EC", "crv": "P-256", "kid": kid, "use": "sig", "alg": ALGORITHM,
                         "x": _b64url(numbers.x.to_bytes(32, "big")), "y": _b64url(numbers.y.to_bytes(32, "big"))})  # fmt: skip
    return {"keys": keys}


def _unsigned(number: int) -> bytes:
    return number.to_bytes((number.bit_length() + 7) // 8, "big")


def _b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()
