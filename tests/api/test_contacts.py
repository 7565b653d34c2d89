"""Contacts: CRUD, the company they belong to, tenancy, roles, audit, batch, search == brute force."""
from __future__ import annotations

import pytest

from tests.api.test_customer_search import assert_search_matches_brute_force, seed_people


def history(api, caller, target_type, target_id):
    reply = api.get(f"/v1/audit-logs?target_type={target_type}&target_id={target_id}", as_=caller)
    assert reply.status == 200, reply.body
    return [entry["action"] for entry in reply.json["items"]]


@pytest.fixture
def company(api, owner):
    return api.post("/v1/companies", {"name": "Initech"}, as_=owner).json


@pytest.fixture
def contact(api, owner, company):
    reply = api.post("/v1/contacts", {"name": "Peter Gibbons", "email": "peter@initech.example", "title": "Engineer",
                                      "company_id": company["id"]}, as_=owner)
    assert reply.status == 201, reply.body
    return reply.json


def test_contact_crud_and_audit(api, owner, company, contact):
    path = f"/v1/contacts/{contact['id']}"
    assert contact["company_id"] == company["id"] and contact["status"] == "active"
    assert api.get(path, as_=owner).json == contact
    replaced = api.put(path, {"name": "Peter G."}, as_=owner, headers={"If-Match": '"1"'})
    assert replaced.status == 200 and replaced.json["company_id"] is None and replaced.json["email"] is None
    patched = api.patch(path, {"company_id": company["id"], "title": "Boss"}, as_=owner, headers={"If-Match": '"2"'})
    assert patched.status == 200 and patched.json["company_id"] == company["id"]
    assert api.delete(path, as_=owner, headers={"If-Match": '"1"'}).status == 412
    assert api.delete(path, as_=owner, headers={"If-Match": '"3"'}).status == 204
    assert api.get(path, as_=owner).status == 404
    assert api.post(f"{path}/restore", as_=owner).status == 200
    assert history(api, owner, "contact", contact["id"]) == ["restored", "deleted", "updated", "updated", "created"]


def test_company_must_be_live_in_the_tenant(api, owner, company, contact):
    missing = api.post("/v1/contacts", {"name": "Ghost", "company_id": "01ARZ3NDEKTSV4RRFFQ69G5FAV"}, as_=owner)
    assert missing.status == 422 and missing.json["errors"][0]["field"] == "company_id"
    api.delete(f"/v1/companies/{company['id']}", as_=owner)
    assert api.post("/v1/contacts", {"name": "Late", "company_id": company["id"]}, as_=owner).status == 422
    moved = api.patch(f"/v1/contacts/{contact['id']}", {"company_id": "01ARZ3NDEKTSV4RRFFQ69G5FAV"}, as_=owner)
    assert moved.status == 422
    # Keeping the (now deleted) company while changing something else is fine.
    assert api.patch(f"/v1/contacts/{contact['id']}", {"title": "Ex-engineer"}, as_=owner).status == 200
    assert history(api, owner, "contact", contact["id"]) == ["updated", "created"]


def test_batch(api, owner, company):
    body = {"items": [{"name": "A", "company_id": company["id"]}, {"name": "B", "company_id": "nope"}, {"name": "C"}]}
    results = api.post("/v1/contacts/batch", body, as_=owner).json["results"]
    assert [result["status"] for result in results] == [201, 422, 201]


def test_search_matches_brute_force(api, owner):
    people = seed_people(api, owner, "/v1/contacts", statuses=["active", "inactive"])
    assert_search_matches_brute_force(api, owner, "/v1/contacts", people)


ROUTES = [
    ("GET", "/v1/contacts/{id}", None),
    ("PUT", "/v1/contacts/{id}", {"name": "Hijacked"}),
    ("PATCH", "/v1/contacts/{id}", {"name": "Hijacked"}),
    ("DELETE", "/v1/contacts/{id}", None),
    ("POST", "/v1/contacts/{id}/restore", None),
]


def test_another_organizations_contact_is_404_on_every_route(api, login_as, owner, contact):
    intruder = login_as("owner")
    for method, template, body in ROUTES:
        reply = api.call(method, template.format(id=contact["id"]), body, as_=intruder, headers={"If-Match": '"1"'})
        assert reply.status == 404, (method, template, reply.status)
    assert api.get("/v1/contacts", as_=intruder).json["items"] == []
    assert api.get(f"/v1/contacts/{contact['id']}", as_=owner).json == contact


def test_viewers_read_but_cannot_write(api, login_as, owner, contact):
    viewer = login_as("viewer", org_of=owner)
    assert api.get("/v1/contacts", as_=viewer).status == 200
    writes = [("POST", "/v1/contacts", {"name": "New"}), ("POST", "/v1/contacts/batch", {"items": [{"name": "B"}]}),
              *[(method, template, body) for method, template, body in ROUTES if method != "GET"]]
    for method, template, body in writes:
        reply = api.call(method, template.format(id=contact["id"]), body, as_=viewer, headers={"If-Match": '"1"'})
        assert reply.status == 403, (method, template)
    assert api.get(f"/v1/contacts/{contact['id']}", as_=owner).json == contact
