"""Table `tickets`: partition `org_id`, sort `ticket_id` (time-ordered, so lists run oldest first).

Each list filter is served by a key or an index; the first one present in this order picks the
index and the others become a FilterExpression on that same Query (one Query per page):

| filter        | served by                                                        |
|---------------|------------------------------------------------------------------|
| customer_id   | GSI by_customer (org_customer = "<org>#<customer_id>", ticket_id) |
| assignee      | GSI by_assignee (org_assignee = "<org>#<assignee>", ticket_id)    |
| status        | GSI by_status   (org_status   = "<org>#<status>",   ticket_id)    |
| priority      | GSI by_priority (org_priority = "<org>#<priority>", ticket_id)    |
| none          | the table (org_id, ticket_id)                                     |

Every index keeps ticket_id as its sort key, so every path returns creation order (or newest
first with sort=-created) and created ranges would be key ranges. The organization is part of each
index's partition key, so no index can be read across tenants.
"""
from __future__ import annotations

from typing import Any

from pynamodb.attributes import (
    BooleanAttribute,
    TTLAttribute,
    UnicodeAttribute,
    UTCDateTimeAttribute,
)

from chalicelib.platform.tables.base import global_index, table_meta
from chalicelib.platform.tables.owned_counters import Counted, Tally, counted
from chalicelib.platform.tables.tenant_table import TenantRecord, TenantTable


class TicketModel(TenantRecord):
    Meta = table_meta("tickets")
    # Team-owned: its assignee decides who sees it under team visibility (platform/tables/visibility.py).
    VISIBLE_TO = "assignee"

    ticket_id = UnicodeAttribute(range_key=True)
    subject = UnicodeAttribute()
    description = UnicodeAttribute(null=True)
    priority = UnicodeAttribute()
    status = UnicodeAttribute()
    assignee = UnicodeAttribute(null=True)
    customer_id = UnicodeAttribute(null=True)
    first_responded_at = UTCDateTimeAttribute(null=True)
    resolved_at = UTCDateTimeAttribute(null=True)
    first_response_due_at = UTCDateTimeAttribute()
    resolution_due_at = UTCDateTimeAttribute()
    # Set in the same commit whose audit entry carries ticket.breached, so it is announced once per ticket.
    breach_notified = BooleanAttribute(null=True)
    # Deleted tickets stay restorable for 30 days; then DynamoDB's TTL removes them.
    purge_at = TTLAttribute(null=True)

    org_customer = UnicodeAttribute(null=True)
    org_assignee = UnicodeAttribute(null=True)
    org_status = UnicodeAttribute()
    org_priority = UnicodeAttribute()

    by_customer = global_index("by_customer", "org_customer", "ticket_id")
    by_assignee = global_index("by_assignee", "org_assignee", "ticket_id")
    by_status = global_index("by_status", "org_status", "ticket_id")
    by_priority = global_index("by_priority", "org_priority", "ticket_id")


INDEXED_FILTERS = (
    ("customer_id", "by_customer", "org_customer"),
    ("assignee", "by_assignee", "org_assignee"),
    ("status", "by_status", "org_status"),
    ("priority", "by_priority", "org_priority"),
)


def index_keys(item: TicketModel) -> dict[str, Any]:
    return {
        "org_customer": f"{item.org_id}#{item.customer_id}" if item.customer_id else None,
        "org_assignee": f"{item.org_id}#{item.assignee}" if item.assignee else None,
        "org_status": f"{item.org_id}#{item.status}",
        "org_priority": f"{item.org_id}#{item.priority}",
    }


tickets = TenantTable(
    TicketModel,
    "ticket_id",
    "ticket",
    derive=index_keys,
    derived_attributes=frozenset({"org_customer", "org_assignee", "org_status", "org_priority"}),
    feed_kind="tickets",
)


def ticket_counted(ticket: TicketModel) -> Counted:
    """The dashboard figure a live ticket counts for, under its assignee (unassigned: nobody's, seen
    by all): its status."""
    return counted(ticket, [Tally("tickets_status", ticket.status)])
