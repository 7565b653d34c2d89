"""HTTP caching and CORS as clients see them through API Gateway's proxy event (chalice.test):
ETags on every GET, If-None-Match answered 304 with no body (RFC 9110 13.1.2), Cache-Control and
Vary per route class, and CORS for the allowed origins only, preflight included."""
from __future__ import annotations

import json
from collections import Counter

import pytest

from app import app
from tests import aws_calls

ALLOWED_ORIGIN = "https://app.example.test"  # CORS_ALLOWED_ORIGINS in tests/conftest.py
OTHER_ORIGIN = "https://evil.example"


def _api_handler_dynamodb_calls() -> Counter[str]:
    calls: Counter[str] = Counter()
    for key, count in aws_calls.requirements_seen.items():
        requirement = json.loads(key)
        if requirement["function"] == aws_calls.REST_HANDLER and requirement["call"].startswith("dynamodb."):
            calls[requirement["call"]] += count
    return calls


def test_a_record_get_answers_304_for_its_etag_at_the_cost_of_its_getitem(api, owner, customer):
    path = f"/v1/customers/{customer['id']}"
    first = api.get(path, as_=owner)
    assert first.status == 200 and first.header("ETag") == f'"{customer["version"]}"'
    before = _api_handler_dynamodb_calls()
    again = api.get(path, as_=owner, headers={"If-None-Match": first.header("ETag")})
    assert again.status == 304 and again.body == b""
    assert _api_handler_dynamodb_calls() - before == Counter({"dynamodb.GetItem": 1})
    assert again.header("ETag") == first.header("ETag")
    assert again.header("Cache-Control") == "private, no-cache"
    assert again.header("Vary") == first.header("Vary")
    assert again.header("Content-Type") is None


def test_a_changed_record_answers_200_with_its_new_etag(api, owner, customer):
    path = f"/v1/customers/{customer['id']}"
    old = api.get(path, as_=owner).header("ETag")
    assert api.patch(path, {"company": "Analytical Engines"}, as_=owner, headers={"If-Match": old}).status == 200
    reply = api.get(path, as_=owner, headers={"If-None-Match": old})
    assert reply.status == 200 and reply.json["company"] == "Analytical Engines"
    assert reply.header("ETag") == f'"{customer["version"] + 1}"'


@pytest.mark.parametrize(
    "if_none_match, matches",
    [
        ('"{v}"', True),
        ('W/"{v}"', True),  # If-None-Match compares weakly
        ('"0", "{v}"', True),
        ('"0" ,W/"{v}" , "7"', True),
        ("*", True),
        ('"0"', False),
        ('"0", "99"', False),
        ("{v}", False),  # not an entity-tag: ignored, the full answer
        ('"{v}", garbage', False),
        ("", False),
    ],
)
def test_if_none_match_follows_rfc_9110(api, owner, customer, if_none_match, matches):
    value = if_none_match.format(v=customer["version"])
    reply = api.get(f"/v1/customers/{customer['id']}", as_=owner, headers={"If-None-Match": value})
    assert reply.status == (304 if matches else 200), value


def test_a_list_answers_304_until_an_item_changes(api, owner, customer):
    first = api.get("/v1/customers", as_=owner)
    etag = first.header("ETag")
    assert first.status == 200 and etag and etag.startswith('"')
    assert api.get("/v1/customers", as_=owner).header("ETag") == etag  # same page, same tag
    before = _api_handler_dynamodb_calls()
    unchanged = api.get("/v1/customers", as_=owner, headers={"If-None-Match": etag})
    assert unchanged.status == 304 and unchanged.body == b"" and unchanged.header("ETag") == etag
    assert _api_handler_dynamodb_calls() - before == Counter({"dynamodb.Query": 1})  # what the 200 costs

    path = f"/v1/customers/{customer['id']}"
    assert api.patch(path, {"company": "X"}, as_=owner, headers={"If-Match": f'"{customer["version"]}"'}).status == 200
    changed = api.get("/v1/customers", as_=owner, headers={"If-None-Match": etag})
    assert changed.status == 200 and changed.json["items"][0]["company"] == "X"
    assert changed.header("ETag") != etag


