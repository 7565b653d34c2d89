"""Opportunities: CRUD, filters (== brute force), counters, tenant isolation, roles, audit, batch."""
from __future__ import annotations

import itertools

import pytest

from chalicelib.platform.tables.counters import counters_with_prefix

from tests.conftest import add_users

BASE = {"name": "Big deal", "amount": 1000, "close_date": "2026-03-15"}


def history(api, caller, target_id):
    reply = api.get(f"/v1/audit-logs?target_type=opportunity&target_id={target_id}", as_=caller)
    assert reply.status == 200, reply.body
    return reply.json["items"]


def create(api, caller, **fields):
    reply = api.post("/v1/opportunities", {**BASE, **fields}, as_=caller)
    assert reply.status == 201, reply.body
    return reply.json


@pytest.fixture
def opportunity(api, owner):
    return create(api, owner)


def stage_counts(org_id):
    return {stage: value for stage, value in counters_with_prefix(org_id, "opportunities_stage").items() if value}


def test_create_starts_at_lead_with_the_orgs_probability_and_currency(api, owner, customer):
    reply = api.post("/v1/opportunities", {**BASE, "customer_id": customer["id"]}, as_=owner)
    assert reply.status == 201
    item = reply.json
    assert reply.header("location") == f"/v1/opportunities/{item['id']}"
    assert reply.header("etag") == '"1"'
    assert item["stage"] == "lead" and item["probability"] == 10
    assert item["currency"] == "USD" and item["owner"] == owner.user_id
    assert item["customer_id"] == customer["id"]
    assert [(h["from_stage"], h["to_stage"]) for h in item["stage_history"]] == [(None, "lead")]
    assert set(item) == {"id", "name", "amount", "currency", "customer_id", "close_date", "owner", "stage",
                         "probability", "stage_history", "created_at", "updated_at", "version"}
    fetched = api.get(f"/v1/opportunities/{item['id']}", as_=owner)
    assert fetched.status == 200 and fetched.json == item and fetched.header("etag") == '"1"'
    assert stage_counts(owner.org_id) == {"lead": 1}


@pytest.mark.parametrize(
    "body, field",
    [
        ({**BASE, "stage": "qualified"}, "stage"),
        ({**BASE, "probability": 90}, "probability"),
        ({"amount": 5, "close_date": "2026-01-01"}, "name"),
        ({**BASE, "amount": -1}, "amount"),
        ({**BASE, "amount": "lots"}, "amount"),
        ({**BASE, "amount": 1e-200}, "amount"),  # no magnitude under 1e-130 (core.documents.NUMBER_LIMITS)
        ({**BASE, "close_date": "2026-02-30"}, "close_date"),
        ({**BASE, "close_date": "soon"}, "close_date"),
        ({**BASE, "currency": "usd"}, "currency"),
        ({**BASE, "customer_id": "01ARZ3NDEKTSV4RRFFQ69G5FAV"}, "customer_id"),
    ],
)
def test_invalid_bodies_are_422_naming_the_field(api, owner, body, field):
    reply = api.post("/v1/opportunities", body, as_=owner)
    assert reply.status == 422, reply.body
    assert field in [error["field"] for error in reply.json["errors"]]
    assert stage_counts(owner.org_id) == {}


def test_stage_lead_may_be_stated(api, owner):
    assert api.post("/v1/opportunities", {**BASE, "stage": "lead"}, as_=owner).json["stage"] == "lead"


