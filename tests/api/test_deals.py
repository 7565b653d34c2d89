"""Deals: CRUD, pricing from the catalogue, status rules, customer's deals, filters, tenancy, roles, audit, batch."""
from __future__ import annotations

import pytest

from tests.conftest import add_users


def history(api, caller, target_id):
    return api.get(f"/v1/audit-logs?target_type=deal&target_id={target_id}", as_=caller).json["items"]


@pytest.fixture
def product(api, owner):
    body = {"name": "Seat licence", "sku": "SEAT", "prices": [{"currency": "USD", "list_price": 120, "unit_price": 100},
                                                              {"currency": "EUR", "list_price": 110, "unit_price": 90}]}
    return api.post("/v1/products", body, as_=owner).json


@pytest.fixture
def deal(api, owner, customer, product):
    body = {"name": "Annual seats", "customer_id": customer["id"],
            "line_items": [{"product_id": product["id"], "quantity": 3},
                           {"description": "Onboarding", "quantity": 1, "unit_price": 250.5}]}
    reply = api.post("/v1/deals", body, as_=owner)
    assert reply.status == 201, reply.body
    return reply.json


def test_a_deal_prices_itself_from_the_catalogue(api, owner, deal, product, customer):
    assert deal["currency"] == "USD" and deal["status"] == "open" and deal["owner"] == owner.user_id
    assert deal["line_items"] == [
        {"product_id": product["id"], "description": "Seat licence", "quantity": 3, "unit_price": 100, "amount": 300},
        {"product_id": None, "description": "Onboarding", "quantity": 1, "unit_price": 250.5, "amount": 250.5},
    ]
    assert deal["total"] == 550.5
    fetched = api.get(f"/v1/deals/{deal['id']}", as_=owner)
    assert fetched.json == deal and fetched.header("etag") == '"1"'
    euro = api.patch(f"/v1/deals/{deal['id']}", {"currency": "EUR"}, as_=owner).json
    assert euro["line_items"][0]["unit_price"] == 90 and euro["total"] == 520.5


@pytest.mark.parametrize(
    "lines, field",
    [
        ([{"product_id": "01ARZ3NDEKTSV4RRFFQ69G5FAV", "quantity": 1}], "line_items[0].product_id"),
        ([{"description": "Free text", "quantity": 1}], "line_items[0].unit_price"),
        ([{"unit_price": 5, "quantity": 1}], "line_items[0].description"),
        ([{"description": "x", "unit_price": 5, "quantity": 0}], "line_items[0].quantity"),
    ],
)
def test_invalid_line_items_are_422(api, owner, customer, lines, field):
    reply = api.post("/v1/deals", {"name": "D", "customer_id": customer["id"], "line_items": lines}, as_=owner)
    assert reply.status == 422, reply.body
    assert field in [error["field"] for error in reply.json["errors"]]


def test_a_product_without_a_price_in_the_currency_needs_one(api, owner, customer, product):
    body = {"name": "D", "customer_id": customer["id"], "currency": "GBP", "line_items": [{"product_id": product["id"], "quantity": 1}]}
    assert api.post("/v1/deals", body, as_=owner).status == 422
    body["line_items"][0]["unit_price"] = 80
    assert api.post("/v1/deals", body, as_=owner).json["total"] == 80


@pytest.mark.parametrize("body, field", [({"name": "D"}, "customer_id"),
                                         ({"name": "D", "customer_id": "01ARZ3NDEKTSV4RRFFQ69G5FAV"}, "customer_id"),
                                         ({"name": "D", "customer_id": "{customer}", "total": 5}, "total"),
                                         ({"name": "D", "customer_id": "{customer}", "close_date": "2026-02-30"}, "close_date")])
def test_invalid_deals_are_422(api, owner, customer, body, field):
    body = {key: customer["id"] if value == "{customer}" else value for key, value in body.items()}
    reply = api.post("/v1/deals", body, as_=owner)
    assert reply.status == 422
    assert field in [error["field"] for error in reply.json["errors"]]


def test_the_opportunity_must_be_the_organizations(api, owner, login_as, customer):
    opportunity = api.post("/v1/opportunities", {"name": "O", "amount": 1, "close_date": "2026-01-01"}, as_=owner).json
    ok = api.post("/v1/deals", {"name": "D", "customer_id": customer["id"], "opportunity_id": opportunity["id"]}, as_=owner)
    assert ok.status == 201 and ok.json["opportunity_id"] == opportunity["id"]
    intruder = login_as("owner")
    theirs = api.post("/v1/customers", {"name": "Theirs"}, as_=intruder).json
    reply = api.post("/v1/deals", {"name": "D", "customer_id": theirs["id"], "opportunity_id": opportunity["id"]}, as_=intruder)
    assert reply.status == 422 and reply.json["errors"][0]["field"] == "opportunity_id"


def test_status_moves_from_open_only(api, owner, deal):
    path = f"/v1/deals/{deal['id']}"
    assert api.post("/v1/deals", {"name": "D", "customer_id": deal["customer_id"], "status": "won"}, as_=owner).status == 422
    assert api.patch(path, {"status": "won"}, as_=owner).json["status"] == "won"
    for status in ("open", "lost"):
        reply = api.patch(path, {"status": status}, as_=owner)
        assert reply.status == 409 and reply.header("content-type") == "application/problem+json"
    # A closed deal is read-only until reopened (test_links.py).
    assert api.patch(path, {"name": "Renamed"}, as_=owner).status == 409