def test_a_list_etag_depends_on_the_page_asked_for(api, owner):
    for name in ("A", "B", "C"):
        assert api.post("/v1/customers", {"name": name}, as_=owner).status == 201
    whole = api.get("/v1/customers", as_=owner)
    first_page = api.get("/v1/customers?limit=2", as_=owner)
    assert first_page.json["next_cursor"] and whole.header("ETag") != first_page.header("ETag")
    reply = api.get("/v1/customers?limit=2", as_=owner, headers={"If-None-Match": whole.header("ETag")})
    assert reply.status == 200


def test_every_get_route_answers_an_etag(api, owner, customer):
    for path in ("/v1/customers", f"/v1/customers/{customer['id']}/notes", "/v1/dashboard", "/v1/settings",
                 "/v1/users", "/v1/me/organizations", "/v1/audit-logs", "/.well-known/jwks.json", "/v1/health"):  # fmt: skip
        reply = api.get(path, as_=owner)
        assert reply.status == 200 and reply.header("ETag"), path
        assert api.get(path, as_=owner, headers={"If-None-Match": reply.header("ETag")}).status == 304, path


def test_another_organizations_etag_reveals_nothing(api, owner, customer, login_as):
    stranger = login_as("owner")
    path = f"/v1/customers/{customer['id']}"
    reply = api.get(path, as_=stranger, headers={"If-None-Match": f'"{customer["version"]}"'})
    assert reply.status == 404 and reply.header("Cache-Control") == "no-store"


def test_tenant_data_is_private_and_revalidated(api, owner, customer):
    for reply in (api.get("/v1/customers", as_=owner), api.get(f"/v1/customers/{customer['id']}", as_=owner)):
        assert reply.header("Cache-Control") == "private, no-cache"
        assert {"authorization", "accept-encoding"} <= _vary(reply)


def test_signing_keys_are_public_and_cacheable(api):
    reply = api.get("/.well-known/jwks.json")
    assert reply.status == 200 and reply.header("Cache-Control") == "public, max-age=300"
    assert "authorization" not in _vary(reply)


def test_auth_answers_are_never_stored(api, owner, login_as):
    replies = [
        api.register("new@example.com"),
        api.login(owner.email),
        api.post("/v1/auth/refresh", {"refresh_token": owner.refresh_token}),
        api.post("/v1/auth/password/forgot", {"email": owner.email}),
        api.post("/v1/auth/password/reset", {"token": "x", "password": "y"}),
        api.post("/v1/auth/logout", as_=login_as("member")),
        api.login(owner.email, password="wrong password"),
    ]
    for reply in replies:
        assert reply.header("Cache-Control") == "no-store", (reply.status, reply.body)
    assert replies[1].header("Pragma") == "no-cache"


def test_errors_are_never_stored(api, owner):
    reply = api.get("/v1/customers/01ARZ3NDEKTSV4RRFFQ69G5FAV", as_=owner)
    assert reply.status == 404 and reply.header("Cache-Control") == "no-store"


