"""One error format everywhere: application/problem+json, a 4xx for bad input, never a trace."""
from __future__ import annotations

import json

import pytest

from chalicelib.crm.contact_management.services import customers as customer_service


def _is_problem(reply, status):
    assert reply.status == status, reply.body
    assert reply.header("content-type") == "application/problem+json"
    body = reply.json
    assert body["status"] == status and body["title"] and body["detail"]
    assert "Traceback" not in reply.body.decode()
    return body


@pytest.mark.parametrize(
    "raw",
    [b"{not json", b"[1, 2", b'{"name": "x",}', "\"caf\xe9\"".encode("latin-1"), b"\x00\xff"],
)
def test_malformed_json_is_400(api, owner, raw):
    body = _is_problem(api.post("/v1/customers", raw=raw, as_=owner), 400)
    assert body["field"] == "body"


@pytest.mark.parametrize(
    "payload, field",
    [
        ({"name": 7}, "name"),
        ({"name": "A", "tags": "vip"}, "tags"),
        ({"name": "A", "tags": [1]}, "tags[0]"),
        ({"name": "A", "email": "nope"}, "email"),
        ({"name": "A", "status": "deleted"}, "status"),
        ({"name": "A", "custom_fields": {"bad key": 1}}, "custom_fields"),
        ({"name": "A", "custom_fields": {"nested": {"a": 1}}}, "custom_fields.nested"),
        ({"name": "A", "version": 9}, "version"),
        ({}, "name"),
    ],
)
def test_wrong_types_and_unknown_fields_are_422_naming_the_field(api, owner, payload, field):
    body = _is_problem(api.post("/v1/customers", payload, as_=owner), 422)
    assert field in [error["field"] for error in body["errors"]], body


@pytest.mark.parametrize("payload", [[], "text", 3, None])
def test_a_body_that_is_not_an_object_is_rejected(api, owner, payload):
    raw = json.dumps(payload).encode()
    reply = api.post("/v1/customers", raw=raw, as_=owner)
    assert reply.status in (400, 422)
    _is_problem(reply, reply.status)


def test_empty_body_is_400(api, owner):
    _is_problem(api.post("/v1/customers", raw=b"", as_=owner), 400)


def test_oversized_body_is_413(api, owner):
    _is_problem(api.post("/v1/customers", {"name": "A", "company": "x" * 70_000}, as_=owner), 413)


def test_unsupported_media_type_is_415(api, owner):
    _is_problem(api.post("/v1/customers", raw=b"name=A", as_=owner, headers={"Content-Type": "text/plain"}), 415)


def test_unsupported_method_is_405_with_allow(api, owner):
    reply = api.delete("/v1/customers", as_=owner)
    _is_problem(reply, 405)
    assert "GET" in reply.header("allow")


def test_unknown_route_is_404(api, owner):
    _is_problem(api.get("/v1/nothing-here", as_=owner), 404)


def test_an_unexpected_failure_is_a_plain_500(api, owner, monkeypatch):
    def explode(*args, **kwargs):
        raise RuntimeError("secret internals at /srv/app.py line 12")

    monkeypatch.setattr(customer_service.records, "search", explode)
    body = _is_problem(api.get("/v1/customers", as_=owner), 500)
    assert "secret internals" not in json.dumps(body)


# What a hostile or careless client sent and got a 500 for (issue 8). The whole route table is
# fuzzed in test_fuzz_routes.py; these pin each finding to the answer it must get.

def _nested(depth):
    return ("[" * depth + "]" * depth).encode()


@pytest.mark.parametrize("path", ["/v1/auth/login", "/v1/auth/register", "/v1/auth/refresh", "/api/abc/hello"])
@pytest.mark.parametrize("raw", [_nested(1000), b'{"a":' * 1000 + b"1" + b"}" * 1000, _nested(40)])
def test_a_deeply_nested_body_is_400_even_unauthenticated(api, path, raw):
    body = _is_problem(api.post(path, raw=raw, headers={"x-api-key": "test-api-key"}), 400)
    assert body["field"] == "body"


def test_nesting_dynamodb_can_store_is_accepted(api, owner):
    assert api.post("/v1/customers/batch", {"items": [{"name": "Shallow"}]}, as_=owner).status == 200


@pytest.mark.parametrize("literal", ["NaN", "Infinity", "-Infinity", "1e400", "1e200", "1e-200", "1" + "0" * 40])
@pytest.mark.parametrize(
    "path, template",
    [
        ("/v1/campaigns", '{"name": "Spring", "channel": "email", "budget": %s}'),
        ("/v1/opportunities", '{"name": "Deal", "amount": %s, "close_date": "2026-06-30"}'),
        ("/v1/opportunities/batch", '{"items": [{"name": "Deal", "amount": %s, "close_date": "2026-06-30"}]}'),
    ],
)
def test_a_number_dynamodb_cannot_store_is_422_naming_the_field(api, owner, path, template, literal):
    body = _is_problem(api.post(path, raw=(template % literal).encode(), as_=owner), 422)
    assert [error["field"] for error in body["errors"]] in (["budget"], ["amount"], ["items[0].amount"])


