"""Deals: a customer's commercial agreement, priced from the product catalogue.

A line item names a product (its unit price defaults to the product's price in the deal's
currency, its description to the product's name) or is free text with its own unit price; the
deal's total is computed, never sent. Status moves open -> won or open -> lost; a closed (won or
lost) deal is read-only until `POST /v1/deals/{id}/reopen` (services/closing.py). The customer, the
opportunity and the products it names must exist in the caller's organization when the write
commits: condition checks in the same transaction (422 naming the field otherwise).
"""
from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from chalicelib.core import clock
from chalicelib.core.errors import Conflict, ValidationFailed
from chalicelib.core.documents import NUMBER_LIMITS
from chalicelib.core.ids import new_id
from chalicelib.core.search import list_filters
from chalicelib.core.validation import validate
from chalicelib.crm.contact_management.tables.customers import customers
from chalicelib.crm.sales_pipeline.services import products
from chalicelib.crm.sales_pipeline.services.closing import closed_record, commit_while_open
from chalicelib.crm.sales_pipeline.tables.deals import DealModel, LineItem, deals
from chalicelib.crm.sales_pipeline.tables.opportunities import opportunities
from chalicelib.crm.sales_pipeline.tables.products import products as product_table
from chalicelib.observability import count
from chalicelib.platform.services.org_members import check_active_users
from chalicelib.platform.services.org_settings import settings_of
from chalicelib.platform.services.roles import Principal
from chalicelib.platform.tables import lifecycle
from chalicelib.platform.tables.base import query_page
from chalicelib.platform.tables.references import reference_checks
from chalicelib.platform.tables.writes import Change, commit, plain

STATUSES = ["open", "won", "lost"]
_MONEY = {"type": "number", **NUMBER_LIMITS, "minimum": 0, "maximum": 1_000_000_000_000}
_LINE = {
    "type": "object",
    "additionalProperties": False,
    "required": ["quantity"],
    "properties": {
        "product_id": {"type": "string", "minLength": 1, "maxLength": 64},
        "description": {"type": "string", "minLength": 1, "maxLength": 500},
        "quantity": {"type": "number", **NUMBER_LIMITS, "exclusiveMinimum": 0, "maximum": 1_000_000},
        "unit_price": _MONEY,
    },
}
_FIELDS: dict[str, Any] = {
    "name": {"type": "string", "minLength": 1, "maxLength": 200},
    "customer_id": {"type": "string", "minLength": 1, "maxLength": 64},
    "opportunity_id": {"type": ["string", "null"], "minLength": 1, "maxLength": 64},
    "currency": {"type": "string", "pattern": "^[A-Z]{3}$"},
    # 50 lines keep the deal item far below DynamoDB's 400 KB and the price lookup one BatchGetItem.
    "line_items": {"type": "array", "maxItems": 50, "items": _LINE},
    "status": {"type": "string", "enum": STATUSES},
    "owner": {"type": "string", "minLength": 1, "maxLength": 64},
    "close_date": {"type": ["string", "null"], "format": "date"},
}
DEAL_SCHEMA = {"type": "object", "additionalProperties": False, "required": ["name", "customer_id"], "properties": _FIELDS}
PATCH_SCHEMA = {"type": "object", "additionalProperties": False, "minProperties": 1, "properties": _FIELDS}
LIST_FILTERS = ("status", "owner", "customer_id")
# The values a list filter takes (the rest: 1 to 200 characters), checked by list_filters and
# declared in the OpenAPI document (routes: RecordSchemas(choices=...)).
LIST_CHOICES = {"status": STATUSES}
_CENT = Decimal("0.01")


def create_deal(principal: Principal, body: Any) -> dict[str, Any]:
    fields = validate(DEAL_SCHEMA, body)
    org_id = principal.org_id
    currency = fields.get("currency") or settings_of(org_id).currency
    if fields.get("status", "open") != "open":
        raise ValidationFailed("A new deal is open.", [{"field": "status", "message": "a new deal is open"}])
    check_active_users(org_id, {"owner": fields.get("owner")})
    lines = _priced_lines(org_id, fields.get("line_items", []), currency)
    deal = DealModel(
        org_id,
        new_id(),
        name=fields["name"],
        customer_id=fields["customer_id"],
        opportunity_id=fields.get("opportunity_id"),
        currency=currency,
        line_items=lines,
        total=_total(lines),
        status="open",
        owner=fields.get("owner", principal.user_id),
        close_date=fields.get("close_date"),
    )
    deals.insert(deal, principal.user_id, also=_reference_checks(org_id, fields, lines))
    count("DealCreated")
    return deal_view(deal)


