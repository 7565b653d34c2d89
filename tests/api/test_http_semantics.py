"""HTTP semantics clients rely on: Bearer challenges on 401 (RFC 6750), If-Match syntax (400 for a
malformed one, 412 for a stale one), and every invalid field of a body reported at once."""
from __future__ import annotations

import re
import time

import pytest

from chalicelib.platform.routes.problems import gateway_responses
from tests.api.test_auth import PROTECTED, _claims, _forged_tokens, _sign

CHALLENGE = re.compile(r'Bearer realm="zebros", error="invalid_token", error_description="([ !#-\[\]-~]+)"')


def test_a_request_without_credentials_gets_the_bare_challenge(api):
    for headers in ({}, {"Authorization": "Basic dXNlcjpwYXNz"}):
        reply = api.get(PROTECTED, headers=headers)
        assert reply.status == 401 and reply.header("Content-Type") == "application/problem+json"
        assert reply.header("WWW-Authenticate") == 'Bearer realm="zebros"'


def test_the_gateway_response_configured_in_aws_carries_the_same_challenge():
    # Terraform sends gateway_responses.json as the stage's gateway responses (static headers).
    assert gateway_responses()["UNAUTHORIZED"]["headers"]["WWW-Authenticate"] == 'Bearer realm="zebros"'


def _description(reply):
    assert reply.status == 401, reply.body
    assert reply.header("Content-Type") == "application/problem+json"
    match = CHALLENGE.fullmatch(reply.header("WWW-Authenticate") or "")
    assert match, reply.header("WWW-Authenticate")
    assert reply.json["detail"] == match.group(1)
    return match.group(1)


def test_an_expired_token_says_so(api, owner):
    now = int(time.time())
    token = _sign(_claims(owner, iat=now - 2000, nbf=now - 2000, exp=now - 1000))
    assert "expired" in _description(api.get(PROTECTED, headers={"Authorization": f"Bearer {token}"}))


def test_a_revoked_token_says_so(api, owner):
    assert api.post("/v1/auth/logout", as_=owner).status == 204
    assert "revoked" in _description(api.get(PROTECTED, as_=owner))


@pytest.mark.parametrize("attack", ["not a jwt", "alg none", "foreign key", "tampered payload", "unknown kid"])
def test_malformed_and_forged_tokens_are_invalid_token(api, owner, attack):
    token = _forged_tokens(owner)[attack]
    _description(api.get(PROTECTED, headers={"Authorization": f"Bearer {token}"}))


def test_a_refused_token_reaches_nothing(api, owner):
    token = _forged_tokens(owner)["not a jwt"]
    for method, path in [("GET", "/v1/customers"), ("POST", "/v1/customers"), ("GET", "/v1/users/me")]:
        reply = api.call(method, path, {"name": "x"}, headers={"Authorization": f"Bearer {token}"})
        _description(reply)
    assert api.get("/v1/customers", as_=owner).json["items"] == []


@pytest.mark.parametrize("value", ["3", '"3', "3\"", "W/3", "'3'", "", "\"1\" \"2\"", "\"1\",", "abc"])
def test_a_malformed_if_match_is_400(api, owner, customer, value):
    reply = api.patch(f"/v1/customers/{customer['id']}", {"company": "X"}, as_=owner, headers={"If-Match": value})
    assert reply.status == 400, (value, reply.body)
    assert reply.header("Content-Type") == "application/problem+json" and reply.json["field"] == "If-Match"
    assert api.get(f"/v1/customers/{customer['id']}", as_=owner).json["version"] == customer["version"]


@pytest.mark.parametrize("value", ['"999"', 'W/"1"', '"a", "b"', '"x"'])
def test_a_well_formed_if_match_naming_no_current_version_is_412(api, owner, customer, value):
    reply = api.patch(f"/v1/customers/{customer['id']}", {"company": "X"}, as_=owner, headers={"If-Match": value})
    assert reply.status == 412, (value, reply.body)


@pytest.mark.parametrize("value", ["*", '"1"', ' "1" '])
def test_star_and_the_current_etag_pass(api, owner, customer, value):
    reply = api.patch(f"/v1/customers/{customer['id']}", {"company": "X"}, as_=owner, headers={"If-Match": value})
    assert reply.status == 200, reply.body


def test_every_invalid_field_is_reported_at_once_in_plain_words(api, owner):
    body = {"name": "", "email": "not an email", "status": "sleeping", "tags": "vip", "colour": "red", "owner": "x" * 300}
    reply = api.post("/v1/customers", body, as_=owner)
    assert reply.status == 422 and reply.header("Content-Type") == "application/problem+json"
    errors = {error["field"]: error["message"] for error in reply.json["errors"]}
    assert set(errors) == {"name", "email", "status", "tags", "colour", "owner"}, errors
    assert errors["status"].startswith("status must be one of: ")
    assert errors["tags"] == "tags must be a list"
    assert errors["colour"] == "colour is not a known field"
    assert "at most" in errors["owner"] and "characters" in errors["owner"]
    for message in errors.values():
        assert not re.search(r"\^|\$|\\\\|must match pattern|data\.|\{", message), message
    assert api.get("/v1/customers", as_=owner).json["items"] == []


def test_missing_fields_are_each_required(api, owner):
    reply = api.post("/v1/customers", {}, as_=owner)
    assert reply.status == 422
    assert {"field": "name", "message": "name is required"} in reply.json["errors"]


def test_a_date_field_explains_its_format(api, owner, customer):
    reply = api.post(f"/v1/customers/{customer['id']}/activities",
                     {"type": "call", "subject": "x", "due_at": "31/01/2026"}, as_=owner)
    assert reply.status == 422, reply.body
    assert {"field": "due_at", "message": "due_at must be a date and time like 2026-01-31T09:30:00Z"} in reply.json["errors"]
