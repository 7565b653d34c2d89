"""POST /v1/customers/merge: fold duplicate customers (the sources) into one (the target).

1. One transaction marks the merge: the target takes the sources' tags, and any email, phone,
   company or custom field it lacks (the target's own values win; among sources, the first listed
   wins); each source is soft-deleted with `merged_into` (restorable for 30 days, like a delete).
   Every record gets its audit entry ("merged") and event.
2. Notes and activities move to the target: each is an update of its `customer_id` (its audit
   entry says "moved"), found through the table's by_customer index. Transactions hold at most
   100 items, so moves go in chunks of updates with their audit entries.

A merge interrupted between chunks is finished by sending the same request again: sources already
merged into this target are accepted, and only what is still under them moves.
Opportunities and contacts that name a source keep naming it (not moved here).
"""
from __future__ import annotations

from typing import Any

from chalicelib.core import clock
from chalicelib.core.errors import Conflict, NotFound, ValidationFailed
from chalicelib.core.search import normalize_tags
from chalicelib.core.validation import validate
from chalicelib.crm.contact_management.services.customers import records as customer_records
from chalicelib.crm.contact_management.tables import activities as activities_table
from chalicelib.crm.contact_management.tables import notes as notes_table
from chalicelib.crm.contact_management.tables.customers import CustomerModel, customers
from chalicelib.observability import count
from chalicelib.platform.services.roles import Principal
from chalicelib.platform.tables.base import find
from chalicelib.platform.tables.references import unknown_reference
from chalicelib.platform.tables.tenant_table import RESTORE_WINDOW
from chalicelib.platform.tables.writes import Change, commit, plain

MAX_SOURCES = 10
# A move is an update, its audit entry and its change-feed item: 32 moves and the feed head fill 97
# of a transaction's 100 items.
MOVES_PER_TRANSACTION = 32
_ID = {"type": "string", "minLength": 1, "maxLength": 64}
MERGE_SCHEMA = {
    "type": "object",
    "additionalProperties": False,
    "required": ["target_id", "source_ids"],
    "properties": {
        "target_id": _ID,
        "source_ids": {"type": "array", "minItems": 1, "maxItems": MAX_SOURCES, "uniqueItems": True, "items": _ID},
    },
}
_FILLED_FIELDS = ("email", "phone", "company", "company_id")
# What moves: a table of a customer's records and how its by_customer partition is named.
_CHILDREN = (
    (notes_table.notes, notes_table.customer_partition),
    (activities_table.activities, activities_table.customer_partition),
)


def merge_customers(principal: Principal, body: Any, version: int = 1) -> dict[str, Any]:
    fields = validate(MERGE_SCHEMA, body)
    org_id, actor = principal.org_id, principal.user_id
    target_id, source_ids = fields["target_id"], fields["source_ids"]
    if target_id in source_ids:
        raise ValidationFailed(
            "A customer cannot be merged into itself.",
            [{"field": "source_ids", "message": "source_ids must not contain target_id"}],
        )
    try:
        target = customers.get(org_id, target_id)
    except NotFound:
        raise unknown_reference("target_id", customers.noun) from None
    sources = [_source(org_id, source_id, target_id) for source_id in source_ids]
    live = [source for source in sources if source.deleted_at is None]
    if live:
        target = _mark_merge(target, live, actor)
    moved = sum(_move_children(org_id, actor, source_id, target_id) for source_id in source_ids)
    count("CustomersMerged", len(live))
    if moved:
        count("CustomerRecordsMoved", moved)
    return customer_records.view(target, version)


def _source(org_id: str, source_id: str, target_id: str) -> CustomerModel:
    source = find(CustomerModel, org_id, source_id)
    if source is None or (source.deleted_at is not None and source.merged_into != target_id):
        raise unknown_reference("source_ids", customers.noun)
    return source


def _mark_merge(target: CustomerModel, sources: list[CustomerModel], actor: str) -> CustomerModel:
    parts, merged = customers.modification(target, _filled(target, sources), actor, action="merged")
    now = clock.now()
    for source in sources:
        source_parts, _ = customers.modification(
            source,
            {"deleted_at": now, "purge_at": now + RESTORE_WINDOW, "merged_into": target.customer_id},
            actor,
            action="merged",
        )
        parts += source_parts
    commit(parts)
    return merged


def _filled(target: CustomerModel, sources: list[CustomerModel]) -> dict[str, Any]:
    changes: dict[str, Any] = {}
    for name in _FILLED_FIELDS:
        if getattr(target, name) is None:
            value = next((getattr(source, name) for source in sources if getattr(source, name)), None)
            if value is not None:
                changes[name] = value
    tags = normalize_tags([*(target.tags or []), *(tag for source in sources for tag in source.tags or [])])
    if tags != list(target.tags or []):
        changes["tags"] = tags
    custom: dict[str, Any] = {}
    for record in [*reversed(sources), target]:
        custom.update(plain(record.custom_fields) or {})
    if custom != (plain(target.custom_fields) or {}):
        changes["custom_fields"] = custom
    return changes


def _move_children(org_id: str, actor: str, source_id: str, target_id: str) -> int:
    moved = 0
    for table, partition in _CHILDREN:
        # One pass over the index, page by page: a moved record leaves the source's partition, so
        # the pass never meets it again even where the index lags the table. Deleted notes and
        # activities move too: the history stays whole.
        found = table.model.by_customer.query(partition(org_id, source_id), page_size=MOVES_PER_TRANSACTION)
        chunk: list[Change] = []
        for original in found:
            chunk += _move(table, original, target_id, actor)
            moved += 1
            if len(chunk) == MOVES_PER_TRANSACTION:
                commit(chunk)
                chunk = []
        if chunk:
            commit(chunk)
    return moved


def _move(table: Any, original: Any, target_id: str, actor: str) -> list[Change]:
    changes, _ = table.modification(
        original, {"customer_id": target_id}, actor, action="moved", deleted=original.deleted_at is not None
    )
    # Changed since the index showed it (another merge request moved it meanwhile): resending retries cleanly.
    changes[0].on_condition_failed = Conflict("A note or activity changed during the merge; send the request again.")
    return changes
