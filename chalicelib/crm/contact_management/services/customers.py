"""Customers and their notes and activities."""
from __future__ import annotations

from typing import Any

from chalicelib.core import clock
from chalicelib.core.events import DomainEvent
from chalicelib.core.ids import new_id
from chalicelib.core.validation import validate
from chalicelib.crm.contact_management.tables.activities import ActivityModel, activities, activity_key
from chalicelib.crm.contact_management.tables.activities import of_customer as activities_of
from chalicelib.crm.contact_management.tables.customers import CustomerModel, customers
from chalicelib.crm.contact_management.tables.notes import NoteModel, note_key, notes
from chalicelib.crm.contact_management.tables.notes import of_customer as notes_of
from chalicelib.observability import count
from chalicelib.platform.services.records import SearchableRecords, shared_fields
from chalicelib.platform.services.roles import Principal

STATUSES = ["lead", "prospect", "active", "inactive", "churned"]
ACTIVITY_TYPES = ["call", "email", "meeting", "task"]
ACTIVITY_STATUSES = ["open", "done"]
PROPERTIES: dict[str, Any] = {
    **shared_fields("name", "email", "phone", "company", "tags"),
    "status": {"type": "string", "enum": STATUSES},
    **shared_fields("owner", "custom_fields"),
}

records: SearchableRecords[CustomerModel] = SearchableRecords(
    customers,
    "customers",
    PROPERTIES,
    default_status="active",
    view=("name", "email", "phone", "company", "tags", "status", "owner", "custom_fields"),
)

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
        "subject": {"type": "string", "minLength": 1, "maxLength": 200},
        "body": {"type": ["string", "null"], "maxLength": 10000},
        "due_at": {"type": ["string", "null"], "format": "date-time"},
        "assignee": {"type": ["string", "null"], "minLength": 1, "maxLength": 64},
        "status": {"type": "string", "enum": ACTIVITY_STATUSES},
    },
    # A task is something someone has to do by some time.
    "if": {"properties": {"type": {"const": "task"}}},
    "then": {"required": ["due_at"], "properties": {"due_at": {"type": "string"}}},
}


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
        id="",
        type="task.assigned",
        org_id=principal.org_id,
        actor=principal.user_id,
        subject_type="activity",
        subject_id=activity.activity_id,
        occurred_at=clock.isoformat(clock.now()),
        data={"assignee": activity.assignee, "customer_id": activity.customer_id, "subject": activity.subject,
              "due_at": clock.isoformat(activity.due_at) if activity.due_at else None,
              "recipients": [activity.assignee]},
    )


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