def test_put_delete_restore_and_audit(api, owner, deal, customer):
    path = f"/v1/deals/{deal['id']}"
    assert api.put(path, {"name": "Replaced", "customer_id": customer["id"]}, as_=owner).status == 428
    put = api.put(path, {"name": "Replaced", "customer_id": customer["id"]}, as_=owner, headers={"If-Match": '"1"'})
    assert put.status == 200 and put.json["line_items"] == [] and put.json["total"] == 0
    assert api.patch(path, {"name": "Stale"}, as_=owner, headers={"If-Match": '"1"'}).status == 412
    assert api.delete(path, as_=owner).status == 204
    assert api.get(path, as_=owner).status == 404
    assert api.get(f"/v1/customers/{customer['id']}/deals", as_=owner).json["items"] == []
    assert api.post(f"{path}/restore", as_=owner).status == 200
    assert [entry["action"] for entry in history(api, owner, deal["id"])] == ["restored", "deleted", "updated", "created"]
    assert history(api, owner, deal["id"])[2]["changes"]["total"] == {"from": 550.5, "to": 0}


def test_customer_deals_and_filters_equal_brute_force(api, owner, customer):
    other = api.post("/v1/customers", {"name": "Other"}, as_=owner).json["id"]
    add_users(owner.org_id, "u0", "u1", "u2")
    records = []
    for index in range(9):
        body = {"name": f"D{index}", "customer_id": customer["id"] if index % 2 else other, "owner": f"u{index % 3}"}
        item = api.post("/v1/deals", body, as_=owner).json
        if index % 4 == 0:
            item = api.patch(f"/v1/deals/{item['id']}", {"status": "won"}, as_=owner).json
        if index == 5:
            api.delete(f"/v1/deals/{item['id']}", as_=owner)
            continue
        records.append(item)

    def listed(path):
        found, cursor = [], None
        while True:
            sep = "&" if "?" in path else "?"
            reply = api.get(f"{path}{sep}limit=2" + (f"&cursor={cursor}" if cursor else ""), as_=owner)
            assert reply.status == 200, reply.body
            found += [item["id"] for item in reply.json["items"]]
            cursor = reply.json["next_cursor"]
            if not cursor:
                return found

    assert listed(f"/v1/customers/{customer['id']}/deals") == [r["id"] for r in records if r["customer_id"] == customer["id"]]
    for query in [{"status": "won"}, {"status": "open", "owner": "u1"}, {"owner": "u2"}, {"customer_id": other, "status": "open"},
                  {}]:
        expected = [r["id"] for r in records if all(r[k] == v for k, v in query.items())]
        assert listed("/v1/deals?" + "&".join(f"{k}={v}" for k, v in query.items())) == expected, query
    assert api.get("/v1/deals?status=closed", as_=owner).status == 400
    assert api.get("/v1/deals?stage=open", as_=owner).status == 400


ROUTES = [
    ("GET", "/v1/deals/{id}", None),
    ("PUT", "/v1/deals/{id}", {"name": "Hijacked", "customer_id": "x"}),
    ("PATCH", "/v1/deals/{id}", {"name": "Hijacked"}),
    ("DELETE", "/v1/deals/{id}", None),
    ("POST", "/v1/deals/{id}/restore", None),
]


@pytest.mark.parametrize("method, template, body", ROUTES)
def test_another_organizations_deal_is_404_on_every_route(api, login_as, owner, deal, method, template, body):
    intruder = login_as("owner")
    reply = api.call(method, template.format(id=deal["id"]), body, as_=intruder, headers={"If-Match": '"1"'})
    assert reply.status == 404, (method, template, reply.body)
    assert api.get(f"/v1/deals/{deal['id']}", as_=owner).json == deal


def test_another_organizations_customer_deals_are_404(api, login_as, deal, customer):
    intruder = login_as("owner")
    assert api.get(f"/v1/customers/{customer['id']}/deals", as_=intruder).status == 404
    assert api.get(f"/v1/deals?customer_id={customer['id']}", as_=intruder).json["items"] == []


WRITES = [
    ("POST", "/v1/deals", {"name": "N", "customer_id": "{customer}"}),
    ("POST", "/v1/deals/batch", {"items": [{"name": "N", "customer_id": "{customer}"}]}),
    ("PUT", "/v1/deals/{id}", {"name": "N", "customer_id": "{customer}"}),
    ("PATCH", "/v1/deals/{id}", {"name": "Changed"}),
    ("DELETE", "/v1/deals/{id}", None),
]
READS = [("GET", "/v1/deals", None), ("GET", "/v1/deals/{id}", None), ("GET", "/v1/customers/{customer}/deals", None)]


@pytest.mark.parametrize("role", ["member", "viewer"])
@pytest.mark.parametrize("method, template, body", WRITES + READS)
def test_role_permissions(api, login_as, owner, deal, role, method, template, body):
    import json

    caller = login_as(role, org_of=owner)
    if body is not None:
        body = json.loads(json.dumps(body).replace("{customer}", deal["customer_id"]))
    path = template.format(id=deal["id"], customer=deal["customer_id"])
    reply = api.call(method, path, body, as_=caller, headers={"If-Match": '"1"'})
    if method == "GET" or role != "viewer":
        assert reply.status < 300, (role, method, template, reply.body)
    else:
        assert reply.status == 403
        assert api.get(f"/v1/deals/{deal['id']}", as_=owner).json == deal


def test_batch(api, owner, customer):
    items = [{"name": "A", "customer_id": customer["id"]}, {"name": "B"}, {"name": "C", "customer_id": customer["id"]}]
    reply = api.post("/v1/deals/batch", {"items": items}, as_=owner)
    assert [result["status"] for result in reply.json["results"]] == [201, 422, 201]
    assert len(api.get("/v1/deals", as_=owner).json["items"]) == 2
