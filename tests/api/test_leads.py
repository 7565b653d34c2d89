"""Leads: CRUD, tenancy, roles, audit, batch, the leads_created counter and conversion."""
from __future__ import annotations

import pytest

from chalicelib.core import clock
from chalicelib.crm.sales_pipeline.tables.opportunities import OpportunityModel
from chalicelib.platform.tables.counters import counters_with_prefix

MISSING = "01ARZ3NDEKTSV4RRFFQ69G5FAV"


def history(api, caller, target_type, target_id):
    reply = api.get(f"/v1/audit-logs?target_type={target_type}&target_id={target_id}", as_=caller)
    assert reply.status == 200, reply.body
    return [entry["action"] for entry in reply.json["items"]]


@pytest.fixture
def lead(api, owner):
    reply = api.post("/v1/leads", {"name": "Alan Turing", "email": "alan@example.com", "company": "Bletchley",
                                   "source": "web", "tags": ["Hot"]}, as_=owner)
    assert reply.status == 201, reply.body
    return reply.json


def test_lead_crud_and_audit(api, owner, lead):
    path = f"/v1/leads/{lead['id']}"
    assert lead["status"] == "new" and lead["owner"] == owner.user_id and lead["tags"] == ["hot"]
    assert lead["converted_customer_id"] is None
    fetched = api.get(path, as_=owner)
    assert fetched.status == 200 and fetched.json == lead and fetched.header("etag") == '"1"'
    assert api.put(path, {"name": "No If-Match"}, as_=owner).status == 428
    replaced = api.put(path, {"name": "A. M. Turing", "status": "contacted"}, as_=owner, headers={"If-Match": '"1"'})
    assert replaced.status == 200 and replaced.json["email"] is None and replaced.json["version"] == 2
    patched = api.patch(path, {"status": "qualified", "phone": "+44 1234"}, as_=owner, headers={"If-Match": '"2"'})
    assert patched.status == 200 and patched.json["status"] == "qualified" and patched.json["name"] == "A. M. Turing"
    assert api.patch(path, {"name": "Stale"}, as_=owner, headers={"If-Match": '"1"'}).status == 412
    assert [item["id"] for item in api.get("/v1/leads", as_=owner).json["items"]] == [lead["id"]]
    assert api.delete(path, as_=owner).status == 204
    assert api.get(path, as_=owner).status == 404
    assert api.get("/v1/leads", as_=owner).json["items"] == []
    restored = api.post(f"{path}/restore", as_=owner)
    assert restored.status == 200 and restored.json["version"] == 5
    assert api.post(f"{path}/restore", as_=owner).status == 409
    assert history(api, owner, "lead", lead["id"]) == ["restored", "deleted", "updated", "updated", "created"]


@pytest.mark.parametrize(
    "body, field",
    [({}, "name"), ({"name": "X", "status": "converted"}, "status"), ({"name": "X", "status": "won"}, "status"),
     ({"name": "X", "email": "nope"}, "email"), ({"name": "X", "org_id": "other"}, "org_id")],
)
def test_invalid_leads_are_422_naming_the_field(api, owner, body, field):
    reply = api.post("/v1/leads", body, as_=owner)
    assert reply.status == 422
    assert field in [error["field"] for error in reply.json["errors"]]


def test_creation_counts_leads_per_day(api, owner):
    for name in ("One", "Two"):
        assert api.post("/v1/leads", {"name": name}, as_=owner).status == 201
    today = clock.now().date().isoformat()
    assert counters_with_prefix(owner.org_id, "leads_created") == {today: 2}


def test_batch_creates_each_item_alone(api, owner):
    reply = api.post("/v1/leads/batch", {"items": [{"name": "Good"}, {"email": "no-name@example.com"}, {"name": "Also good"}]},
                     as_=owner)
    assert reply.status == 200
    results = reply.json["results"]
    assert [result["status"] for result in results] == [201, 422, 201]
    assert "error" in results[1] and "id" in results[0]
    listed = [item["id"] for item in api.get("/v1/leads", as_=owner).json["items"]]
    assert listed == [results[0]["id"], results[2]["id"]]
    assert api.post("/v1/leads/batch", {"items": [{"name": str(i)} for i in range(101)]}, as_=owner).status == 422


def test_convert_creates_customer_and_contact_in_one_go(api, owner, lead):
    reply = api.post(f"/v1/leads/{lead['id']}/convert", {}, as_=owner)
    assert reply.status == 201, reply.body
    result = reply.json
    assert set(result) == {"lead_id", "customer_id", "contact_id", "company_id"}
    assert reply.header("location") == f"/v1/customers/{result['customer_id']}"
    customer = api.get(f"/v1/customers/{result['customer_id']}", as_=owner).json
    assert (customer["name"], customer["email"], customer["company"], customer["tags"]) == (
        "Alan Turing", "alan@example.com", "Bletchley", ["hot"])
    contact = api.get(f"/v1/contacts/{result['contact_id']}", as_=owner).json
    assert contact["customer_id"] == result["customer_id"] and contact["email"] == "alan@example.com"
    converted = api.get(f"/v1/leads/{lead['id']}", as_=owner).json
    assert converted["status"] == "converted" and converted["converted_customer_id"] == result["customer_id"]
    assert converted["converted_contact_id"] == result["contact_id"] and converted["converted_opportunity_id"] is None
    assert history(api, owner, "lead", lead["id"]) == ["converted", "created"]
    assert history(api, owner, "customer", result["customer_id"]) == ["created"]
    assert history(api, owner, "contact", result["contact_id"]) == ["created"]
    today = clock.now().date().isoformat()
    assert counters_with_prefix(owner.org_id, "leads_converted") == {today: 1}
    assert counters_with_prefix(owner.org_id, "opportunities_stage") == {}


