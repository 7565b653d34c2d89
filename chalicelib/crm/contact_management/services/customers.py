"""Customers and their notes and activities."""
from __future__ import annotations

from typing import Any

from chalicelib.core import clock
from chalicelib.core.events import DomainEvent
from chalicelib.core.ids import new_id
from chalicelib.core.search import SearchSpec
from chalicelib.core.validation import validate
from chalicelib.crm.contact_management.tables.activities import ActivityModel, activities, activity_key
from chalicelib.crm.contact_management.tables.activities import of_customer as activities_of
from chalicelib.crm.contact_management.tables.customers import CustomerModel, customers
from chalicelib.crm.contact_management.tables.notes import NoteModel, note_key, notes
from chalicelib.crm.contact_management.tables.notes import of_customer as notes_of
from chalicelib.observability import count
from chalicelib.platform.services import custom_fields
from chalicelib.platform.services.records import merge_patch, normalize_tags, replacement
from chalicelib.platform.services.roles import Principal

STATUSES = ["lead", "prospect", "active", "inactive", "churned"]
ACTIVITY_TYPES = ["call", "email", "meeting", "task"]
ACTIVITY_STATUSES = ["open", "done"]

_TEXT = {"type": "string", "minLength": 1, "maxLength": 200}
_OPTIONAL_TEXT = {"type": ["string", "null"], "maxLength": 200}
_FIELDS: dict[str, Any] = {
    "name": _TEXT,
    "email": {"type": ["string", "null"], "format": "email", "maxLength": 254},
    "phone": {"type": ["string", "null"], "pattern": r"^\+?[0-9 ().-]{3,32}$"},
    "company": _OPTIONAL_TEXT,
    "tags": {
        "type": "array",
        "maxItems": 50,
        "uniqueItems": True,
        "items": {"type": "string", "minLength": 1, "maxLength": 50},
    },
    "status": {"type": "string", "enum": STATUSES},
    "owner": {"type": "string", "minLength": 1, "maxLength": 64},
    "custom_fields": {
        "type": "object",
        "maxProperties": 50,
        "propertyNames": {"pattern": r"^[A-Za-z][A-Za-z0-9_]{0,63}$"},
        "additionalProperties": {"type": ["string", "number", "boolean", "null"], "maxLength": 1000},
    },
}
# Field schemas the other contact-management records (leads, contacts, companies) share.
FIELD_SCHEMAS = _FIELDS
CUSTOMER_SCHEMA = {"type": "object", "additionalProperties": False, "required": ["name"], "properties": _FIELDS}
# JSON Merge Patch (RFC 7396): any subset of fields; null clears an optional one.
CUSTOMER_PATCH_SCHEMA = {
    "type": "object",
    "additionalProperties": False,
    "minProperties": 1,
    "properties": {**_FIELDS, "tags": {"oneOf": [_FIELDS["tags"], {"type": "null"}]}},
}
NOTE_SCHEMA = {
    "type": "object",
    "additionalProperties": False,
    "required": ["body"],
    "properties": {"body": {"type": "string", "minLength": 1, "maxLength": 10000}},
}
ACTIVITY_SCHEMA = {
    "type": "object",
    "additionalProperties": False,
    "required": ["type", "subject"],
    "properties": {
        "type": {"type": "string", "enum": ACTIVITY_TYPES},
        "subject": _TEXT,
        "body": {"type": ["string", "null"], "maxLength": 10000},
        "due_at": {"type": ["string", "null"], "format": "date-time"},
        "assignee": {"type": ["string", "null"], "minLength": 1, "maxLength": 64},
        "status": {"type": "string", "enum": ACTIVITY_STATUSES},
    },
    # A task is something someone has to do by some time.
    "if": {"properties": {"type": {"const": "task"}}},
    "then": {"required": ["due_at"], "properties": {"due_at": {"type": "string"}}},
}
_OPTIONAL_FIELDS = ("email", "phone", "company")


def create_customer(principal: Principal, body: Any) -> dict[str, Any]:
    fields = validate(CUSTOMER_SCHEMA, body)
    custom_fields.check_values(principal.org_id, "customers", fields.get("custom_fields"))
    customer = CustomerModel(
        principal.org_id,
        new_id(),
        name=fields["name"],
        email=fields.get("email"),
        phone=fields.get("phone"),
        company=fields.get("company"),
        tags=normalize_tags(fields.get("tags", [])),
        status=fields.get("status", "active"),
        owner=fields.get("owner", principal.user_id),
        custom_fields=fields.get("custom_fields", {}),
    )
    customers.insert(customer, principal.user_id)
    count("CustomerCreated")
    return customer_view(customer)


def get_customer(principal: Principal, customer_id: str) -> dict[str, Any]:
    return customer_view(customers.get(principal.org_id, customer_id))


def list_customers(principal: Principal, spec: SearchSpec, limit: int, cursor: str | None) -> dict[str, Any]:
    items, next_cursor = customers.search(principal.org_id, spec, limit, cursor)
    return {"items": [customer_view(item) for item in items], "next_cursor": next_cursor}


def replace_customer(principal: Principal, customer_id: str, body: Any, expected_version: int) -> dict[str, Any]:
    fields = validate(CUSTOMER_SCHEMA, body)
    defaults = {"tags": [], "status": "active", "owner": principal.user_id, "custom_fields": {}}
    complete = replacement(principal.org_id, "customers", fields, {**defaults, **dict.fromkeys(_OPTIONAL_FIELDS)})
    return _apply(principal, customer_id, complete, expected_version)


