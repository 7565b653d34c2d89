"""Table `products`: partition `org_id`, sort `product_id` (time-ordered). A product carries its
price book inline: `prices`, one entry per currency (list and unit price), so a product and all
its prices are one GetItem and a deal's line items price themselves from one BatchGetItem.
Soft-deleted products expire 30 days later (TTL `purge_at`).

Access pattern of each list filter (GET /v1/products), one Query per page:

| filter          | served by                                                        |
|-----------------|------------------------------------------------------------------|
| active=true/false | GSI by_active (org_active = "<org>#true|false", product_id)    |
| nothing         | the table (org_id, product_id)                                   |

SKUs are unique per organization: table `product_skus` (data/product_skus.py) holds one claim
per SKU, written in the same transaction as the product.
"""
from __future__ import annotations

from pynamodb.attributes import (
    BooleanAttribute,
    ListAttribute,
    MapAttribute,
    NumberAttribute,
    TTLAttribute,
    UnicodeAttribute,
)

from chalicelib.platform.tables.base import global_index, table_meta
from chalicelib.platform.tables.tenant_table import TenantRecord, TenantTable


class Price(MapAttribute):
    currency = UnicodeAttribute()
    list_price = NumberAttribute()
    unit_price = NumberAttribute()


class ProductModel(TenantRecord):
    Meta = table_meta("products")

    product_id = UnicodeAttribute(range_key=True)
    name = UnicodeAttribute()
    sku = UnicodeAttribute()
    description = UnicodeAttribute(null=True)
    active = BooleanAttribute(default=True)
    prices = ListAttribute(of=Price, default=list)
    purge_at = TTLAttribute(null=True)

    org_active = UnicodeAttribute()

    by_active = global_index("by_active", "org_active", "product_id")


def index_keys(item: ProductModel) -> dict[str, str]:
    return {"org_active": f"{item.org_id}#{'true' if item.active else 'false'}"}


products = TenantTable(
    ProductModel, "product_id", "product", derive=index_keys, derived_attributes=frozenset({"org_active"})
)
