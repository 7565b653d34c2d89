"""Table `opportunities`: partition `org_id`, sort `opportunity_id` (time-ordered, so the plain
list runs oldest first). Soft-deleted ones expire 30 days later (TTL `purge_at`).

Access pattern of each list filter (GET /v1/opportunities), one Query per page:

| filter                          | served by                                                      |
|---------------------------------|----------------------------------------------------------------|
| stage (+ close_from / close_to) | GSI by_stage (org_stage = "<org>#<stage>", close_date): the     |
|                                 | close-date range is part of the key condition                  |
| customer_id                     | GSI by_customer (org_customer = "<org>#<customer>", opportunity_id) |
| owner                           | GSI by_owner (org_owner = "<org>#<owner>", opportunity_id)      |
| nothing / only a close range    | the table (org_id, opportunity_id)                             |

One index is chosen in that order (stage, customer_id, owner, table); the other filters given
with it (and the close range off by_stage) become the FilterExpression of that same Query.
GET /v1/forecast reads by_stage too: one Query per open stage, close range in the key.
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
from chalicelib.platform.tables.owned_counters import Counted, Tally, counted
from chalicelib.platform.tables.tenant_table import TenantRecord, TenantTable


class StageChange(MapAttribute):
    at = UnicodeAttribute()
    by = UnicodeAttribute()
    from_stage = UnicodeAttribute(null=True)
    to_stage = UnicodeAttribute()
    reason = UnicodeAttribute(null=True)


class OpportunityModel(TenantRecord):
    Meta = table_meta("opportunities")
    # Team-owned: its owner decides who sees it under team visibility (platform/tables/visibility.py).
    VISIBLE_TO = "owner"

    opportunity_id = UnicodeAttribute(range_key=True)
    name = UnicodeAttribute()
    amount = NumberAttribute()
    currency = UnicodeAttribute()
    customer_id = UnicodeAttribute(null=True)
    # ISO date (YYYY-MM-DD): sorts as text and groups by month with a prefix.
    close_date = UnicodeAttribute()
    owner = UnicodeAttribute()
    stage = UnicodeAttribute()
    probability = NumberAttribute()
    stage_history = ListAttribute(of=StageChange, default=list)
    # Soft-deleted opportunities stay restorable for 30 days; then DynamoDB's TTL removes them.
    purge_at = TTLAttribute(null=True)

    org_customer = UnicodeAttribute(null=True)
    org_stage = UnicodeAttribute()
    org_owner = UnicodeAttribute(null=True)

    by_customer = global_index("by_customer", "org_customer", "opportunity_id")
    by_stage = global_index("by_stage", "org_stage", "close_date")
    by_owner = global_index("by_owner", "org_owner", "opportunity_id")


def index_keys(item: OpportunityModel) -> dict[str, str | None]:
    return {
        "org_customer": f"{item.org_id}#{item.customer_id}" if item.customer_id else None,
        "org_stage": f"{item.org_id}#{item.stage}",
        "org_owner": f"{item.org_id}#{item.owner}" if item.owner else None,
    }


def opportunity_counted(item: OpportunityModel) -> Counted:
    """The dashboard figure a live opportunity counts for, under its owner: its stage. Kept in the
    same commit as each write."""
    return counted(item, [Tally("opportunities_stage", item.stage)])


opportunities = TenantTable(
    OpportunityModel,
    "opportunity_id",
    "opportunity",
    derive=index_keys,
    derived_attributes=frozenset({"org_customer", "org_stage", "org_owner"}),
    feed_kind="opportunities",
)