def test_put_patch_delete_restore(api, owner, opportunity):
    path = f"/v1/opportunities/{opportunity['id']}"
    assert api.put(path, {"name": "Renamed", "amount": 10, "close_date": "2026-04-01"}, as_=owner).status == 428
    put = api.put(path, {"name": "Renamed", "amount": 10, "close_date": "2026-04-01", "currency": "EUR"},
                  as_=owner, headers={"If-Match": '"1"'})
    assert put.status == 200 and put.json["name"] == "Renamed" and put.json["currency"] == "EUR"
    assert put.json["stage"] == "lead" and put.header("etag") == '"2"'
    assert api.patch(path, {"amount": 20}, as_=owner, headers={"If-Match": '"1"'}).status == 412
    add_users(owner.org_id, "user-9")
    patched = api.patch(path, {"amount": 20.5, "owner": "user-9"}, as_=owner,
                        headers={"Content-Type": "application/merge-patch+json"})
    assert patched.status == 200 and patched.json["amount"] == 20.5 and patched.json["owner"] == "user-9"
    assert api.patch(path, {"stage": "qualified"}, as_=owner).status == 422
    assert api.patch(path, {}, as_=owner).status == 422
    assert api.delete(path, as_=owner, headers={"If-Match": '"1"'}).status == 412
    assert api.delete(path, as_=owner).status == 204
    assert api.get(path, as_=owner).status == 404
    assert stage_counts(owner.org_id) == {}
    assert opportunity["id"] not in [item["id"] for item in api.get("/v1/opportunities", as_=owner).json["items"]]
    restored = api.post(f"{path}/restore", as_=owner)
    assert restored.status == 200 and restored.json["name"] == "Renamed"
    assert api.post(f"{path}/restore", as_=owner).status == 409
    assert stage_counts(owner.org_id) == {"lead": 1}
    actions = [entry["action"] for entry in history(api, owner, opportunity["id"])]
    assert actions == ["restored", "deleted", "updated", "updated", "created"]
    assert history(api, owner, opportunity["id"])[2]["changes"]["amount"] == {"from": 10, "to": 20.5}


def test_missing_opportunity_is_404(api, owner):
    reply = api.get("/v1/opportunities/01ARZ3NDEKTSV4RRFFQ69G5FAV", as_=owner)
    assert reply.status == 404 and reply.header("content-type") == "application/problem+json"


def test_list_pages_through_every_opportunity_once(api, owner):
    created = [create(api, owner, name=f"O{i}")["id"] for i in range(5)]
    seen, cursor = [], None
    while True:
        reply = api.get("/v1/opportunities?limit=2" + (f"&cursor={cursor}" if cursor else ""), as_=owner)
        assert reply.status == 200
        seen += [item["id"] for item in reply.json["items"]]
        cursor = reply.json["next_cursor"]
        if cursor is None:
            break
    assert seen == created


@pytest.mark.parametrize("query", ["colour=red", "stage=won", "close_from=2026-13-01", "limit=0", "cursor=zz"])
def test_bad_list_parameters_are_400(api, owner, query):
    assert api.get(f"/v1/opportunities?{query}", as_=owner).status == 400


def test_filters_equal_a_brute_force_filter(api, owner, customer):
    add_users(owner.org_id, "u1", "u2")
    other_customer = api.post("/v1/customers", {"name": "Other"}, as_=owner).json["id"]
    records = []
    for index, (customer_id, owner_id, close) in enumerate(
        itertools.product([customer["id"], other_customer, None], ["u1", "u2"], ["2026-01-10", "2026-02-20", "2026-03-30"])
    ):
        item = create(api, owner, name=f"O{index}", customer_id=customer_id, owner=owner_id, close_date=close)
        if index % 3 == 0:
            item = api.put(f"/v1/opportunities/{item['id']}/stage", {"stage": "qualified"}, as_=owner).json
        if index % 7 == 0:
            assert api.delete(f"/v1/opportunities/{item['id']}", as_=owner).status == 204
            continue
        records.append(item)
    queries = [
        {"stage": "qualified"},
        {"stage": "lead", "close_from": "2026-02-01"},
        {"stage": "lead", "close_from": "2026-01-01", "close_to": "2026-02-28", "owner": "u1"},
        {"customer_id": customer["id"]},
        {"customer_id": other_customer, "owner": "u2", "close_to": "2026-02-20"},
        {"owner": "u1"},
        {"owner": "u2", "close_from": "2026-03-01"},
        {"close_from": "2026-02-20", "close_to": "2026-02-20"},
        {},
    ]
    for query in queries:
        expected = sorted(
            item["id"] for item in records
            if item["stage"] == query.get("stage", item["stage"])
            and item["owner"] == query.get("owner", item["owner"])
            and item["customer_id"] == query.get("customer_id", item["customer_id"])
            and query.get("close_from", "0") <= item["close_date"] <= query.get("close_to", "9")
        )
        found, cursor = [], None
        while True:
            params = "&".join([f"{k}={v}" for k, v in query.items()] + ["limit=4"] + ([f"cursor={cursor}"] if cursor else []))
            reply = api.get(f"/v1/opportunities?{params}", as_=owner)
            assert reply.status == 200, (query, reply.body)
            found += [item["id"] for item in reply.json["items"]]
            cursor = reply.json["next_cursor"]
            if not cursor:
                break
        assert sorted(found) == expected, query
        assert len(found) == len(set(found))


