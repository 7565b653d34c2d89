"""One error format everywhere: application/problem+json, a 4xx for bad input, never a trace."""
from __future__ import annotations

import json

import pytest

from chalicelib.services import customers as customer_service


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

    monkeypatch.setattr(customer_service, "list_customers", explode)
    body = _is_problem(api.get("/v1/customers", as_=owner), 500)
    assert "secret internals" not in json.dumps(body)