def test_a_patch_with_nan_is_refused_and_commits_nothing(api, owner):
    campaign = api.post("/v1/campaigns", {"name": "Spring", "channel": "email", "budget": 10}, as_=owner).json
    path = f"/v1/campaigns/{campaign['id']}"
    body = _is_problem(api.patch(path, raw=b'{"budget": NaN}', as_=owner), 422)
    assert body["errors"][0]["field"] == "budget"
    assert api.get(path, as_=owner).json == campaign
    assert api.get("/v1/campaigns", as_=owner).status == 200


def test_lead_conversion_with_infinity_is_422(api, owner):
    lead = api.post("/v1/leads", {"name": "Lead"}, as_=owner).json
    raw = b'{"create_opportunity": true, "opportunity_name": "Deal", "amount": Infinity}'
    reply = api.post(f"/v1/leads/{lead['id']}/convert", raw=raw, as_=owner)
    assert _is_problem(reply, 422)["errors"][0]["field"] == "amount"


def test_a_lone_surrogate_is_422_naming_the_field(api, owner):
    body = _is_problem(api.post("/v1/customers", raw=b'{"name": "\\ud800"}', as_=owner), 422)
    assert body["errors"][0]["field"] == "name"


@pytest.mark.parametrize("email", ["", " ", "\t"])
def test_login_with_an_email_that_cannot_be_a_key_is_401(api, email):
    _is_problem(api.login(email), 401)


@pytest.mark.parametrize("token", [".abc", "", "." * 3000, "\u00e9" * 1100 + ".x"])
def test_refresh_with_a_token_naming_no_session_is_401_or_422(api, token):
    reply = api.post("/v1/auth/refresh", {"refresh_token": token})
    assert reply.status in (401, 422)
    _is_problem(reply, reply.status)


@pytest.mark.parametrize(
    "method, path, body",
    [
        ("POST", "/v1/customers/{long}/notes", {"body": "Called"}),
        ("POST", "/v1/customers/{unicode}/notes", {"body": "Called"}),
        ("POST", "/v1/customers/{long}/activities", {"type": "call", "subject": "Intro"}),
        ("GET", "/v1/customers//notes", None),
        ("PUT", "/v1/opportunities//stage", {"stage": "qualified"}),
        ("PUT", "/v1/users//role", {"role": "viewer"}),
        ("GET", "/v1/customers/{lower}", None),
        ("GET", "/v1/custom-fields/{long}", None),
        ("GET", "/v1/roles/{long}", None),
        ("GET", "/v1/sla-policies/{long}", None),
    ],
)
def test_a_path_id_that_cannot_exist_is_404_before_any_data_call(api, owner, customer, method, path, body):
    ids = {"long": "A" * 2000, "unicode": "\u00e9" * 600, "lower": customer["id"].lower()}
    _is_problem(api.call(method, path.format(**ids), body, as_=owner), 404)


def test_ids_of_every_shape_the_api_issues_still_resolve(api, owner, customer):
    definition = {"entity": "customers", "key": "tier_2", "label": "Tier", "type": "text"}
    field = api.post("/v1/custom-fields", definition, as_=owner).json
    assert api.get(f"/v1/custom-fields/{field['id']}", as_=owner).status == 200
    assert api.get("/v1/roles/viewer", as_=owner).status == 200
    assert api.get(f"/v1/customers/{customer['id']}", as_=owner).status == 200
    assert api.get(f"/v1/users/{owner.user_id}", as_=owner).status == 200


@pytest.mark.parametrize("cursor_json", ["[" * 5000 + "]" * 5000, '{"a": NaN}', '{"customer_id": "' + "A" * 2000 + '"}'])
def test_a_forged_cursor_is_400(api, owner, cursor_json):
    import base64

    cursor = base64.urlsafe_b64encode(cursor_json.encode()).decode().rstrip("=")
    for path in ("/v1/customers", "/v1/campaigns", "/v1/audit-logs"):
        assert _is_problem(api.get(f"{path}?cursor={cursor}", as_=owner), 400)["field"] == "cursor"


@pytest.mark.parametrize("limit", ["\u00b2", "\u0661", "9" * 5000])
def test_a_limit_of_other_digits_is_400(api, owner, limit):
    from urllib.parse import quote

    _is_problem(api.get(f"/v1/customers?limit={quote(limit)}", as_=owner), 400)


@pytest.mark.parametrize("if_match", ['"\u00b2"', '"\u0661"', '"' + "9" * 5000 + '"'])
def test_an_if_match_of_other_digits_is_412(api, owner, customer, if_match):
    reply = api.patch(f"/v1/customers/{customer['id']}", {"name": "X"}, as_=owner, headers={"If-Match": if_match})
    _is_problem(reply, 412)