def test_convert_with_an_opportunity(api, owner, lead):
    body = {"create_opportunity": True, "opportunity_name": "Bombe", "amount": 1200.5}
    result = api.post(f"/v1/leads/{lead['id']}/convert", body, as_=owner).json
    opportunity = OpportunityModel.get(owner.org_id, result["opportunity_id"])
    assert (opportunity.name, float(opportunity.amount), opportunity.stage, int(opportunity.probability)) == (
        "Bombe", 1200.5, "lead", 10)
    assert opportunity.customer_id == result["customer_id"] and opportunity.currency == "USD"
    assert opportunity.owner == owner.user_id and len(opportunity.stage_history) == 1
    assert history(api, owner, "opportunity", result["opportunity_id"]) == ["created"]
    assert counters_with_prefix(owner.org_id, "opportunities_stage") == {"lead": 1}
    assert api.get(f"/v1/leads/{lead['id']}", as_=owner).json["converted_opportunity_id"] == result["opportunity_id"]


def test_converting_twice_is_409_and_creates_nothing_more(api, owner, lead):
    assert api.post(f"/v1/leads/{lead['id']}/convert", {}, as_=owner).status == 201
    again = api.post(f"/v1/leads/{lead['id']}/convert", {"create_opportunity": True, "opportunity_name": "X", "amount": 1},
                     as_=owner)
    assert again.status == 409
    assert len(api.get("/v1/customers", as_=owner).json["items"]) == 1
    assert len(api.get("/v1/contacts", as_=owner).json["items"]) == 1
    # A converted lead is history: edit the customer it became.
    assert api.patch(f"/v1/leads/{lead['id']}", {"status": "new"}, as_=owner).status == 409


def test_concurrent_conversion_is_decided_by_the_transaction(api, owner, lead, monkeypatch):
    from chalicelib.crm.contact_management.tables import leads as lead_data

    before = lead_data.leads.get(owner.org_id, lead["id"])
    assert api.post(f"/v1/leads/{lead['id']}/convert", {}, as_=owner).status == 201
    # The second request read the lead before the first committed.
    monkeypatch.setattr(lead_data.leads, "get", lambda *args, **kwargs: before)
    assert api.post(f"/v1/leads/{lead['id']}/convert", {}, as_=owner).status == 409
    monkeypatch.undo()
    assert len(api.get("/v1/customers", as_=owner).json["items"]) == 1
    assert counters_with_prefix(owner.org_id, "leads_converted") == {clock.now().date().isoformat(): 1}


@pytest.mark.parametrize(
    "body, field",
    [({"create_opportunity": True, "amount": 5}, "opportunity_name"),
     ({"create_opportunity": True, "opportunity_name": "X"}, "amount"),
     ({"create_opportunity": True, "opportunity_name": "X", "amount": -1}, "amount"),
     ({"create_opportunity": True, "opportunity_name": "X", "amount": 1, "close_date": "2026-02-30"}, "close_date"),
     ({"create_opportunity": "yes"}, "create_opportunity")],
)
def test_invalid_conversions_are_422(api, owner, lead, body, field):
    reply = api.post(f"/v1/leads/{lead['id']}/convert", body, as_=owner)
    assert reply.status == 422, reply.body
    assert field in [error["field"] for error in reply.json["errors"]]
    assert api.get(f"/v1/leads/{lead['id']}", as_=owner).json["status"] == "new"


def test_a_deleted_lead_cannot_be_converted(api, owner, lead):
    api.delete(f"/v1/leads/{lead['id']}", as_=owner)
    assert api.post(f"/v1/leads/{lead['id']}/convert", {}, as_=owner).status == 404


ROUTES = [
    ("GET", "/v1/leads/{id}", None),
    ("PUT", "/v1/leads/{id}", {"name": "Hijacked"}),
    ("PATCH", "/v1/leads/{id}", {"name": "Hijacked"}),
    ("DELETE", "/v1/leads/{id}", None),
    ("POST", "/v1/leads/{id}/restore", None),
    ("POST", "/v1/leads/{id}/convert", {}),
]


def test_another_organizations_lead_is_404_on_every_route(api, login_as, owner, lead):
    intruder = login_as("owner")
    for method, template, body in ROUTES:
        reply = api.call(method, template.format(id=lead["id"]), body, as_=intruder, headers={"If-Match": '"1"'})
        assert reply.status == 404, (method, template, reply.status)
    assert api.get("/v1/leads", as_=intruder).json["items"] == []
    assert api.get(f"/v1/leads/{lead['id']}", as_=owner).json == lead
    assert api.get(f"/v1/leads/{MISSING}", as_=owner).status == 404


def test_viewers_read_but_cannot_write(api, login_as, owner, lead):
    viewer = login_as("viewer", org_of=owner)
    assert api.get("/v1/leads", as_=viewer).status == 200
    assert api.get(f"/v1/leads/{lead['id']}", as_=viewer).status == 200
    writes = [("POST", "/v1/leads", {"name": "New"}), ("POST", "/v1/leads/batch", {"items": [{"name": "B"}]}),
              *[(method, template, body) for method, template, body in ROUTES if method != "GET"]]
    for method, template, body in writes:
        reply = api.call(method, template.format(id=lead["id"]), body, as_=viewer, headers={"If-Match": '"1"'})
        assert reply.status == 403, (method, template)
    assert api.get(f"/v1/leads/{lead['id']}", as_=owner).json == lead
    member = login_as("member", org_of=owner)
    assert api.post(f"/v1/leads/{lead['id']}/convert", {}, as_=member).status == 201
