"""Products and price books: CRUD, unique SKUs, prices, filters, tenancy, roles, audit, batch."""
from __future__ import annotations

import pytest

WIDGET = {"name": "Widget", "sku": "W-1", "prices": [{"currency": "USD", "list_price": 100, "unit_price": 90}]}


def history(api, caller, target_id):
    return api.get(f"/v1/audit-logs?target_type=product&target_id={target_id}", as_=caller).json["items"]


@pytest.fixture
def product(api, owner):
    reply = api.post("/v1/products", WIDGET, as_=owner)
    assert reply.status == 201, reply.body
    return reply.json


def test_create_get_and_list(api, owner, product):
    assert product["active"] is True and product["description"] is None
    assert product["prices"] == WIDGET["prices"]
    fetched = api.get(f"/v1/products/{product['id']}", as_=owner)
    assert fetched.json == product and fetched.header("etag") == '"1"'
    assert [item["id"] for item in api.get("/v1/products", as_=owner).json["items"]] == [product["id"]]
    assert history(api, owner, product["id"])[0]["action"] == "created"


@pytest.mark.parametrize(
    "body, field",
    [
        ({"sku": "X"}, "name"),
        ({"name": "X"}, "sku"),
        ({"name": "X", "sku": "bad sku!"}, "sku"),
        ({"name": "X", "sku": "X", "prices": [{"currency": "USD", "list_price": 1, "unit_price": 2}]}, "prices[0].unit_price"),
        ({"name": "X", "sku": "X", "prices": [{"currency": "USD", "list_price": 1, "unit_price": 1}] * 2}, "prices[1].currency"),
        ({"name": "X", "sku": "X", "prices": [{"currency": "usd", "list_price": 1, "unit_price": 1}]}, "prices[0].currency"),
        ({"name": "X", "sku": "X", "price": 3}, "price"),
    ],
)
def test_invalid_products_are_422(api, owner, body, field):
    reply = api.post("/v1/products", body, as_=owner)
    assert reply.status == 422, reply.body
    assert field in [error["field"] for error in reply.json["errors"]]


def test_skus_are_unique_per_organization(api, owner, login_as, product):
    assert api.post("/v1/products", {"name": "Dup", "sku": "w-1"}, as_=owner).status == 409
    other = api.post("/v1/products", {"name": "Gadget", "sku": "G-1"}, as_=owner).json
    assert api.patch(f"/v1/products/{other['id']}", {"sku": "W-1"}, as_=owner).status == 409
    assert api.post("/v1/products", {"name": "Theirs", "sku": "W-1"}, as_=login_as("owner")).status == 201
    # A deleted product frees its SKU; restoring it while the SKU is taken is a conflict.
    assert api.delete(f"/v1/products/{product['id']}", as_=owner).status == 204
    assert api.patch(f"/v1/products/{other['id']}", {"sku": "W-1"}, as_=owner).status == 200
    assert api.post(f"/v1/products/{product['id']}/restore", as_=owner).status == 409
    assert api.patch(f"/v1/products/{other['id']}", {"sku": "G-2"}, as_=owner).status == 200
    assert api.post(f"/v1/products/{product['id']}/restore", as_=owner).status == 200
    assert api.post("/v1/products", {"name": "Free again", "sku": "G-1"}, as_=owner).status == 201


def test_put_patch_delete_restore_are_audited(api, owner, product):
    path = f"/v1/products/{product['id']}"
    assert api.put(path, {"name": "W", "sku": "W-1"}, as_=owner).status == 428
    put = api.put(path, {"name": "Widget 2", "sku": "W-1"}, as_=owner, headers={"If-Match": '"1"'})
    assert put.status == 200 and put.json["prices"] == [] and put.json["version"] == 2
    assert api.patch(path, {"active": False}, as_=owner, headers={"If-Match": '"1"'}).status == 412
    assert api.patch(path, {"active": False, "description": "old"}, as_=owner).json["active"] is False
    assert api.delete(path, as_=owner).status == 204
    assert api.get(path, as_=owner).status == 404
    assert api.post(f"{path}/restore", as_=owner).status == 200
    assert [entry["action"] for entry in history(api, owner, product["id"])] == [
        "restored", "deleted", "updated", "updated", "created"]


