"""Registration, login, refresh rotation, logout, password reset, and attacks on tokens."""
from __future__ import annotations

import base64
import json
import time

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from chalicelib.platform.services import auth as auth_service
from chalicelib.platform.services.signing_keys import get_key_ring
from tests.conftest import PASSWORD

PROTECTED = "/v1/customers"


def test_health_needs_no_auth(api):
    reply = api.get("/v1/health")
    assert reply.status == 200
    assert reply.json["status"] == "ok"


def test_register_creates_an_organization_and_its_owner(api):
    reply = api.register("Founder@Example.com", organization="Zebra Inc")
    assert reply.status == 201
    assert reply.json["user"]["email"] == "founder@example.com"
    assert reply.json["user"]["role"] == "owner"
    assert reply.json["organization"]["name"] == "Zebra Inc"
    assert reply.json["user"]["organization_id"] == reply.json["organization"]["id"]
    assert "password" not in reply.body.decode() and "hash" not in reply.body.decode()


@pytest.mark.parametrize(
    "body, field",
    [
        ({"password": PASSWORD, "name": "A", "organization": "O"}, "email"),
        ({"email": "not-an-email", "password": PASSWORD, "name": "A", "organization": "O"}, "email"),
        ({"email": "a@example.com", "password": "short", "name": "A", "organization": "O"}, "password"),
        ({"email": "a@example.com", "password": 12345678901234, "name": "A", "organization": "O"}, "password"),
        ({"email": "a@example.com", "password": PASSWORD, "name": "", "organization": "O"}, "name"),
        ({"email": "a@example.com", "password": PASSWORD, "name": "A"}, "organization"),
        ({"email": "a@example.com", "password": PASSWORD, "name": "A", "organization": "O", "role": "owner"}, "role"),
    ],
)
def test_register_rejects_invalid_fields_naming_them(api, body, field):
    reply = api.post("/v1/auth/register", body)
    assert reply.status == 422
    assert reply.header("content-type") == "application/problem+json"
    assert field in [error["field"] for error in reply.json["errors"]]


def test_login_returns_a_short_lived_asymmetric_token_and_a_refresh_token(api):
    api.register("login@example.com")
    reply = api.login("login@example.com")
    assert reply.status == 200
    body = reply.json
    assert set(body) >= {"access_token", "refresh_token", "token_type", "expires_in"}
    assert body["token_type"] == "Bearer"
    assert 0 < body["expires_in"] <= 900
    assert reply.header("cache-control") == "no-store"
    header = jwt.get_unverified_header(body["access_token"])
    assert header["alg"] in ("RS256", "ES256") and header["kid"]
    claims = jwt.decode(body["access_token"], options={"verify_signature": False})
    assert claims["iss"] == "http://127.0.0.1:8000" and claims["aud"] == "zebros-api"
    assert claims["exp"] - claims["iat"] <= 900
    assert claims["role"] == "owner" and claims["org"] and claims["sub"]
    assert "." in body["refresh_token"] and body["refresh_token"] != body["access_token"]


def test_access_token_verifies_against_the_published_jwks(api, owner):
    jwks = api.get("/.well-known/jwks.json")
    assert jwks.status == 200
    key_set = jwt.PyJWKSet.from_dict(jwks.json)
    kid = jwt.get_unverified_header(owner.access_token)["kid"]
    key = next(key for key in key_set.keys if key.key_id == kid)
    claims = jwt.decode(owner.access_token, key.key, algorithms=["ES256"], audience="zebros-api")
    assert claims["sub"] == owner.user_id
    assert all("d" not in key for key in jwks.json["keys"]), "private key material must never be published"


@pytest.mark.parametrize("email, password", [("login2@example.com", "wrong password!!"), ("nobody@example.com", PASSWORD)])
def test_bad_credentials_answer_401_without_saying_which_part_was_wrong(api, email, password):
    api.register("login2@example.com")
    reply = api.login(email, password)
    assert reply.status == 401
    assert reply.json["detail"] == "The email or password is not correct."