ROUTES = [
    ("GET", "/v1/opportunities/{id}", None),
    ("PUT", "/v1/opportunities/{id}", {**BASE, "name": "Hijacked"}),
    ("PATCH", "/v1/opportunities/{id}", {"name": "Hijacked"}),
    ("DELETE", "/v1/opportunities/{id}", None),
    ("POST", "/v1/opportunities/{id}/restore", None),
    ("PUT", "/v1/opportunities/{id}/stage", {"stage": "qualified"}),
]


@pytest.mark.parametrize("method, template, body", ROUTES)
def test_another_organizations_opportunity_is_404_on_every_route(api, login_as, owner, opportunity, method, template, body):
    intruder = login_as("owner")
    reply = api.call(method, template.format(id=opportunity["id"]), body, as_=intruder, headers={"If-Match": '"1"'})
    assert reply.status == 404, (method, template, reply.body)
    assert api.get(f"/v1/opportunities/{opportunity['id']}", as_=owner).json == opportunity
    assert api.get("/v1/opportunities", as_=intruder).json["items"] == []


def test_another_organizations_customer_cannot_be_linked(api, login_as, customer):
    intruder = login_as("owner")
    reply = api.post("/v1/opportunities", {**BASE, "customer_id": customer["id"]}, as_=intruder)
    assert reply.status == 422
    assert api.get(f"/v1/opportunities?customer_id={customer['id']}", as_=intruder).json["items"] == []


WRITES = [
    ("POST", "/v1/opportunities", BASE),
    ("POST", "/v1/opportunities/batch", {"items": [BASE]}),
    ("PUT", "/v1/opportunities/{id}", BASE),
    ("PATCH", "/v1/opportunities/{id}", {"name": "Changed"}),
    ("PUT", "/v1/opportunities/{id}/stage", {"stage": "qualified"}),
    ("DELETE", "/v1/opportunities/{id}", None),
]
READS = [("GET", "/v1/opportunities", None), ("GET", "/v1/opportunities/{id}", None)]


@pytest.mark.parametrize("role", ["admin", "member", "viewer"])
@pytest.mark.parametrize("method, template, body", WRITES + READS)
def test_role_permissions(api, login_as, owner, opportunity, role, method, template, body):
    caller = login_as(role, org_of=owner)
    reply = api.call(method, template.format(id=opportunity["id"]), body, as_=caller, headers={"If-Match": '"1"'})
    if method == "GET" or role != "viewer":
        assert reply.status < 300, (role, method, template, reply.body)
    else:
        assert reply.status == 403
        assert api.get(f"/v1/opportunities/{opportunity['id']}", as_=owner).json == opportunity


def test_batch_answers_in_order_and_one_bad_item_fails_alone(api, owner):
    reply = api.post("/v1/opportunities/batch", {"items": [BASE, {**BASE, "stage": "proposal"}, {**BASE, "name": "Two"}]},
                     as_=owner)
    assert reply.status == 200
    results = reply.json["results"]
    assert [result["status"] for result in results] == [201, 422, 201]
    assert "error" in results[1] and all("id" in results[i] for i in (0, 2))
    assert stage_counts(owner.org_id) == {"lead": 2}
    assert len(history(api, owner, results[0]["id"])) == 1
    assert api.post("/v1/opportunities/batch", {"items": [BASE] * 101}, as_=owner).status == 422


def test_probability_follows_the_organizations_settings(api, owner):
    from chalicelib.platform.tables.org_settings import OrgSettingsModel

    OrgSettingsModel(owner.org_id, currency="EUR", stage_probabilities={"lead": 5, "qualified": 33}).save()
    item = create(api, owner)
    assert item["probability"] == 5 and item["currency"] == "EUR"
    moved = api.put(f"/v1/opportunities/{item['id']}/stage", {"stage": "qualified"}, as_=owner).json
    assert moved["probability"] == 33