def test_price_book(api, owner, product):
    path = f"/v1/products/{product['id']}/prices"
    eur = api.put(f"{path}/EUR", {"list_price": 80, "unit_price": 75.5}, as_=owner)
    assert eur.status == 200 and eur.json == {"currency": "EUR", "list_price": 80, "unit_price": 75.5}
    assert api.put(f"{path}/USD", {"list_price": 100, "unit_price": 95}, as_=owner).status == 200
    assert api.get(path, as_=owner).json["items"] == [
        {"currency": "EUR", "list_price": 80, "unit_price": 75.5},
        {"currency": "USD", "list_price": 100, "unit_price": 95},
    ]
    bad = api.put(f"{path}/GBP", {"list_price": 10, "unit_price": 11}, as_=owner)
    assert bad.status == 422 and bad.json["errors"][0]["field"] == "unit_price"
    assert api.put(f"{path}/gbp", {"list_price": 10, "unit_price": 1}, as_=owner).status == 422
    assert api.put(f"{path}/GBP", {"list_price": 10, "unit_price": 1}, as_=owner, headers={"If-Match": '"1"'}).status == 412
    assert api.delete(f"{path}/EUR", as_=owner).status == 204
    assert api.delete(f"{path}/EUR", as_=owner).status == 404
    assert [p["currency"] for p in api.get(path, as_=owner).json["items"]] == ["USD"]
    changes = history(api, owner, product["id"])[0]["changes"]
    assert changes["prices"]["from"][0]["currency"] == "EUR"


def test_active_filter_equals_brute_force(api, owner):
    created = []
    for index in range(7):
        item = api.post("/v1/products", {"name": f"P{index}", "sku": f"P-{index}", "active": index % 2 == 0}, as_=owner).json
        if index % 3 == 0:
            item = api.patch(f"/v1/products/{item['id']}", {"active": not item["active"]}, as_=owner).json
        if index == 5:
            api.delete(f"/v1/products/{item['id']}", as_=owner)
            continue
        created.append(item)
    for value in ("true", "false"):
        found, cursor = [], None
        while True:
            reply = api.get(f"/v1/products?active={value}&limit=2" + (f"&cursor={cursor}" if cursor else ""), as_=owner)
            found += [item["id"] for item in reply.json["items"]]
            cursor = reply.json["next_cursor"]
            if not cursor:
                break
        assert found == [item["id"] for item in created if item["active"] == (value == "true")]
    assert api.get("/v1/products?active=yes", as_=owner).status == 400
    assert api.get("/v1/products?sku=P-1", as_=owner).status == 400


ROUTES = [
    ("GET", "/v1/products/{id}", None),
    ("PUT", "/v1/products/{id}", {"name": "Hijacked", "sku": "H"}),
    ("PATCH", "/v1/products/{id}", {"name": "Hijacked"}),
    ("DELETE", "/v1/products/{id}", None),
    ("POST", "/v1/products/{id}/restore", None),
    ("GET", "/v1/products/{id}/prices", None),
    ("PUT", "/v1/products/{id}/prices/EUR", {"list_price": 1, "unit_price": 1}),
    ("DELETE", "/v1/products/{id}/prices/USD", None),
]


@pytest.mark.parametrize("method, template, body", ROUTES)
def test_another_organizations_product_is_404_on_every_route(api, login_as, owner, product, method, template, body):
    intruder = login_as("owner")
    reply = api.call(method, template.format(id=product["id"]), body, as_=intruder, headers={"If-Match": '"1"'})
    assert reply.status == 404, (method, template, reply.body)
    assert api.get(f"/v1/products/{product['id']}", as_=owner).json == product


WRITES = [
    ("POST", "/v1/products", {"name": "N", "sku": "N-1"}),
    ("POST", "/v1/products/batch", {"items": [{"name": "N", "sku": "N-2"}]}),
    ("PUT", "/v1/products/{id}", {"name": "N", "sku": "W-1"}),
    ("PATCH", "/v1/products/{id}", {"name": "Changed"}),
    ("PUT", "/v1/products/{id}/prices/EUR", {"list_price": 1, "unit_price": 1}),
    ("DELETE", "/v1/products/{id}/prices/USD", None),
    ("DELETE", "/v1/products/{id}", None),
]
READS = [("GET", "/v1/products", None), ("GET", "/v1/products/{id}", None), ("GET", "/v1/products/{id}/prices", None)]


@pytest.mark.parametrize("role", ["member", "viewer"])
@pytest.mark.parametrize("method, template, body", WRITES + READS)
def test_role_permissions(api, login_as, owner, product, role, method, template, body):
    caller = login_as(role, org_of=owner)
    reply = api.call(method, template.format(id=product["id"]), body, as_=caller, headers={"If-Match": '"1"'})
    if method == "GET" or role != "viewer":
        assert reply.status < 300, (role, method, template, reply.body)
    else:
        assert reply.status == 403
        assert api.get(f"/v1/products/{product['id']}", as_=owner).json == product


def test_batch(api, owner, product):
    reply = api.post("/v1/products/batch", {"items": [{"name": "A", "sku": "A"}, {"name": "B", "sku": "W-1"},
                                                       {"name": "C"}, {"name": "D", "sku": "D"}]}, as_=owner)
    assert reply.status == 200
    assert [result["status"] for result in reply.json["results"]] == [201, 409, 422, 201]
    assert len(api.get("/v1/products", as_=owner).json["items"]) == 3
