"""Another organization's ids answer 404 on every route; viewers cannot write; every /v1 route
is guarded by the authorizer unless it is one of the few public ones."""
from __future__ import annotations

import pytest

from app import app

PUBLIC_ROUTES = {
    ("/v1/health", "GET"),
    ("/v1/auth/register", "POST"),
    ("/v1/auth/register/confirm", "POST"),
    ("/v1/auth/login", "POST"),
    ("/v1/auth/refresh", "POST"),
    ("/v1/auth/password/forgot", "POST"),
    ("/v1/auth/password/reset", "POST"),
    ("/v1/auth/invitations/accept", "POST"),
    ("/.well-known/jwks.json", "GET"),
    ("/.well-known/openid-configuration", "GET"),
    ("/v1/auth/token", "POST"),
    # A StoryVerse child's sign-in (storyverse/families): a PIN or a device token instead of a password.
    ("/v1/auth/child-login", "POST"),
    ("/v1/auth/device-login", "POST"),
    ("/api/abc/hello", "POST"),
    # A story's public link (storyverse): its unguessable token is the credential.
    ("/v1/shared/stories/{token}", "GET"),
    # The contract and its reference pages: the same for everyone, holding no tenant data.
    ("/v1/openapi.json", "GET"),
    ("/v2/openapi.json", "GET"),
    ("/docs", "GET"),
    ("/docs/errors", "GET"),
    ("/graphql", "GET"),
    ("/docs/versions", "GET"),
    ("/docs/assets/{name}", "GET"),
}

CUSTOMER_ROUTES = [
    ("GET", "/v1/customers/{id}", None),
    ("PUT", "/v1/customers/{id}", {"name": "Hijacked"}),
    ("PATCH", "/v1/customers/{id}", {"name": "Hijacked"}),
    ("DELETE", "/v1/customers/{id}", None),
    ("GET", "/v1/customers/{id}/notes", None),
    ("POST", "/v1/customers/{id}/notes", {"body": "planted"}),
    ("GET", "/v1/customers/{id}/activities", None),
    ("POST", "/v1/customers/{id}/activities", {"type": "call", "subject": "planted"}),
]


def test_every_route_but_the_public_ones_requires_the_authorizer_and_a_permission():
    for path, methods in app.routes.items():
        for method, entry in methods.items():
            if (path, method) in PUBLIC_ROUTES:
                continue
            assert entry.authorizer is not None, f"{method} {path} has no authorizer"
            assert entry.authorizer.name == "jwt_authorizer"
            assert getattr(entry.view_function, "permission", None) is not None, f"{method} {path} declares no permission"


def test_the_hello_route_requires_an_api_key_in_aws():
    assert app.routes["/api/abc/hello"]["POST"].api_key_required


@pytest.mark.parametrize("method, template, body", CUSTOMER_ROUTES)
def test_another_organizations_customer_is_404_on_every_route(api, login_as, owner, customer, method, template, body):
    intruder = login_as("owner")
    path = template.format(id=customer["id"])
    reply = api.call(method, path, body, as_=intruder, headers={"If-Match": '"1"'})
    assert reply.status == 404, f"{method} {path}"
    assert reply.header("content-type") == "application/problem+json"
    untouched = api.get(f"/v1/customers/{customer['id']}", as_=owner)
    assert untouched.status == 200 and untouched.json == customer
    assert api.get(f"/v1/customers/{customer['id']}/notes", as_=owner).json["items"] == []
    assert api.get(f"/v1/customers/{customer['id']}/activities", as_=owner).json["items"] == []


def test_lists_show_only_the_callers_organization(api, login_as, owner, customer):
    intruder = login_as("owner")
    api.post("/v1/customers", {"name": "Intruder's own"}, as_=intruder)
    assert [item["name"] for item in api.get("/v1/customers", as_=intruder).json["items"]] == ["Intruder's own"]
    assert [item["id"] for item in api.get("/v1/customers", as_=owner).json["items"]] == [customer["id"]]


def test_a_cursor_cannot_reach_into_another_organization(api, login_as, owner):
    for index in range(3):
        api.post("/v1/customers", {"name": f"Secret {index}"}, as_=owner)
    cursor = api.get("/v1/customers?limit=1", as_=owner).json["next_cursor"]
    intruder = login_as("owner")
    reply = api.get(f"/v1/customers?cursor={cursor}", as_=intruder)
    assert reply.status == 200
    assert reply.json["items"] == []


def test_the_organization_in_a_body_is_ignored(api, login_as, owner):
    intruder = login_as("owner")
    reply = api.post("/v1/customers", {"name": "Smuggled", "org_id": owner.org_id}, as_=intruder)
    assert reply.status == 422
    assert api.get("/v1/customers", as_=owner).json["items"] == []


WRITES = [
    ("POST", "/v1/customers", {"name": "New"}),
    ("PUT", "/v1/customers/{id}", {"name": "Changed"}),
    ("PATCH", "/v1/customers/{id}", {"name": "Changed"}),
    ("DELETE", "/v1/customers/{id}", None),
    ("POST", "/v1/customers/{id}/notes", {"body": "note"}),
    ("POST", "/v1/customers/{id}/activities", {"type": "call", "subject": "call"}),
]
READS = [
    ("GET", "/v1/customers", None),
    ("GET", "/v1/customers/{id}", None),
    ("GET", "/v1/customers/{id}/notes", None),
    ("GET", "/v1/customers/{id}/activities", None),
]


@pytest.mark.parametrize("role", ["owner", "admin", "member", "viewer"])
@pytest.mark.parametrize("method, template, body", WRITES + READS)
def test_role_permissions(api, login_as, owner, customer, role, method, template, body):
    caller = owner if role == "owner" else login_as(role, org_of=owner)
    reply = api.call(method, template.format(id=customer["id"]), body, as_=caller, headers={"If-Match": '"1"'})
    allowed = method == "GET" or role != "viewer"
    if allowed:
        assert reply.status < 300, (role, method, template, reply.body)
    else:
        assert reply.status == 403, (role, method, template)
        assert reply.header("content-type") == "application/problem+json"
        assert api.get(f"/v1/customers/{customer['id']}", as_=owner).json == customer


def test_viewer_can_still_log_out(api, login_as, owner):
    viewer = login_as("viewer", org_of=owner)
    assert api.post("/v1/auth/logout", as_=viewer).status == 204
