"""POST /v1/customers/merge: fold duplicate customers (the sources) into one (the target).

1. One transaction marks the merge: the target takes the sources' tags, and any email, phone,
   company or custom field it lacks (the target's own values win; among sources, the first listed
   wins); each source is soft-deleted with `merged_into` (restorable for 30 days, like a delete).
   Every record gets its audit entry ("merged") and event.
2. Notes and activities move to the target. Their sort keys embed the customer id, so a move is a
   put of the copy under the target plus the delete of the original, in the same transaction:
   a note is never in both places or in neither. Transactions hold at most 100 items, so moves go
   in chunks (each move is a put, a delete and an audit entry "moved").

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
from chalicelib.crm.contact_management.tables.activities import ActivityModel, activities, activity_key
from chalicelib.crm.contact_management.tables.activities import of_customer as activities_of
from chalicelib.crm.contact_management.tables.customers import CustomerModel, customers
from chalicelib.crm.contact_management.tables.notes import NoteModel, note_key, notes
from chalicelib.crm.contact_management.tables.notes import of_customer as notes_of
from chalicelib.observability import count
from chalicelib.platform.services.roles import Principal
from chalicelib.platform.tables.base import find
from chalicelib.platform.tables.references import unknown_reference
from chalicelib.platform.tables.tenant_table import RESTORE_WINDOW
from chalicelib.platform.tables.writes import Change, audited, commit, plain

MAX_SOURCES = 10
# A move is a put, a delete and an audit entry: 30 moves fill 90 of a transaction's 100 items.
MOVES_PER_TRANSACTION = 30
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
# What moves, and how its sort key is built from the customer id.
_CHILDREN = (
    (notes, NoteModel, "note_key", note_key, notes_of),
    (activities, ActivityModel, "activity_key", activity_key, activities_of),
)


def merge_customers(principal: Principal, body: Any) -> dict[str, Any]:
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
    return customer_records.view(target)


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
    for table, model, key_name, make_key, of_customer in _CHILDREN:
        while True:
            # Deleted notes and activities move too: the history stays whole.
            batch = list(model.query(org_id, range_key_condition=of_customer(source_id), limit=MOVES_PER_TRANSACTION))
            if not batch:
                break
            changes: list[Change] = []
            for original in batch:
                changes += _move(table, model, key_name, make_key, original, target_id, actor)
            commit(changes)
            moved += len(batch)
    return moved


def _move(table: Any, model: Any, key_name: str, make_key: Any, original: Any, target_id: str, actor: str) -> list[Change]:
    record_id = table.record_id(original)
    copy = model.from_raw_data(original.serialize())
    setattr(copy, key_name, make_key(target_id, record_id))
    copy.customer_id = target_id
    copy.version = original.version + 1
    copy.updated_at = clock.now()
    copy.updated_by = actor
    audit, event = audited(
        original.org_id, actor, "moved", table.kind, record_id, {"customer_id": {"from": original.customer_id, "to": target_id}}
    )
    original_key = getattr(model, key_name)
    return [
        Change("put", copy, audit=audit, event=event),
        Change(
            "delete",
            model(original.org_id, getattr(original, key_name)),
            # Gone already: another merge request moved it meanwhile; this one retries cleanly.
            condition=original_key.exists() & (model.version == original.version),
            on_condition_failed=Conflict("A note or activity changed during the merge; send the request again."),
        ),
    ]
