"""OpenID Connect as a standard client library sees it (authlib, joserfc): over a real socket it
discovers the provider from the issuer, validates the document, gets tokens from the discovered
token endpoint, verifies an access token with the keys of the discovered `jwks_uri` and calls the
discovered UserInfo endpoint. UserInfo shows only the caller; a refused token is 401 with a challenge."""
from __future__ import annotations

import threading
import time

import pytest
import requests
from authlib.integrations.requests_client import OAuth2Session
from authlib.oidc.discovery import OpenIDProviderMetadata, get_well_known_url
from chalice.config import Config
from chalice.local import LocalDevServer
from joserfc import jwt
from joserfc.jwk import KeySet

from app import app
from chalicelib.core.settings import get_settings
from chalicelib.platform.services.signing_keys import get_key_ring
from tests.conftest import PASSWORD

TIMEOUT = 60


@pytest.fixture
def issuer(api, monkeypatch):
    """The API on a free loopback port, its tokens' issuer being that server's URL (as in AWS,
    where JWT_ISSUER is the API's domain)."""
    server = LocalDevServer(app, Config.create(), "127.0.0.1", 0)
    url = f"http://127.0.0.1:{server.server.server_address[1]}"
    monkeypatch.setenv("JWT_ISSUER", url)
    get_settings.cache_clear()
    # Settings are read once per process: read now, before chalice's test client patches in a stage's.
    assert get_settings().jwt_issuer == url
    thread = threading.Thread(target=server.server.serve_forever, daemon=True)
    thread.start()
    try:
        yield url
    finally:
        server.server.shutdown()
        server.server.server_close()
        thread.join(timeout=10)
        monkeypatch.undo()
        get_settings.cache_clear()


def _discover(issuer: str) -> OpenIDProviderMetadata:
    reply = requests.get(get_well_known_url(issuer, external=True), timeout=TIMEOUT)
    assert reply.status_code == 200, reply.text
    assert reply.headers["Cache-Control"] == "public, max-age=300"
    metadata = OpenIDProviderMetadata(reply.json())
    # Every check of the library, RS256 among the ID token algorithms included (Discovery 1.0, 3).
    for key in metadata.REGISTRY_KEYS:
        getattr(metadata, f"validate_{key}")()
    return metadata


def _client(metadata: OpenIDProviderMetadata) -> OAuth2Session:
    assert metadata["token_endpoint_auth_methods_supported"] == ["none"]
    return OAuth2Session(client_id="oidc-test", token_endpoint_auth_method="none")


def test_a_client_library_discovers_the_provider_verifies_a_token_and_reads_userinfo(issuer, api, login_as):
    owner = login_as("owner")
    metadata = _discover(issuer)
    assert metadata["issuer"] == issuer
    assert metadata["id_token_signing_alg_values_supported"] == ["RS256"]
    assert {"iss", "sub", "aud", "exp", "iat", "email", "email_verified", "name", "org", "role"} <= set(metadata["claims_supported"])

    with _client(metadata) as client:
        tokens = client.fetch_token(
            metadata["token_endpoint"], grant_type="password", username=owner.email, password=PASSWORD, timeout=TIMEOUT
        )
        assert tokens["token_type"] == "Bearer" and tokens["refresh_token"]

        key_set = KeySet.import_key_set(requests.get(metadata["jwks_uri"], timeout=TIMEOUT).json())
        token = jwt.decode(tokens["access_token"], key_set, algorithms=["ES256"])
        jwt.JWTClaimsRegistry(
            iss={"essential": True, "value": metadata["issuer"]},
            aud={"essential": True, "value": "zebros-api"},
            sub={"essential": True},
            exp={"essential": True},
            iat={"essential": True},
        ).validate(token.claims)
        assert set(token.claims) <= set(metadata["claims_supported"])

        info = client.get(metadata["userinfo_endpoint"], timeout=TIMEOUT)
        assert info.status_code == 200, info.text
        assert info.json() == {
            "sub": token.claims["sub"], "email": owner.email, "email_verified": True, "name": "Owner",
            "org": owner.org_id, "role": "owner",
        }  # fmt: skip
        assert info.headers["Cache-Control"] == "no-store"  # as every /v1/auth answer

        refreshed = client.refresh_token(metadata["token_endpoint"], refresh_token=tokens["refresh_token"], timeout=TIMEOUT)
        assert refreshed["access_token"] != tokens["access_token"]
        assert client.get(metadata["userinfo_endpoint"], timeout=TIMEOUT).json()["sub"] == owner.user_id