def test_repeated_failed_logins_throttle_the_account(api):
    api.register("victim@example.com")
    for _ in range(5):
        assert api.login("victim@example.com", "wrong password!!").status == 401
    reply = api.login("victim@example.com")
    assert reply.status == 429
    assert int(reply.header("retry-after")) > 0
    assert reply.header("content-type") == "application/problem+json"


def test_a_success_before_the_threshold_resets_the_count(api):
    api.register("forgetful@example.com")
    for _ in range(4):
        api.login("forgetful@example.com", "wrong password!!")
    assert api.login("forgetful@example.com").status == 200
    for _ in range(4):
        api.login("forgetful@example.com", "wrong password!!")
    assert api.login("forgetful@example.com").status == 200


def test_protected_route_without_token_is_401(api):
    reply = api.get(PROTECTED)
    assert reply.status == 401
    assert reply.header("content-type") == "application/problem+json"


def _b64(data: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def _claims(owner, **overrides):
    now = int(time.time())
    claims = {
        "iss": "http://127.0.0.1:8000",
        "aud": "zebros-api",
        "sub": owner.user_id,
        "org": owner.org_id,
        "role": "owner",
        "sid": jwt.decode(owner.access_token, options={"verify_signature": False})["sid"],
        "iat": now,
        "nbf": now,
        "exp": now + 600,
        "jti": "test",
    }
    claims.update(overrides)
    return claims


def _sign(claims, key=None, kid=None, algorithm="ES256"):
    ring = get_key_ring()
    return jwt.encode(claims, key or ring.private_key, algorithm=algorithm, headers={"kid": kid or ring.kid})


def _forged_tokens(owner):
    ring = get_key_ring()
    public_pem = ring.public_keys[ring.kid].public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    header, payload, signature = owner.access_token.split(".")
    escalated = _b64({**jwt.decode(owner.access_token, options={"verify_signature": False}), "org": "another-org"})
    hs256_header = _b64({"alg": "HS256", "typ": "JWT", "kid": ring.kid})
    hs256_payload = _b64(_claims(owner))
    import hashlib
    import hmac

    hs256_signature = base64.urlsafe_b64encode(
        hmac.new(public_pem, f"{hs256_header}.{hs256_payload}".encode(), hashlib.sha256).digest()
    ).rstrip(b"=").decode()
    return {
        "alg none": f"{_b64({'alg': 'none', 'typ': 'JWT', 'kid': ring.kid})}.{_b64(_claims(owner))}.",
        "HS256 signed with the public key": f"{hs256_header}.{hs256_payload}.{hs256_signature}",
        "expired": _sign(_claims(owner, iat=int(time.time()) - 2000, nbf=int(time.time()) - 2000, exp=int(time.time()) - 1000)),
        "wrong issuer": _sign(_claims(owner, iss="https://evil.example.com")),
        "wrong audience": _sign(_claims(owner, aud="another-api")),
        "tampered signature": f"{header}.{payload}.{signature[:-4]}{'AAAA' if signature[-4:] != 'AAAA' else 'BBBB'}",
        "tampered payload": f"{header}.{escalated}.{signature}",
        "foreign key": _sign(_claims(owner), key=ec.generate_private_key(ec.SECP256R1())),
        "unknown kid": _sign(_claims(owner), kid="not-our-key"),
        "missing claims": _sign({"sub": owner.user_id, "exp": int(time.time()) + 600}),
        "unknown role": _sign(_claims(owner, role="superuser")),
        "not a jwt": "garbage",
    }


ATTACKS = [
    "alg none",
    "HS256 signed with the public key",
    "expired",
    "wrong issuer",
    "wrong audience",
    "tampered signature",
    "tampered payload",
    "foreign key",
    "unknown kid",
    "missing claims",
    "unknown role",
    "not a jwt",
]


@pytest.mark.parametrize("attack", ATTACKS)
def test_forged_and_invalid_access_tokens_are_rejected(api, owner, attack):
    token = _forged_tokens(owner)[attack]
    reply = api.get(PROTECTED, headers={"Authorization": f"Bearer {token}"})
    assert reply.status == 401, attack
    assert reply.header("content-type") == "application/problem+json"


def test_a_validly_signed_token_is_accepted(api, owner):
    """The forgery tests above mean something only if the same path accepts a genuine token."""
    reply = api.get(PROTECTED, headers={"Authorization": f"Bearer {_sign(_claims(owner))}"})
    assert reply.status == 200


def test_token_without_bearer_scheme_is_rejected(api, owner):
    assert api.get(PROTECTED, headers={"Authorization": owner.access_token}).status == 401


def test_refresh_rotates_the_refresh_token(api, owner):
    reply = api.post("/v1/auth/refresh", {"refresh_token": owner.refresh_token})
    assert reply.status == 200
    rotated = reply.json
    assert rotated["refresh_token"] != owner.refresh_token
    assert api.get(PROTECTED, headers={"Authorization": f"Bearer {rotated['access_token']}"}).status == 200
    again = api.post("/v1/auth/refresh", {"refresh_token": rotated["refresh_token"]})
    assert again.status == 200


def test_reusing_a_rotated_refresh_token_revokes_the_whole_family(api, owner):
    rotated = api.post("/v1/auth/refresh", {"refresh_token": owner.refresh_token}).json
    replay = api.post("/v1/auth/refresh", {"refresh_token": owner.refresh_token})
    assert replay.status == 401
    # The thief and the victim are indistinguishable now: the newest token dies too...
    assert api.post("/v1/auth/refresh", {"refresh_token": rotated["refresh_token"]}).status == 401
    # ...and so does every access token of the session.
    assert api.get(PROTECTED, headers={"Authorization": f"Bearer {rotated['access_token']}"}).status == 401


@pytest.mark.parametrize("token", ["", "no-dot", "unknown-session.secret", "a" * 513])
def test_unknown_refresh_tokens_are_rejected(api, token):
    reply = api.post("/v1/auth/refresh", {"refresh_token": token})
    assert reply.status in (401, 422)
    assert reply.header("content-type") == "application/problem+json"


def test_logout_revokes_the_session(api, owner):
    assert api.post("/v1/auth/logout", as_=owner).status == 204
    assert api.get(PROTECTED, as_=owner).status == 401
    assert api.post("/v1/auth/refresh", {"refresh_token": owner.refresh_token}).status == 401


def test_logout_ends_only_its_own_session(api, owner):
    other_session = api.login(owner.email).json
    assert api.post("/v1/auth/logout", as_=owner).status == 204
    assert api.get(PROTECTED, headers={"Authorization": f"Bearer {other_session['access_token']}"}).status == 200


class RecordingNotifier:
    def __init__(self):
        self.sent = []

    def send_password_reset(self, email, token):
        self.sent.append((email, token))


@pytest.fixture
def notifier(monkeypatch):
    recording = RecordingNotifier()
    monkeypatch.setattr(auth_service, "get_notifier", lambda: recording)
    return recording


def test_forgot_password_answers_the_same_for_unknown_accounts(api, owner, notifier):
    known = api.post("/v1/auth/password/forgot", {"email": owner.email})
    unknown = api.post("/v1/auth/password/forgot", {"email": "ghost@example.com"})
    assert known.status == unknown.status == 202
    assert known.json == unknown.json
    assert [email for email, _ in notifier.sent] == [owner.email]


def test_password_reset_sets_the_new_password_once_and_ends_sessions(api, owner, notifier):
    api.post("/v1/auth/password/forgot", {"email": owner.email})
    (_, token), = notifier.sent
    new_password = "a brand new passphrase"
    assert api.post("/v1/auth/password/reset", {"token": token, "password": new_password}).status == 204
    assert api.login(owner.email).status == 401
    assert api.login(owner.email, new_password).status == 200
    assert api.post("/v1/auth/refresh", {"refresh_token": owner.refresh_token}).status == 401
    reused = api.post("/v1/auth/password/reset", {"token": token, "password": "yet another passphrase"})
    assert reused.status == 400


def test_password_reset_with_an_unknown_token_fails(api):
    reply = api.post("/v1/auth/password/reset", {"token": "made-up", "password": "a brand new passphrase"})
    assert reply.status == 400
    assert reply.json["field"] == "token"


def test_logs_never_carry_passwords_or_tokens(api):
    import io
    import logging

    from chalicelib.observability import SERVICE_NAME, logger

    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logger.registered_formatter)
    logging.getLogger(SERVICE_NAME).addHandler(handler)
    try:
        api.register("quiet@example.com")
        tokens = api.login("quiet@example.com").json
        api.login("quiet@example.com", "wrong password!!")
        api.get(PROTECTED, headers={"Authorization": f"Bearer {tokens['access_token']}"})
        api.post("/v1/auth/refresh", {"refresh_token": tokens["refresh_token"]})
    finally:
        logging.getLogger(SERVICE_NAME).removeHandler(handler)
    logs = stream.getvalue()
    assert any('"message":"request"' in line and '"org_id"' in line for line in logs.splitlines())
    for secret in (PASSWORD, "wrong password!!", tokens["access_token"], tokens["refresh_token"]):
        assert secret not in logs


