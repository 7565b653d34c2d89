"""Products and their price books (one price per currency, inline on the product).

A price is {currency, list_price, unit_price} with unit_price <= list_price. SKUs are unique per
organization through claims in `product_skus`, written in the same transaction as the product.
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from chalicelib.core import clock
from chalicelib.core.errors import NotFound, ValidationFailed
from chalicelib.core.documents import NUMBER_LIMITS
from chalicelib.core.ids import new_id
from chalicelib.core.search import list_filters
from chalicelib.core.validation import validate
from chalicelib.crm.sales_pipeline.tables.product_skus import claim, release, sku_key
from chalicelib.crm.sales_pipeline.tables.products import Price, ProductModel, products
from chalicelib.observability import count
from chalicelib.platform.services.roles import Principal
from chalicelib.platform.tables import lifecycle
from chalicelib.platform.tables.base import query_page
from chalicelib.platform.tables.writes import Change, commit, plain

LIST_FILTERS = ("active",)
# The values a list filter takes, checked by list_filters and declared in the OpenAPI document
# (routes: RecordSchemas(choices=...)).
LIST_CHOICES = {"active": ("true", "false")}
_MONEY = {"type": "number", **NUMBER_LIMITS, "minimum": 0, "maximum": 1_000_000_000_000}
_CURRENCY = {"type": "string", "pattern": "^[A-Z]{3}$"}
PRICE_SCHEMA = {
    "type": "object",
    "additionalProperties": False,
    "required": ["list_price", "unit_price"],
    "properties": {"list_price": _MONEY, "unit_price": _MONEY},
}
_PRICE_ITEM = {**PRICE_SCHEMA, "required": ["currency", "list_price", "unit_price"],
               "properties": {**PRICE_SCHEMA["properties"], "currency": _CURRENCY}}
_FIELDS: dict[str, Any] = {
    "name": {"type": "string", "minLength": 1, "maxLength": 200},
    "sku": {"type": "string", "pattern": r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$"},
    "description": {"type": ["string", "null"], "maxLength": 2000},
    "active": {"type": "boolean"},
    "prices": {"type": "array", "maxItems": 50, "items": _PRICE_ITEM},
}
PRODUCT_SCHEMA = {"type": "object", "additionalProperties": False, "required": ["name", "sku"], "properties": _FIELDS}
PATCH_SCHEMA = {"type": "object", "additionalProperties": False, "minProperties": 1, "properties": _FIELDS}


def create_product(principal: Principal, body: Any) -> dict[str, Any]:
    fields = validate(PRODUCT_SCHEMA, body)
    product = ProductModel(
        principal.org_id,
        new_id(),
        name=fields["name"],
        sku=fields["sku"],
        description=fields.get("description"),
        active=fields.get("active", True),
        prices=_prices(fields.get("prices", [])),
    )
    products.insert(product, principal.user_id, also=[claim(principal.org_id, product.sku, product.product_id)])
    count("ProductCreated")
    return product_view(product)


def get_product(principal: Principal, product_id: str) -> dict[str, Any]:
    return product_view(products.get(principal.org_id, product_id))


def list_products(principal: Principal, query: Mapping[str, str], limit: int, cursor: str | None) -> dict[str, Any]:
    """One Query per page: GSI by_active for ?active=, else the table (data/products.py)."""
    org_id = principal.org_id
    active = list_filters(query, LIST_FILTERS, LIST_CHOICES).get("active")
    live = ProductModel.deleted_at.does_not_exist()
    if active is None:
        items, next_cursor = products.page(org_id, limit, cursor)
    else:
        key = f"{org_id}#{active}"
        items, next_cursor = query_page(ProductModel.by_active, ProductModel, {"org_id": org_id, "org_active": key}, key,
                                        frozenset({"product_id"}), limit, cursor, filter_condition=live)
    return {"items": [product_view(item) for item in items], "next_cursor": next_cursor}


def replace_product(principal: Principal, product_id: str, body: Any, expected_version: int) -> dict[str, Any]:
    fields = validate(PRODUCT_SCHEMA, body)
    return _apply(principal, product_id, {"description": None, "active": True, "prices": [], **fields}, expected_version)


def patch_product(principal: Principal, product_id: str, body: Any, expected_version: int | None) -> dict[str, Any]:
    return _apply(principal, product_id, validate(PATCH_SCHEMA, body), expected_version)


def delete_product(principal: Principal, product_id: str, expected_version: int | None) -> None:
    """The SKU is released with the delete (another product may take it) and claimed back on restore."""
    lifecycle.soft_delete(products, principal.org_id, product_id, expected_version, principal.user_id,
                          also=lambda current: [release(principal.org_id, current.sku, current.product_id)])
    count("ProductDeleted")


def restore_product(principal: Principal, product_id: str) -> dict[str, Any]:
    restored = lifecycle.restore(products, principal.org_id, product_id, principal.user_id,
                                 also=lambda item: [claim(principal.org_id, item.sku, item.product_id)])
    count("ProductRestored")
    return product_view(restored)


def list_prices(principal: Principal, product_id: str) -> dict[str, Any]:
    product = products.get(principal.org_id, product_id)
    return {"items": [price_view(price) for price in product.prices or []], "next_cursor": None}


def set_price(principal: Principal, product_id: str, currency: str, body: Any, expected_version: int | None) -> dict[str, Any]:
    """PUT /v1/products/{id}/prices/{currency}: add or replace the product's price in a currency."""
    _check_currency(currency)
    fields = validate(PRICE_SCHEMA, body)
    if fields["unit_price"] > fields["list_price"]:
        raise ValidationFailed("unit_price must not exceed list_price.",
                               [{"field": "unit_price", "message": "must not exceed list_price"}])
    price = {"currency": currency, **fields}
    current = products.get(principal.org_id, product_id)
    others = [plain(item) for item in current.prices or [] if item.currency != currency]
    updated = _commit_update(principal, current, {"prices": _prices([*others, price])}, expected_version)
    return next(price_view(item) for item in updated.prices if item.currency == currency)