def test_an_id_token_for_the_openid_scope_validates_with_the_discovered_keys(issuer, api, login_as):
    from authlib.jose import JsonWebKey
    from authlib.jose import jwt as authlib_jwt
    from authlib.oidc.core import CodeIDToken

    owner = login_as("owner")
    metadata = _discover(issuer)
    assert "openid" in metadata["scopes_supported"]
    keys = requests.get(metadata["jwks_uri"], timeout=TIMEOUT).json()
    assert {key["alg"] for key in keys["keys"]} == {"ES256", "RS256"}
    with _client(metadata) as client:
        tokens = client.fetch_token(
            metadata["token_endpoint"], grant_type="password", username=owner.email, password=PASSWORD,
            scope="openid", timeout=TIMEOUT,
        )  # fmt: skip
        claims = authlib_jwt.decode(
            tokens["id_token"], JsonWebKey.import_key_set(keys), claims_cls=CodeIDToken,
            claims_options={"iss": {"essential": True, "value": metadata["issuer"]},
                            "aud": {"essential": True, "value": "oidc-test"}},
            claims_params={"client_id": "oidc-test"},
        )  # fmt: skip
        claims.validate()
        assert claims.header["alg"] == "RS256"
        assert (claims["sub"], claims["email"], claims["org"], claims["azp"]) == (owner.user_id, owner.email, owner.org_id, "oidc-test")
        assert set(claims) <= set(metadata["claims_supported"])
        assert claims["exp"] - claims["iat"] == tokens["expires_in"] and claims["auth_time"] == claims["iat"]

        # A refresh with openid answers a new ID token, without auth_time (the sign-in was earlier).
        refreshed = client.refresh_token(metadata["token_endpoint"], refresh_token=tokens["refresh_token"], scope="openid", timeout=TIMEOUT)
        again = authlib_jwt.decode(refreshed["id_token"], JsonWebKey.import_key_set(keys), claims_cls=CodeIDToken,
                                   claims_options={"aud": {"essential": True, "value": "oidc-test"}})  # fmt: skip
        again.validate()
        assert again["sub"] == owner.user_id and "auth_time" not in again

    # Without openid, no ID token; an ID token is never an access token.
    plain = requests.post(metadata["token_endpoint"], data={"grant_type": "password", "username": owner.email, "password": PASSWORD}, timeout=TIMEOUT)
    assert plain.status_code == 200 and "id_token" not in plain.json()
    reply = requests.get(metadata["userinfo_endpoint"], headers={"Authorization": f"Bearer {tokens['id_token']}"}, timeout=TIMEOUT)
    assert reply.status_code == 401


def test_the_issuer_is_the_tokens_iss_and_names_where_the_api_serves(issuer, api, login_as):
    owner = login_as("owner")
    document = api.get("/.well-known/openid-configuration").json
    claims = jwt.decode(owner.access_token, KeySet.import_key_set(api.get("/.well-known/jwks.json").json)).claims
    assert document["issuer"] == claims["iss"] == issuer
    assert document["jwks_uri"] == f"{issuer}/.well-known/jwks.json"
    assert document["userinfo_endpoint"] == f"{issuer}/v1/auth/userinfo"
    assert document["token_endpoint"] == f"{issuer}/v1/auth/token"


def test_userinfo_shows_only_the_caller_in_the_organization_of_the_token(api, login_as):
    owner = login_as("owner")
    viewer = login_as("viewer", org_of=owner)
    stranger = login_as("owner")
    for caller in (owner, viewer, stranger):
        reply = api.get("/v1/auth/userinfo", as_=caller)
        assert reply.status == 200, reply.body
        assert (reply.json["sub"], reply.json["email"], reply.json["org"], reply.json["role"]) == (
            caller.user_id, caller.email, caller.org_id, caller.role,
        )  # fmt: skip


