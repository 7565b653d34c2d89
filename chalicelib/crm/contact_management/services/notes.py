"""Notes on customers: added under a customer or to /v1/notes, read, edited, deleted and restored
one by one, listed per customer or per author (which index serves which filter: tables/notes.py)."""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from chalicelib.core import clock
from chalicelib.core.ids import new_id
from chalicelib.core.search import list_filters
from chalicelib.core.validation import validate
from chalicelib.crm.contact_management.services.customers import customer_reference
from chalicelib.crm.contact_management.tables.customers import customers
from chalicelib.crm.contact_management.tables.notes import INDEXED_FILTERS, NoteModel, notes
from chalicelib.observability import count
from chalicelib.platform.services.roles import Principal
from chalicelib.platform.tables.base import equality_filter_page
from chalicelib.platform.tables.writes import Change, commit

LIST_FILTERS = ("customer_id", "author")
_BODY = {"type": "string", "minLength": 1, "maxLength": 10000}
_ID = {"type": "string", "minLength": 1, "maxLength": 64}
# Under /v1/customers/{id}/notes the customer is the path's.
CUSTOMER_NOTE_SCHEMA = {"type": "object", "additionalProperties": False, "required": ["body"], "properties": {"body": _BODY}}
NOTE_SCHEMA = {
    "type": "object",
    "additionalProperties": False,
    "required": ["customer_id", "body"],
    "properties": {"customer_id": _ID, "body": _BODY},
}
PATCH_SCHEMA = {
    "type": "object",
    "additionalProperties": False,
    "minProperties": 1,
    "properties": {"customer_id": _ID, "body": _BODY},
}
# A filter's attribute on the note, for the FilterExpression when another filter picked the index.
_ATTRIBUTES = {"customer_id": "customer_id", "author": "created_by"}


def add_customer_note(principal: Principal, customer_id: str, body: Any) -> dict[str, Any]:
    """POST /v1/customers/{customer_id}/notes: a customer the caller cannot see is 404."""
    fields = validate(CUSTOMER_NOTE_SCHEMA, body)
    return _insert(principal, customer_id, fields["body"], customers.existence_check(principal.org_id, customer_id))


def create_note(principal: Principal, body: Any) -> dict[str, Any]:
    """POST /v1/notes: an unknown customer_id is 422 naming the field."""
    fields = validate(NOTE_SCHEMA, body)
    customer_id = fields["customer_id"]
    return _insert(principal, customer_id, fields["body"], customer_reference(principal.org_id, customer_id))


def get_note(principal: Principal, note_id: str) -> dict[str, Any]:
    return note_view(notes.get(principal.org_id, note_id))


def list_customer_notes(principal: Principal, customer_id: str, limit: int, cursor: str | None) -> dict[str, Any]:
    """GET /v1/customers/{customer_id}/notes: the GetItem of the customer makes another tenant's 404."""
    customers.get(principal.org_id, customer_id)
    return list_notes(principal, {"customer_id": customer_id}, limit, cursor)


def list_notes(principal: Principal, query: Mapping[str, str], limit: int, cursor: str | None) -> dict[str, Any]:
    filters = list_filters(query, LIST_FILTERS)
    if filters.get("author") == "me":
        filters["author"] = principal.user_id
    items, next_cursor = equality_filter_page(
        NoteModel, principal.org_id, filters, INDEXED_FILTERS, _ATTRIBUTES, frozenset({"note_id"}), limit, cursor
    )
    return {"items": [note_view(item) for item in items], "next_cursor": next_cursor}


def patch_note(principal: Principal, note_id: str, body: Any, expected_version: int | None) -> dict[str, Any]:
    changes = validate(PATCH_SCHEMA, body)
    org_id = principal.org_id
    current = notes.get(org_id, note_id)
    notes.check_version(current, expected_version)
    parts, updated = notes.modification(current, changes, principal.user_id)
    if parts:
        also: list[Change] = []
        if updated.customer_id != current.customer_id:
            also.append(customer_reference(org_id, updated.customer_id))
        commit([*parts, *also])
        count("NoteUpdated")
    return note_view(updated)


def delete_note(principal: Principal, note_id: str, expected_version: int | None) -> None:
    notes.soft_delete(principal.org_id, note_id, expected_version, principal.user_id)
    count("NoteDeleted")


def restore_note(principal: Principal, note_id: str) -> dict[str, Any]:
    restored = notes.restore(principal.org_id, note_id, principal.user_id)
    count("NoteRestored")
    return note_view(restored)


def note_view(note: NoteModel) -> dict[str, Any]:
    return {
        "id": note.note_id,
        "customer_id": note.customer_id,
        "body": note.body,
        "author": note.created_by,
        "created_at": clock.isoformat(note.created_at),
        "updated_at": clock.isoformat(note.updated_at),
        "updated_by": note.updated_by,
        "version": note.version,
    }


def _insert(principal: Principal, customer_id: str, body: str, customer_check: Change) -> dict[str, Any]:
    note = NoteModel(principal.org_id, new_id(), customer_id=customer_id, body=body)
    notes.insert(note, principal.user_id, also=[customer_check])
    count("NoteAdded")
    return note_view(note)