def delete_price(principal: Principal, product_id: str, currency: str, expected_version: int | None) -> None:
    _check_currency(currency)
    current = products.get(principal.org_id, product_id)
    remaining = [plain(item) for item in current.prices or [] if item.currency != currency]
    if len(remaining) == len(current.prices or []):
        raise NotFound(f"This product has no price in {currency}.")
    _commit_update(principal, current, {"prices": _prices(remaining)}, expected_version)


def find_live(org_id: str, product_ids: list[str]) -> dict[str, ProductModel]:
    """One BatchGetItem: the live products among `product_ids`, by id (for deals' line items)."""
    if not product_ids:
        return {}
    found = ProductModel.batch_get([(org_id, product_id) for product_id in dict.fromkeys(product_ids)])
    return {item.product_id: item for item in found if item.deleted_at is None}


def product_view(item: ProductModel) -> dict[str, Any]:
    return {
        "id": item.product_id,
        "name": item.name,
        "sku": item.sku,
        "description": item.description,
        "active": item.active,
        "prices": [price_view(price) for price in item.prices or []],
        "created_at": clock.isoformat(item.created_at),
        "updated_at": clock.isoformat(item.updated_at),
        "version": item.version,
    }


def price_view(price: Price) -> dict[str, Any]:
    return {"currency": price.currency, "list_price": plain(price.list_price), "unit_price": plain(price.unit_price)}


def _apply(principal: Principal, product_id: str, changes: dict[str, Any], expected_version: int | None) -> dict[str, Any]:
    if "prices" in changes:
        changes["prices"] = _prices(changes["prices"])
    current = products.get(principal.org_id, product_id)
    return product_view(_commit_update(principal, current, changes, expected_version))


def _commit_update(principal: Principal, current: ProductModel, changes: dict[str, Any],
                   expected_version: int | None) -> ProductModel:
    products.check_version(current, expected_version)
    parts, updated = products.modification(current, changes, principal.user_id)
    if not parts:
        return updated
    also: list[Change] = []
    if sku_key(updated.sku) != sku_key(current.sku):
        also = [claim(principal.org_id, updated.sku, current.product_id),
                release(principal.org_id, current.sku, current.product_id)]
    commit([*parts, *also])
    count("ProductUpdated")
    return updated


def _prices(prices: list[dict[str, Any]]) -> list[Price]:
    """One price per currency, unit price at most the list price; errors name the entry."""
    seen: set[str] = set()
    result = []
    for index, price in enumerate(prices):
        if price["currency"] in seen:
            raise ValidationFailed(f"Two prices in {price['currency']}.",
                                   [{"field": f"prices[{index}].currency", "message": "one price per currency"}])
        if price["unit_price"] > price["list_price"]:
            raise ValidationFailed("unit_price must not exceed list_price.",
                                   [{"field": f"prices[{index}].unit_price", "message": "must not exceed list_price"}])
        seen.add(price["currency"])
        result.append(Price(currency=price["currency"], list_price=price["list_price"], unit_price=price["unit_price"]))
    return result


def _check_currency(currency: str) -> None:
    if not (len(currency) == 3 and currency.isascii() and currency.isalpha() and currency.isupper()):
        raise ValidationFailed("currency must be a three-letter ISO 4217 code.",
                               [{"field": "currency", "message": "not an ISO 4217 code"}])
