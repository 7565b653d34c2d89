"""Table `deals`: partition `org_id`, sort `deal_id` (time-ordered). A deal is the commercial
agreement with a customer: line items (products from the price book, or free text) with quantity
and unit price, a currency, a computed total and a status (open, won, lost); it may come from an
opportunity. Soft-deleted deals expire 30 days later (TTL `purge_at`).

Access pattern of each list filter, one Query per page:

| request                                   | served by                                              |
|-------------------------------------------|--------------------------------------------------------|
| GET /v1/customers/{id}/deals, ?customer_id= | GSI by_customer (org_customer = "<org>#<customer>", deal_id) |
| ?status=                                  | GSI by_status (org_status = "<org>#<status>", deal_id)  |
| ?owner=                                   | GSI by_owner (org_owner = "<org>#<owner>", deal_id)     |
| nothing                                   | the table (org_id, deal_id)                            |

One index is chosen in that order (customer_id, status, owner); the other filters become the
FilterExpression of the same Query.
"""
from __future__ import annotations

from pynamodb.attributes import (
    ListAttribute,
    MapAttribute,
    NumberAttribute,
    TTLAttribute,
    UnicodeAttribute,
)

from chalicelib.platform.tables.base import global_index, table_meta
from chalicelib.platform.tables.tenant_table import TenantRecord, TenantTable


class LineItem(MapAttribute):
    product_id = UnicodeAttribute(null=True)
    description = UnicodeAttribute()
    quantity = NumberAttribute()
    unit_price = NumberAttribute()
    amount = NumberAttribute()


class DealModel(TenantRecord):
    Meta = table_meta("deals")
    # Team-owned: its owner decides who sees it under team visibility (platform/tables/visibility.py).
    VISIBLE_TO = "owner"

    deal_id = UnicodeAttribute(range_key=True)
    name = UnicodeAttribute()
    customer_id = UnicodeAttribute()
    opportunity_id = UnicodeAttribute(null=True)
    currency = UnicodeAttribute()
    line_items = ListAttribute(of=LineItem, default=list)
    total = NumberAttribute()
    status = UnicodeAttribute()
    owner = UnicodeAttribute()
    close_date = UnicodeAttribute(null=True)
    purge_at = TTLAttribute(null=True)

    org_customer = UnicodeAttribute()
    org_status = UnicodeAttribute()
    org_owner = UnicodeAttribute()

    by_customer = global_index("by_customer", "org_customer", "deal_id")
    by_status = global_index("by_status", "org_status", "deal_id")
    by_owner = global_index("by_owner", "org_owner", "deal_id")


def index_keys(item: DealModel) -> dict[str, str]:
    return {
        "org_customer": f"{item.org_id}#{item.customer_id}",
        "org_status": f"{item.org_id}#{item.status}",
        "org_owner": f"{item.org_id}#{item.owner}",
    }


deals = TenantTable(
    DealModel,
    "deal_id",
    "deal",
    derive=index_keys,
    derived_attributes=frozenset({"org_customer", "org_status", "org_owner"}),
    feed_kind="deals",
)
