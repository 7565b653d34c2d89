"""Registration is a sign-up confirmed by email: POST /v1/auth/register answers alike for every
address, and POST /v1/auth/register/confirm creates the organization with the mailed code."""
from __future__ import annotations

from unittest import mock

import pytest

from chalicelib.core import clock
from chalicelib.platform.services import signups as signups_service
from chalicelib.platform.tables.signups import SignupModel
from chalicelib.tables import ALL_MODELS
from tests.conftest import PASSWORD

OTHER_PASSWORD = "not the password of that login"


def stored() -> dict[str, list[dict]]:
    """Every item of every table (a test's own world: a few items), to compare before and after."""
    return {model.Meta.table_name: sorted((item.serialize() for item in model.scan()), key=repr) for model in ALL_MODELS}


def without_request_ids(headers: dict[str, str]) -> dict[str, str]:
    """Also without `RateLimit`: what is left of the address's attempts this minute moves with every
    request, whichever the email."""
    return {name.lower(): value for name, value in headers.items()
            if "request-id" not in name.lower() and name.lower() != "ratelimit"}  # fmt: skip


def test_register_answers_alike_for_new_registered_and_other_organizations_emails(api, login_as):
    registered = login_as("owner")
    member_elsewhere = login_as("member")
    hashes = []
    wrapped = signups_service.hash_password
    with mock.patch.object(signups_service, "hash_password", lambda password: hashes.append(1) or wrapped(password)):
        replies_and_mails = [
            api.request_signup(email, organization="New Co")
            for email in ("brand.new@example.com", registered.email, member_elsewhere.email.upper())
        ]
    (first, _), *others = replies_and_mails
    assert first.status == 202
    assert first.json == {"status": "Check your email: we sent a message to confirm the sign-up."}
    for reply, _ in others:
        assert (reply.status, reply.body) == (first.status, first.body)
        assert without_request_ids(reply.headers) == without_request_ids(first.headers)
    assert len(hashes) == 3, "one password hash per request, whichever the email"
    assert [(mail.email, mail.for_existing_login) for _, mail in replies_and_mails] == [
        ("brand.new@example.com", False), (registered.email, True), (member_elsewhere.email, True),
    ]  # fmt: skip


def test_confirming_a_new_email_creates_the_login_and_organization_and_signs_in(api):
    requested, mail = api.request_signup("Founder@Example.com", organization="Zebra Inc")
    assert requested.status == 202
    assert api.login("founder@example.com").status == 401, "nothing exists before the confirmation"
    reply = api.confirm_signup(mail.token)
    assert reply.status == 201 and reply.header("cache-control") == "no-store"
    body = reply.json
    assert body["user"]["email"] == "founder@example.com" and body["user"]["role"] == "owner"
    assert body["organization"]["name"] == "Zebra Inc" and body["organization_id"] == body["organization"]["id"]
    assert body["organizations"] == [{"id": body["organization"]["id"], "name": "Zebra Inc", "role": "owner"}]
    assert api.get("/v1/users", headers={"Authorization": f"Bearer {body['access_token']}"}).status == 200
    assert api.login("founder@example.com").status == 200, "the password chosen at sign-up"
    assert "password" not in reply.body.decode() and "hash" not in reply.body.decode()


def test_the_pending_signup_keeps_only_hashes_and_one_item_per_email(api):
    _, first = api.request_signup("one@example.com")
    _, second = api.request_signup("one@example.com", organization="Second try")
    (item,) = SignupModel.scan()
    assert item.email == "one@example.com" and item.organization == "Second try"
    assert first.token not in repr(item.serialize()) and second.token not in repr(item.serialize())
    assert PASSWORD not in repr(item.serialize()) and item.password_hash.startswith("$argon2id$")
    assert api.confirm_signup(first.token).status == 400, "a newer request replaces the older code"
    assert api.confirm_signup(second.token).status == 201
    assert list(SignupModel.scan()) == [], "spent"


def test_an_existing_login_adds_the_organization_with_its_current_password(api, owner):
    _, mail = api.request_signup(owner.email, organization="Second Org", password="whatever the requester typed")
    missing = api.confirm_signup(mail.token)
    assert missing.status == 400 and missing.json["field"] == "password"
    reply = api.confirm_signup(mail.token, PASSWORD)
    assert reply.status == 201, reply.body
    assert reply.json["user"]["id"] != owner.user_id and reply.json["organization"]["name"] == "Second Org"
    assert sorted(org["id"] for org in reply.json["organizations"]) == sorted([owner.org_id, reply.json["organization"]["id"]])
    login = api.login(owner.email)
    assert login.json["organization_id"] == reply.json["organization"]["id"], "opens where it was just created"
    assert api.login(owner.email, "whatever the requester typed").status == 401, "the sign-up never sets a password"


def test_a_wrong_password_is_refused_counts_towards_the_lockout_and_writes_nothing_else(api, owner):
    _, mail = api.request_signup(owner.email, organization="Hijack")
    before = stored()
    reply = api.confirm_signup(mail.token, OTHER_PASSWORD)
    assert reply.status == 400 and reply.header("content-type") == "application/problem+json"
    assert reply.json["field"] == "password"
    after = stored()
    users_table = next(name for name in before if name.endswith("users"))
    assert {name: items for name, items in after.items() if name != users_table} == {
        name: items for name, items in before.items() if name != users_table
    }
    (login,) = [item for item in after[users_table] if item["email"]["S"] == owner.email]
    assert login["failed_logins"]["N"] == "1"
    for _ in range(4):
        api.confirm_signup(mail.token, OTHER_PASSWORD)
    assert api.confirm_signup(mail.token, PASSWORD).status == 429, "locked, as after five failed logins"
    assert api.login(owner.email).status == 429


@pytest.mark.parametrize("spoil", ["reused", "expired", "tampered", "unknown"])
def test_unusable_tokens_answer_one_4xx_and_write_nothing(api, spoil, monkeypatch):
    _, mail = api.request_signup("someone@example.com")
    token = mail.token
    if spoil == "reused":
        assert api.confirm_signup(token).status == 201
    elif spoil == "expired":
        later = clock.epoch_seconds() + signups_service.SIGNUP_TTL_SECONDS + 1
        monkeypatch.setattr(clock, "epoch_seconds", lambda: later)
    elif spoil == "tampered":
        token = token[:-1] + ("A" if token[-1] != "A" else "B")
    else:
        token = "made-up"
    before = stored()
    reply = api.confirm_signup(token)
    assert reply.status == 400 and reply.header("content-type") == "application/problem+json"
    assert reply.json["detail"] == "The sign-up token is invalid, expired or already used." and reply.json["field"] == "token"
    assert stored() == before


def test_two_confirmations_of_one_token_create_one_organization(api, monkeypatch):
    """The second confirmation read the sign-up before the first spent it: its transaction's
    condition on the token refuses it."""
    from chalicelib.platform.services.auth import hash_token
    from chalicelib.platform.tables import signups as signups_table

    _, mail = api.request_signup("racer@example.com")
    read_before_the_first_spent_it = signups_table.find_unexpired(hash_token(mail.token), clock.epoch_seconds())
    assert api.confirm_signup(mail.token).status == 201
    monkeypatch.setattr(signups_table, "find_unexpired", lambda token_hash, now: read_before_the_first_spent_it)
    # "racer" has a login now, so the stale read goes the existing login's way: with its password.
    second = api.confirm_signup(mail.token, PASSWORD)
    assert second.status == 400 and second.json["field"] == "token"
    assert len(api.login("racer@example.com").json["organizations"]) == 1