@pytest.fixture
def ses_that_rejects(monkeypatch):
    """The real SES notifier against the test account's SES, where the sender is not a verified
    identity: SendEmail fails as it would in AWS before SES is set up."""
    from chalicelib.aws.ses import SesNotifier

    monkeypatch.setattr(auth_service, "get_notifier", lambda: SesNotifier("no-reply@zebroscrm.com"))


def test_forgot_password_answers_202_when_mail_cannot_be_sent_and_counts_the_failure(api, owner, ses_that_rejects, capsys, caplog):
    capsys.readouterr()
    known = api.post("/v1/auth/password/forgot", {"email": owner.email})
    failed_output = capsys.readouterr().out
    unknown = api.post("/v1/auth/password/forgot", {"email": "ghost@example.com"})
    assert known.status == unknown.status == 202
    assert known.json == unknown.json and known.header("content-type") == unknown.header("content-type")
    assert '"NotificationDeliveryFailed"' in failed_output  # the EMF metric of the request
    assert "NotificationDeliveryFailed" not in capsys.readouterr().out
    (warning,) = [r for r in caplog.records if r.getMessage() == "Notification not delivered"]
    assert warning.notification == "password_reset" and "MessageRejected" in warning.reason


def test_forgot_password_answers_at_the_same_time_for_known_and_unknown_accounts(api, owner, notifier, monkeypatch):
    """A fake clock: sending mail takes (fake) time, yet both answers come at the fixed deadline."""
    import dataclasses

    from chalicelib.core import clock
    from chalicelib.core.settings import get_settings

    now = [1000.0]
    answered_at = []
    monkeypatch.setattr(clock, "monotonic", lambda: now[0])
    monkeypatch.setattr(clock, "sleep_until", lambda deadline: now.__setitem__(0, max(now[0], deadline)))
    monkeypatch.setattr(auth_service, "get_settings", lambda: dataclasses.replace(get_settings(), forgot_password_response_seconds=1.0))
    sent = notifier.send_password_reset
    monkeypatch.setattr(notifier, "send_password_reset", lambda email, token: (now.__setitem__(0, now[0] + 0.3), sent(email, token)))

    for email in (owner.email, "ghost@example.com"):
        start = now[0]
        assert api.post("/v1/auth/password/forgot", {"email": email}).status == 202
        answered_at.append(now[0] - start)
    assert answered_at == [1.0, 1.0]
    assert [email for email, _ in notifier.sent] == [owner.email]