def get_deal(principal: Principal, deal_id: str) -> dict[str, Any]:
    return deal_view(deals.get(principal.org_id, deal_id))


def list_deals(principal: Principal, query: Mapping[str, str], limit: int, cursor: str | None) -> dict[str, Any]:
    """One Query per page; which index serves which filter: data/deals.py."""
    return _page(principal.org_id, list_filters(query, LIST_FILTERS, LIST_CHOICES), limit, cursor)


def list_customer_deals(principal: Principal, customer_id: str, limit: int, cursor: str | None) -> dict[str, Any]:
    """GET /v1/customers/{id}/deals: a GetItem on the customer (404 across tenants, missing or
    deleted alike, rather than an empty list) and one Query of by_customer."""
    customers.get(principal.org_id, customer_id)
    return _page(principal.org_id, {"customer_id": customer_id}, limit, cursor)


def replace_deal(principal: Principal, deal_id: str, body: Any, expected_version: int) -> dict[str, Any]:
    fields = validate(DEAL_SCHEMA, body)
    complete = {"opportunity_id": None, "line_items": [], "status": "open", "owner": principal.user_id,
                "close_date": None, **fields}
    return _apply(principal, deal_id, complete, expected_version)


def patch_deal(principal: Principal, deal_id: str, body: Any, expected_version: int | None) -> dict[str, Any]:
    return _apply(principal, deal_id, validate(PATCH_SCHEMA, body), expected_version)


def delete_deal(principal: Principal, deal_id: str, expected_version: int | None) -> None:
    lifecycle.soft_delete(deals, principal.org_id, deal_id, expected_version, principal.user_id,
                          also=lambda current: [], guard=_refuse_closed)
    count("DealDeleted")


def reopen_deal(principal: Principal, deal_id: str, expected_version: int | None) -> dict[str, Any]:
    """A won or lost deal back to open, audited as "reopened" (event deal.reopened), conditional on
    it being still closed at the version read."""
    current = deals.get(principal.org_id, deal_id)
    deals.check_version(current, expected_version)
    if current.status == "open":
        raise Conflict("The deal is open; there is nothing to reopen.", current_status=current.status)
    parts, updated = deals.modification(current, {"status": "open"}, principal.user_id, action="reopened")
    parts[0].condition &= DealModel.status != "open"
    commit(parts)
    count("DealReopened")
    return deal_view(updated)


def restore_deal(principal: Principal, deal_id: str) -> dict[str, Any]:
    restored = deals.restore(principal.org_id, deal_id, principal.user_id)
    count("DealRestored")
    return deal_view(restored)


def deal_view(item: DealModel) -> dict[str, Any]:
    return {
        "id": item.deal_id,
        "name": item.name,
        "customer_id": item.customer_id,
        "opportunity_id": item.opportunity_id,
        "currency": item.currency,
        "line_items": [
            {"product_id": line.product_id, "description": line.description, "quantity": plain(line.quantity),
             "unit_price": plain(line.unit_price), "amount": plain(line.amount)}
            for line in item.line_items or []
        ],
        "total": plain(item.total),
        "status": item.status,
        "owner": item.owner,
        "close_date": item.close_date,
        "created_at": clock.isoformat(item.created_at),
        "updated_at": clock.isoformat(item.updated_at),
        "version": item.version,
    }


def _apply(principal: Principal, deal_id: str, changes: dict[str, Any], expected_version: int | None) -> dict[str, Any]:
    org_id = principal.org_id
    current = deals.get(org_id, deal_id)
    _refuse_closed(current)
    deals.check_version(current, expected_version)
    check_active_users(org_id, {"owner": changes.get("owner")}, current)
    if "line_items" in changes or ("currency" in changes and changes["currency"] != current.currency):
        currency = changes.get("currency", current.currency)
        raw_lines = changes["line_items"] if "line_items" in changes else [
            {"product_id": line.product_id, "description": line.description, "quantity": line.quantity}
            | ({} if line.product_id else {"unit_price": line.unit_price})
            for line in current.line_items or []
        ]
        lines = _priced_lines(org_id, [{k: v for k, v in line.items() if v is not None} for line in raw_lines], currency)
        changes = {**changes, "line_items": lines, "total": _total(lines)}
    parts, updated = deals.modification(current, changes, principal.user_id)
    if parts:
        moved = {name: value for name, value in changes.items() if getattr(current, name, None) != value}
        commit_while_open(parts, DealModel.status == "open", lambda: _closed_now(org_id, deal_id),
                          _reference_checks(org_id, moved, changes.get("line_items", [])))
        count("DealUpdated")
    return deal_view(updated)