def _signed(claims: dict) -> str:
    import jwt as pyjwt

    ring = get_key_ring()
    return pyjwt.encode(claims, ring.private_key, algorithm="ES256", headers={"kid": ring.kid})


def test_a_revoked_expired_or_forged_token_is_401_with_a_bearer_challenge(issuer, api, login_as):
    owner = login_as("owner")
    logged_out = login_as("owner")
    assert api.post("/v1/auth/logout", as_=logged_out).status == 204
    claims = jwt.decode(owner.access_token, KeySet.import_key_set(api.get("/.well-known/jwks.json").json)).claims
    now = int(time.time())
    header, payload, signature = owner.access_token.split(".")
    refused = {
        "revoked": logged_out.access_token,
        "expired": _signed({**claims, "iat": now - 2000, "nbf": now - 2000, "exp": now - 1000}),
        "another issuer": _signed({**claims, "iss": "https://evil.example.com"}),
        "tampered": f"{header}.{payload}.{signature[:-4]}{'AAAA' if signature[-4:] != 'AAAA' else 'BBBB'}",
    }
    for name, token in refused.items():
        reply = requests.get(f"{issuer}/v1/auth/userinfo", headers={"Authorization": f"Bearer {token}"}, timeout=TIMEOUT)
        assert reply.status_code == 401, (name, reply.text)
        assert reply.headers["WWW-Authenticate"].startswith("Bearer"), name
        assert 'error="invalid_token"' in reply.headers["WWW-Authenticate"], name
    reply = requests.get(f"{issuer}/v1/auth/userinfo", timeout=TIMEOUT)
    assert reply.status_code == 401 and reply.headers["WWW-Authenticate"].startswith("Bearer")


def test_the_token_endpoint_refuses_what_rfc_6749_refuses(issuer, api, login_as):
    owner = login_as("owner")
    token_endpoint = f"{issuer}/v1/auth/token"
    cases = {
        "wrong password": ({"grant_type": "password", "username": owner.email, "password": "not the password"}, 401),
        "unsupported grant": ({"grant_type": "client_credentials"}, 422),
        "missing password": ({"grant_type": "password", "username": owner.email}, 422),
        "unknown refresh token": ({"grant_type": "refresh_token", "refresh_token": "x.y"}, 401),
        "repeated field": ("grant_type=password&grant_type=password&username=a&password=b", 400),
    }
    for name, (form, status) in cases.items():
        reply = requests.post(token_endpoint, data=form, headers={"Content-Type": "application/x-www-form-urlencoded"}, timeout=TIMEOUT)
        assert reply.status_code == status, (name, reply.text)
        assert reply.headers["Content-Type"] == "application/problem+json", name
        assert reply.headers["Cache-Control"] == "no-store", name


def test_a_make_run_key_file_from_before_id_tokens_gains_an_rsa_key_and_keeps_its_access_key(tmp_path, monkeypatch):
    import json

    from chalicelib.platform.services import signing_keys, tokens

    document = signing_keys.generate_key_document()
    older = {name: value for name, value in document.items() if not name.startswith("id_token")}
    path = tmp_path / "signing-key.json"
    path.write_text(json.dumps(older))
    monkeypatch.setenv("LOCAL_SIGNING_KEY_FILE", str(path))
    get_settings.cache_clear()
    monkeypatch.setitem(signing_keys._cache, "ring", None)
    try:
        ring = get_key_ring()
        assert ring.kid == older["kid"] and ring.id_token_private_key.key_size == 2048
        assert json.loads(path.read_text())["id_token_kid"] == ring.id_token_kid
        assert {key["alg"] for key in tokens.json_web_key_set()["keys"]} == {"ES256", "RS256"}
    finally:
        monkeypatch.undo()
        get_settings.cache_clear()
        signing_keys._cache["ring"] = None
