"""Companies: CRUD, tenancy, roles, audit, batch, search filters, a company's contacts."""
from __future__ import annotations

import pytest


def history(api, caller, target_type, target_id):
    reply = api.get(f"/v1/audit-logs?target_type={target_type}&target_id={target_id}", as_=caller)
    assert reply.status == 200, reply.body
    return [entry["action"] for entry in reply.json["items"]]


@pytest.fixture
def company(api, owner):
    reply = api.post("/v1/companies", {"name": "Initech", "domain": "initech.example", "industry": "Software",
                                       "tags": ["Enterprise"]}, as_=owner)
    assert reply.status == 201, reply.body
    return reply.json


def test_company_crud_and_audit(api, owner, company):
    path = f"/v1/companies/{company['id']}"
    assert company["status"] == "active" and company["tags"] == ["enterprise"] and company["owner"] == owner.user_id
    assert api.get(path, as_=owner).json == company
    replaced = api.put(path, {"name": "Initrode", "status": "inactive"}, as_=owner, headers={"If-Match": '"1"'})
    assert replaced.status == 200 and replaced.json["domain"] is None and replaced.json["status"] == "inactive"
    patched = api.patch(path, {"industry": "Printers"}, as_=owner, headers={"If-Match": '"2"'})
    assert patched.status == 200 and patched.json["name"] == "Initrode" and patched.json["industry"] == "Printers"
    assert api.patch(path, {"industry": "Stale"}, as_=owner, headers={"If-Match": '"1"'}).status == 412
    assert api.delete(path, as_=owner).status == 204
    assert api.get(path, as_=owner).status == 404
    assert api.post(f"{path}/restore", as_=owner).status == 200
    assert history(api, owner, "company", company["id"]) == ["restored", "deleted", "updated", "updated", "created"]


@pytest.mark.parametrize("body, field", [({}, "name"), ({"name": "X", "domain": "not a domain"}, "domain"),
                                         ({"name": "X", "status": "gone"}, "status"), ({"name": "X", "email": "a@b.c"}, "email")])
def test_invalid_companies_are_422(api, owner, body, field):
    reply = api.post("/v1/companies", body, as_=owner)
    assert reply.status == 422 and field in [error["field"] for error in reply.json["errors"]]


def test_search_filters_and_no_email_prefix(api, owner):
    made = {}
    for name, status, tags in [("Acme", "active", ["a"]), ("Acorn", "inactive", ["a", "b"]), ("Zeta", "active", ["b"])]:
        made[name] = api.post("/v1/companies", {"name": name, "status": status, "tags": tags}, as_=owner).json["id"]

    def names(query):
        reply = api.get(f"/v1/companies?{query}", as_=owner)
        assert reply.status == 200, reply.body
        return [item["name"] for item in reply.json["items"]]

    assert names("name_prefix=ac") == ["Acme", "Acorn"]
    assert names("status=active") == ["Acme", "Zeta"]
    assert names("tag=b") == ["Acorn", "Zeta"]
    assert names("tag=a&status=inactive") == ["Acorn"]
    assert names("sort=-name") == ["Zeta", "Acorn", "Acme"]
    assert api.get("/v1/companies?email_prefix=a", as_=owner).status == 400


def test_batch(api, owner):
    results = api.post("/v1/companies/batch", {"items": [{"name": "One"}, {"name": ""}]}, as_=owner).json["results"]
    assert [result["status"] for result in results] == [201, 422]


def test_company_contacts_are_one_query_on_by_company(api, owner, company):
    other = api.post("/v1/companies", {"name": "Other"}, as_=owner).json
    ids = [api.post("/v1/contacts", {"name": f"P{i}", "company_id": company["id"]}, as_=owner).json["id"] for i in range(3)]
    api.post("/v1/contacts", {"name": "Elsewhere", "company_id": other["id"]}, as_=owner)
    api.post("/v1/contacts", {"name": "Nowhere"}, as_=owner)
    first = api.get(f"/v1/companies/{company['id']}/contacts?limit=2", as_=owner).json
    rest = api.get(f"/v1/companies/{company['id']}/contacts?limit=2&cursor={first['next_cursor']}", as_=owner).json
    assert [item["id"] for item in first["items"] + rest["items"]] == ids
    api.delete(f"/v1/contacts/{ids[1]}", as_=owner)
    assert [item["id"] for item in api.get(f"/v1/companies/{company['id']}/contacts", as_=owner).json["items"]] == [ids[0], ids[2]]
    assert api.get("/v1/companies/01ARZ3NDEKTSV4RRFFQ69G5FAV/contacts", as_=owner).status == 404


ROUTES = [
    ("GET", "/v1/companies/{id}", None),
    ("PUT", "/v1/companies/{id}", {"name": "Hijacked"}),
    ("PATCH", "/v1/companies/{id}", {"name": "Hijacked"}),
    ("DELETE", "/v1/companies/{id}", None),
    ("POST", "/v1/companies/{id}/restore", None),
    ("GET", "/v1/companies/{id}/contacts", None),
]


def test_another_organizations_company_is_404_on_every_route(api, login_as, owner, company):
    intruder = login_as("owner")
    for method, template, body in ROUTES:
        reply = api.call(method, template.format(id=company["id"]), body, as_=intruder, headers={"If-Match": '"1"'})
        assert reply.status == 404, (method, template, reply.status)
    # Nor can the intruder attach a contact to it.
    reply = api.post("/v1/contacts", {"name": "Spy", "company_id": company["id"]}, as_=intruder)
    assert reply.status == 422 and reply.json["errors"][0]["field"] == "company_id"
    assert api.get("/v1/companies", as_=intruder).json["items"] == []
    assert api.get(f"/v1/companies/{company['id']}", as_=owner).json == company


def test_viewers_read_but_cannot_write(api, login_as, owner, company):
    viewer = login_as("viewer", org_of=owner)
    assert api.get("/v1/companies", as_=viewer).status == 200
    assert api.get(f"/v1/companies/{company['id']}/contacts", as_=viewer).status == 200
    writes = [("POST", "/v1/companies", {"name": "New"}), ("POST", "/v1/companies/batch", {"items": [{"name": "B"}]}),
              *[(method, template, body) for method, template, body in ROUTES if method != "GET"]]
    for method, template, body in writes:
        reply = api.call(method, template.format(id=company["id"]), body, as_=viewer, headers={"If-Match": '"1"'})
        assert reply.status == 403, (method, template)
    assert api.get(f"/v1/companies/{company['id']}", as_=owner).json == company