def test_every_route_declares_how_it_may_be_cached():
    """Public routes are no-store unless they say otherwise; which say otherwise is deliberate."""
    cacheable = {
        path: entry.view_function.cache.cache_control
        for path, methods in app.routes.items()
        for entry in methods.values()
        if entry.view_function.cache.cache_control.startswith("public")
    }
    assert cacheable == {
        "/.well-known/jwks.json": "public, max-age=300",
        "/.well-known/openid-configuration": "public, max-age=300",
        "/v1/openapi.json": "public, max-age=86400",
        "/v2/openapi.json": "public, max-age=86400",
        "/docs": "public, max-age=300",
        "/docs/errors": "public, max-age=300",
        "/docs/versions": "public, max-age=300",
        "/graphql": "public, max-age=300",
        "/docs/assets/{name}": "public, max-age=31536000, immutable",
    }
    for path, methods in app.routes.items():
        for method, entry in methods.items():
            policy = entry.view_function.cache.cache_control
            # Tokens, and the answers that show an API key or a child's device token, must never be stored.
            if path.startswith("/v1/auth/") or (method, path) in {("POST", "/v1/api-keys"), ("POST", "/v1/children/{child_id}/devices")}:
                assert policy == "no-store", (method, path)
            elif entry.authorizer is not None and path != "/v1/me/organizations":
                assert policy == "private, no-cache", (method, path)


def _vary(reply) -> set[str]:
    return {part.strip().lower() for part in (reply.header("Vary") or "").split(",")}


# ------------------------------------------------------------------ CORS


def test_an_allowed_origin_is_echoed_and_may_read_the_etag(api, owner, customer):
    reply = api.get(f"/v1/customers/{customer['id']}", as_=owner, headers={"Origin": ALLOWED_ORIGIN})
    assert reply.header("Access-Control-Allow-Origin") == ALLOWED_ORIGIN
    assert "ETag" in reply.header("Access-Control-Expose-Headers").split(", ")
    assert reply.header("Access-Control-Allow-Credentials") is None
    assert "origin" in _vary(reply)


@pytest.mark.parametrize("origin", [OTHER_ORIGIN, "null", "*", ALLOWED_ORIGIN + "/", ALLOWED_ORIGIN.upper(), None])
def test_any_other_origin_gets_no_cors_header(api, owner, origin):
    reply = api.get("/v1/customers", as_=owner, headers={"Origin": origin} if origin else {})
    assert reply.status == 200
    assert not [name for name in reply.headers if name.lower().startswith("access-control-")]
    assert "origin" in _vary(reply)


def test_errors_carry_cors_headers_so_the_page_can_read_the_problem(api, owner):
    reply = api.post("/v1/customers", {"name": ""}, as_=owner, headers={"Origin": ALLOWED_ORIGIN})
    assert reply.status == 422 and reply.header("Access-Control-Allow-Origin") == ALLOWED_ORIGIN


def test_preflight_answers_the_allowed_origin_without_a_token(api):
    reply = api.call(
        "OPTIONS", "/v1/customers/01ARZ3NDEKTSV4RRFFQ69G5FAV",
        headers={"Origin": ALLOWED_ORIGIN, "Access-Control-Request-Method": "PATCH",
                 "Access-Control-Request-Headers": "authorization, if-match, content-type"},
    )  # fmt: skip
    assert reply.status == 204 and reply.body == b""
    assert reply.header("Access-Control-Allow-Origin") == ALLOWED_ORIGIN
    assert reply.header("Access-Control-Allow-Methods") == "DELETE,GET,OPTIONS,PATCH,PUT"
    allowed = {name.strip().lower() for name in reply.header("Access-Control-Allow-Headers").split(",")}
    assert {"authorization", "if-match", "if-none-match", "content-type", "idempotency-key"} <= allowed
    assert reply.header("Access-Control-Max-Age") == "600"
    assert reply.header("Access-Control-Allow-Credentials") is None


def test_preflight_for_another_origin_allows_nothing(api):
    reply = api.call("OPTIONS", "/v1/customers", headers={"Origin": OTHER_ORIGIN, "Access-Control-Request-Method": "POST"})
    assert reply.status == 204
    assert not [name for name in reply.headers if name.lower().startswith("access-control-")]
    assert reply.header("Vary") == "Origin"


def test_preflight_of_an_unknown_path_is_the_gateways_not_found(api):
    reply = api.call("OPTIONS", "/v1/nothing-here", headers={"Origin": ALLOWED_ORIGIN})
    assert reply.status == 404 and reply.header("Access-Control-Allow-Origin") is None