def _page(org_id: str, filters: dict[str, str], limit: int, cursor: str | None) -> dict[str, Any]:
    model = DealModel
    condition = model.deleted_at.does_not_exist()
    if "customer_id" in filters:
        key, source, partition_name = f"{org_id}#{filters['customer_id']}", model.by_customer, "org_customer"
    elif "status" in filters:
        key, source, partition_name = f"{org_id}#{filters['status']}", model.by_status, "org_status"
    elif "owner" in filters:
        key, source, partition_name = f"{org_id}#{filters['owner']}", model.by_owner, "org_owner"
    else:
        key, source, partition_name = org_id, model, None
    partition = {"org_id": org_id, **({partition_name: key} if partition_name else {})}
    for name in ("status", "owner"):
        if name in filters and partition_name != f"org_{name}":
            condition &= getattr(model, name) == filters[name]
    items, next_cursor = query_page(source, model, partition, key, frozenset({"deal_id"}), limit, cursor,
                                    filter_condition=condition)
    return {"items": [deal_view(item) for item in items], "next_cursor": next_cursor}


def _priced_lines(org_id: str, lines: list[dict[str, Any]], currency: str) -> list[LineItem]:
    catalogue = products.find_live(org_id, [line["product_id"] for line in lines if line.get("product_id")])
    priced = []
    for index, line in enumerate(lines):
        product = catalogue.get(line["product_id"]) if line.get("product_id") else None
        if line.get("product_id") and product is None:
            raise _invalid(f"line_items[{index}].product_id", "no live product with this id")
        unit_price = line.get("unit_price")
        if unit_price is None and product is not None:
            price = next((item for item in product.prices or [] if item.currency == currency), None)
            if price is None:
                raise _invalid(f"line_items[{index}].unit_price", f"the product has no price in {currency}; send one")
            unit_price = price.unit_price
        if unit_price is None:
            raise _invalid(f"line_items[{index}].unit_price", "required without a product")
        description = line.get("description") or (product.name if product is not None else None)
        if description is None:
            raise _invalid(f"line_items[{index}].description", "required without a product")
        amount = (Decimal(str(line["quantity"])) * Decimal(str(unit_price))).quantize(_CENT)
        priced.append(LineItem(product_id=line.get("product_id"), description=description, quantity=line["quantity"],
                               unit_price=unit_price, amount=_number(amount)))
    return priced


def _total(lines: list[LineItem]) -> int | float:
    return _number(sum((Decimal(str(line.amount)) for line in lines), Decimal(0)).quantize(_CENT))


def _number(value: Decimal) -> int | float:
    return int(value) if value == value.to_integral_value() else float(value)


def _reference_checks(org_id: str, fields: dict[str, Any], lines: list[LineItem]) -> list[Change]:
    """The customer, the opportunity and each distinct product named (the line items were priced
    from a read of the products; these checks keep one deleted meanwhile out of the deal)."""
    first_line = {}
    for index, line in enumerate(lines):
        if line.product_id:
            first_line.setdefault(line.product_id, index)
    return reference_checks(org_id, [
        ("customer_id", customers, fields.get("customer_id")),
        ("opportunity_id", opportunities, fields.get("opportunity_id")),
        *((f"line_items[{index}].product_id", product_table, product_id) for product_id, index in first_line.items()),
    ])


def _refuse_closed(current: DealModel) -> None:
    if current.status != "open":
        raise closed_record("deal", "/v1/deals", current.deal_id, current.status)


def _closed_now(org_id: str, deal_id: str) -> Conflict | None:
    latest = deals.get(org_id, deal_id)
    return closed_record("deal", "/v1/deals", deal_id, latest.status) if latest.status != "open" else None


def _invalid(field: str, message: str) -> ValidationFailed:
    return ValidationFailed(f"{field}: {message}.", [{"field": field, "message": message}])