def patch_customer(principal: Principal, customer_id: str, body: Any, expected_version: int | None) -> dict[str, Any]:
    changes = validate(CUSTOMER_PATCH_SCHEMA, body)
    changes = merge_patch(principal.org_id, "customers", changes)
    return _apply(principal, customer_id, changes, expected_version)


def delete_customer(principal: Principal, customer_id: str, expected_version: int | None) -> None:
    customers.soft_delete(principal.org_id, customer_id, expected_version, principal.user_id)
    count("CustomerDeleted")


def restore_customer(principal: Principal, customer_id: str) -> dict[str, Any]:
    customer = customers.restore(principal.org_id, customer_id, principal.user_id)
    count("CustomerRestored")
    return customer_view(customer)


def add_note(principal: Principal, customer_id: str, body: Any) -> dict[str, Any]:
    fields = validate(NOTE_SCHEMA, body)
    note_id = new_id()
    note = NoteModel(
        principal.org_id,
        note_key(customer_id, note_id),
        note_id=note_id,
        customer_id=customer_id,
        body=fields["body"],
    )
    notes.insert(note, principal.user_id, also=[customers.existence_check(principal.org_id, customer_id)])
    count("NoteAdded")
    return note_view(note)


def list_notes(principal: Principal, customer_id: str, limit: int, cursor: str | None) -> dict[str, Any]:
    customers.get(principal.org_id, customer_id)
    items, next_cursor = notes.page(principal.org_id, limit, cursor, range_key_condition=notes_of(customer_id))
    return {"items": [note_view(item) for item in items], "next_cursor": next_cursor}


def add_activity(principal: Principal, customer_id: str, body: Any) -> dict[str, Any]:
    fields = validate(ACTIVITY_SCHEMA, body)
    activity_id = new_id()
    activity = ActivityModel(
        principal.org_id,
        activity_key(customer_id, activity_id),
        activity_id=activity_id,
        customer_id=customer_id,
        type=fields["type"],
        subject=fields["subject"],
        body=fields.get("body"),
        due_at=clock.parse(fields["due_at"]) if fields.get("due_at") else None,
        assignee=fields.get("assignee") or (principal.user_id if fields["type"] == "task" else None),
        status=fields.get("status", "open"),
    )
    events = [task_assigned(principal, activity)] if activity.type == "task" else []
    activities.insert(
        activity, principal.user_id, also=[customers.existence_check(principal.org_id, customer_id)], events=events
    )
    count("ActivityLogged")
    if events:
        count("TaskAssigned")
    return activity_view(activity)


def list_activities(principal: Principal, customer_id: str, limit: int, cursor: str | None) -> dict[str, Any]:
    customers.get(principal.org_id, customer_id)
    items, next_cursor = activities.page(
        principal.org_id, limit, cursor, range_key_condition=activities_of(customer_id)
    )
    return {"items": [activity_view(item) for item in items], "next_cursor": next_cursor}


def task_assigned(principal: Principal, activity: ActivityModel) -> DomainEvent:
    return DomainEvent(
        type="task.assigned",
        org_id=principal.org_id,
        actor=principal.user_id,
        subject_type="activity",
        subject_id=activity.activity_id,
        occurred_at=clock.isoformat(clock.now()),
        data={"assignee": activity.assignee, "customer_id": activity.customer_id, "subject": activity.subject,
              "due_at": clock.isoformat(activity.due_at) if activity.due_at else None},
    )


def customer_view(customer: CustomerModel) -> dict[str, Any]:
    return {
        "id": customer.customer_id,
        "name": customer.name,
        "email": customer.email,
        "phone": customer.phone,
        "company": customer.company,
        "tags": list(customer.tags or []),
        "status": customer.status,
        "owner": customer.owner,
        "custom_fields": customer.custom_fields.as_dict() if customer.custom_fields else {},
        "created_at": clock.isoformat(customer.created_at),
        "updated_at": clock.isoformat(customer.updated_at),
        "version": customer.version,
    }


def note_view(note: NoteModel) -> dict[str, Any]:
    return {
        "id": note.note_id,
        "customer_id": note.customer_id,
        "body": note.body,
        "author": note.created_by,
        "created_at": clock.isoformat(note.created_at),
        "updated_at": clock.isoformat(note.updated_at),
        "version": note.version,
    }


def activity_view(activity: ActivityModel) -> dict[str, Any]:
    return {
        "id": activity.activity_id,
        "customer_id": activity.customer_id,
        "type": activity.type,
        "subject": activity.subject,
        "body": activity.body,
        "due_at": clock.isoformat(activity.due_at) if activity.due_at else None,
        "assignee": activity.assignee,
        "status": activity.status,
        "created_by": activity.created_by,
        "created_at": clock.isoformat(activity.created_at),
        "updated_at": clock.isoformat(activity.updated_at),
        "version": activity.version,
    }


def _apply(principal: Principal, customer_id: str, changes: dict[str, Any], expected_version: int | None) -> dict[str, Any]:
    customer = customers.update(principal.org_id, customer_id, changes, expected_version, principal.user_id)
    count("CustomerUpdated")
    return customer_view(customer)
