"""Table `notes`: partition `org_id`, sort `note_id` (time-ordered, so lists run oldest first), so
GET/PATCH/DELETE /v1/notes/{note_id} is one GetItem. Soft-deleted notes expire 30 days later (TTL
`purge_at`).

Access pattern of each list filter (GET /v1/notes, GET /v1/customers/{id}/notes), one Query per page:

| filter        | served by                                                          |
|---------------|--------------------------------------------------------------------|
| customer_id   | GSI by_customer (org_customer = "<org>#<customer_id>", note_id)     |
| author        | GSI by_author   (org_author   = "<org>#<created_by>",  note_id)     |
| none          | the table (org_id, note_id)                                         |

The first filter present in that order picks the index; the other becomes the FilterExpression of
the same Query. Every path keeps note_id as its sort key: creation order, oldest first.
"""
from __future__ import annotations

from typing import Any

from pynamodb.attributes import TTLAttribute, UnicodeAttribute

from chalicelib.platform.tables.base import global_index, table_meta
from chalicelib.platform.tables.tenant_table import TenantRecord, TenantTable


class NoteModel(TenantRecord):
    Meta = table_meta("notes")

    note_id = UnicodeAttribute(range_key=True)
    customer_id = UnicodeAttribute()
    body = UnicodeAttribute()
    # Deleted notes stay restorable for 30 days; then DynamoDB's TTL removes them.
    purge_at = TTLAttribute(null=True)

    org_customer = UnicodeAttribute()
    org_author = UnicodeAttribute()

    by_customer = global_index("by_customer", "org_customer", "note_id")
    by_author = global_index("by_author", "org_author", "note_id")


# (filter, index, its partition attribute), in the order a filter picks the index.
INDEXED_FILTERS = (
    ("customer_id", "by_customer", "org_customer"),
    ("author", "by_author", "org_author"),
)


def customer_partition(org_id: str, customer_id: str) -> str:
    return f"{org_id}#{customer_id}"


def index_keys(item: NoteModel) -> dict[str, Any]:
    return {
        "org_customer": customer_partition(item.org_id, item.customer_id),
        "org_author": f"{item.org_id}#{item.created_by}",
    }


notes = TenantTable(
    NoteModel,
    "note_id",
    "note",
    derive=index_keys,
    derived_attributes=frozenset({"org_customer", "org_author"}),
    feed_kind="notes",
)
