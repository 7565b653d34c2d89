"""The keys that sign and verify tokens: ES256 (EC P-256) for access tokens, RS256 (RSA 2048) for
OpenID Connect ID tokens, which OIDC relying parties must be able to verify with RS256.

In AWS the key pairs live in Secrets Manager (JSON: kid, private_key_pem, id_token_kid,
id_token_private_key_pem, previous_public_keys);
previous public keys stay published in the JWKS during rotation so tokens signed before it still
verify. Locally a key is generated, and kept in LOCAL_SIGNING_KEY_FILE when set so that tokens
survive a restart of `make run`. No key is ever committed.
"""
from __future__ import annotations

import json
import os
import time
from dataclasses import dataclass
from typing import Any

from chalicelib.core.settings import get_settings


@dataclass(frozen=True)
class KeyRing:
    kid: str
    private_key: Any
    public_keys: dict[str, Any]
    # None until the secret holds an RSA key (infra/signing_key.py rotate adds one): no ID tokens.
    id_token_kid: str | None = None
    id_token_private_key: Any = None


def parse_key_ring(document: dict[str, Any]) -> KeyRing:
    from cryptography.hazmat.primitives.serialization import load_pem_private_key, load_pem_public_key

    private_key = load_pem_private_key(document["private_key_pem"].encode(), password=None)
    public_keys = {document["kid"]: private_key.public_key()}
    id_token_kid, id_token_key = document.get("id_token_kid"), None
    if id_token_kid:
        # RSA key validation costs ~0.4 s of a cold start; this key is our own secret's, written by
        # infra/signing_key.py (or generated here) from cryptography's own key generation.
        id_token_key = load_pem_private_key(
            document["id_token_private_key_pem"].encode(), password=None, unsafe_skip_rsa_key_validation=True
        )
        public_keys[id_token_kid] = id_token_key.public_key()
    for previous in document.get("previous_public_keys", []):
        public_keys[previous["kid"]] = load_pem_public_key(previous["public_key_pem"].encode())
    return KeyRing(document["kid"], private_key, public_keys, id_token_kid, id_token_key)


def generate_key_document() -> dict[str, Any]:
    """Fresh key pairs in the same JSON layout the Secrets Manager secret holds."""
    import secrets

    from cryptography.hazmat.primitives.asymmetric import ec

    return {
        "kid": secrets.token_hex(8),
        "private_key_pem": private_pem(ec.generate_private_key(ec.SECP256R1())),
        **generate_id_token_key(),
        "previous_public_keys": [],
    }


def generate_id_token_key() -> dict[str, str]:
    import secrets

    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return {"id_token_kid": secrets.token_hex(8), "id_token_private_key_pem": private_pem(key)}


def private_pem(key: Any) -> str:
    from cryptography.hazmat.primitives import serialization

    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()


def _load_local_document(path: str | None) -> dict[str, Any]:
    if path and os.path.exists(path):
        with open(path, encoding="utf-8") as handle:
            document = json.load(handle)
        if "id_token_kid" not in document:
            # A `make run` state from before ID tokens: add the RSA key, keep the access-token key.
            document.update(generate_id_token_key())
            with open(path, "w", encoding="utf-8") as handle:
                json.dump(document, handle)
        return document
    document = generate_key_document()
    if path:
        os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            json.dump(document, handle)
    return document


# A rotation reaches a warm container within this long (or sooner: see public_key).
RELOAD_AFTER_SECONDS = 600
# An unknown kid may trigger a reload at most this often, so forged kids cannot flood Secrets Manager.
UNKNOWN_KID_RELOAD_SECONDS = 60
_cache: dict[str, Any] = {"ring": None, "loaded_at": 0.0}


def get_key_ring() -> KeyRing:
    now = time.monotonic()
    ring = _cache["ring"]
    if ring is None or (get_settings().running_in_lambda and now - _cache["loaded_at"] > RELOAD_AFTER_SECONDS):
        ring = _cache["ring"] = _load_key_ring()
        _cache["loaded_at"] = now
    return ring


def public_key(kid: str | None) -> Any:
    """The public key for `kid`; a kid we do not know may mean the key was rotated since we loaded."""
    ring = get_key_ring()
    key = ring.public_keys.get(kid) if kid else None
    reloadable = get_settings().running_in_lambda  # locally a reload would mint a new key instead
    if key is None and kid and reloadable and time.monotonic() - _cache["loaded_at"] > UNKNOWN_KID_RELOAD_SECONDS:
        _cache["ring"] = None
        key = get_key_ring().public_keys.get(kid)
    return key


def _load_key_ring() -> KeyRing:
    settings = get_settings()
    if settings.running_in_lambda:
        from chalicelib.aws.secrets import read_json_secret

        if not settings.signing_key_secret_id:
            raise RuntimeError("SIGNING_KEY_SECRET_ID is not configured for this stage")
        return parse_key_ring(read_json_secret(settings.signing_key_secret_id))
    return parse_key_ring(_load_local_document(settings.local_signing_key_file))
