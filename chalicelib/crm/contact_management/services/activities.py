"""Activities of customers: calls, emails, meetings and tasks, each with a status (open, done), an
assignee and a due time. Logged under a customer or to /v1/activities; read, changed (a task is
marked done, re-assigned, re-dated), deleted and restored one by one; listed by customer, type,
status, assignee and due range (which index serves which filter: tables/activities.py).

`task.assigned` goes out when a task is created and whenever a write gives it another assignee.
"""
from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from pynamodb.expressions.condition import Condition

from chalicelib.core import clock
from chalicelib.core.errors import MalformedRequest, ValidationFailed
from chalicelib.core.events import DomainEvent
from chalicelib.core.ids import new_id
from chalicelib.core.search import list_filters
from chalicelib.core.validation import validate
from chalicelib.crm.contact_management.services.customers import customer_reference
from chalicelib.crm.contact_management.tables.activities import (
    EARLIEST_DUE,
    LATEST_DUE,
    ActivityModel,
    activities,
    customer_partition,
    due_key,
)
from chalicelib.crm.contact_management.tables.customers import customers
from chalicelib.crm.contact_management.tables.leads import leads
from chalicelib.observability import count
from chalicelib.platform.services.org_members import check_active_users
from chalicelib.platform.services.roles import Principal
from chalicelib.platform.tables.base import query_page
from chalicelib.platform.tables.writes import Change, commit

TYPES = ("call", "email", "meeting", "task")
STATUSES = ("open", "done")
LIST_FILTERS = ("customer_id", "type", "status", "assignee", "due_after", "due_before")
# The values a list filter takes (the rest: 1 to 200 characters), checked by list_filters and
# declared in the OpenAPI document (routes: RecordSchemas(choices=...)).
LIST_CHOICES = {"type": TYPES, "status": STATUSES}
# `assignee=me` is the caller: GET /v1/activities?assignee=me&status=open is one's task list.
ME = "me"

_ID = {"type": "string", "minLength": 1, "maxLength": 64}
_FIELDS: dict[str, Any] = {
    "type": {"type": "string", "enum": list(TYPES)},
    "subject": {"type": "string", "minLength": 1, "maxLength": 200},
    "body": {"type": ["string", "null"], "maxLength": 10000},
    "due_at": {"type": ["string", "null"], "format": "date-time"},
    "assignee": {"type": ["string", "null"], "minLength": 1, "maxLength": 64},
    "status": {"type": "string", "enum": list(STATUSES)},
}
# Under /v1/customers/{id}/activities the customer is the path's.
CUSTOMER_ACTIVITY_SCHEMA = {
    "type": "object",
    "additionalProperties": False,
    "required": ["type", "subject"],
    "properties": _FIELDS,
}
ACTIVITY_SCHEMA = {
    "type": "object",
    "additionalProperties": False,
    "required": ["customer_id", "type", "subject"],
    "properties": {"customer_id": _ID, **_FIELDS},
}
PATCH_SCHEMA = {
    "type": "object",
    "additionalProperties": False,
    "minProperties": 1,
    "properties": {"customer_id": _ID, **_FIELDS},
}


def add_customer_activity(principal: Principal, customer_id: str, body: Any) -> dict[str, Any]:
    """POST /v1/customers/{customer_id}/activities: a customer the caller cannot see is 404."""
    fields = validate(CUSTOMER_ACTIVITY_SCHEMA, body)
    return _insert(principal, customer_id, fields, customers.existence_check(principal.org_id, customer_id))


def create_activity(principal: Principal, body: Any) -> dict[str, Any]:
    """POST /v1/activities: an unknown customer_id is 422 naming the field."""
    fields = validate(ACTIVITY_SCHEMA, body)
    customer_id = fields.pop("customer_id")
    return _insert(principal, customer_id, fields, customer_reference(principal.org_id, customer_id))


def create_lead_task(principal: Principal, lead_id: str, subject: str, due_at: datetime, assignee: str | None) -> dict[str, Any]:
    """A task about a lead (a marketing automation's step): the lead must be live when it commits."""
    fields = {"type": "task", "subject": subject, "due_at": clock.isoformat(due_at), "assignee": assignee}
    return _insert(principal, None, fields, leads.existence_check(principal.org_id, lead_id), lead_id=lead_id)


def get_activity(principal: Principal, activity_id: str) -> dict[str, Any]:
    return activity_view(activities.get(principal.org_id, activity_id))


def list_customer_activities(principal: Principal, customer_id: str, limit: int, cursor: str | None) -> dict[str, Any]:
    """GET /v1/customers/{customer_id}/activities: the GetItem of the customer makes another tenant's 404."""
    customers.get(principal.org_id, customer_id)
    return list_activities(principal, {"customer_id": customer_id}, limit, cursor)


def list_activities(principal: Principal, query: Mapping[str, str], limit: int, cursor: str | None) -> dict[str, Any]:
    """One Query per page, on the first index that serves a given filter (tables/activities.py)."""
    filters = list_filters(query, LIST_FILTERS, LIST_CHOICES)
    if filters.get("assignee") == ME:
        filters["assignee"] = principal.user_id
    due_from, due_to = _due_range(filters)
    org_id = principal.org_id
    model = ActivityModel
    status = filters.get("status")
    key: Condition | None = None
    # What the key condition covers; every other filter goes into the FilterExpression.
    served: set[str] = set()
    if "customer_id" in filters:
        hash_value = customer_partition(org_id, filters["customer_id"])
        source, attribute, cursor_names = model.by_customer, "org_customer", {"activity_id"}
        served = {"customer_id"}
    elif "assignee" in filters or "type" in filters:
        name = "assignee" if "assignee" in filters else "type"
        hash_value = f"{org_id}#{filters[name]}"
        source = model.by_assignee if name == "assignee" else model.by_type
        attribute, cursor_names = f"org_{name}", {"activity_id", "status_due"}
        served = {name}
        if status is not None and (due_from or due_to):
            key = model.status_due.between(f"{status}#{due_from or EARLIEST_DUE}", f"{status}#{due_to or LATEST_DUE}")
            served |= {"status", "due_after", "due_before"}
        elif status is not None:
            key = model.status_due.startswith(f"{status}#")
            served.add("status")
    elif status is not None:
        hash_value = f"{org_id}#{status}"
        source, attribute, cursor_names = model.by_status, "org_status", {"activity_id", "due_key"}
        key = _due_key_range(due_from, due_to)
        served = {"status", "due_after", "due_before"}
    elif due_from or due_to:
        hash_value = org_id
        source, attribute, cursor_names = model.by_due, "org_id", {"activity_id", "due_key"}
        key = _due_key_range(due_from, due_to)
        served = {"due_after", "due_before"}
    else:
        hash_value, source, attribute, cursor_names = org_id, model, "org_id", {"activity_id"}
    condition = model.deleted_at.does_not_exist()
    for name in ("customer_id", "assignee", "type", "status"):
        if name in filters and name not in served:
            condition &= getattr(model, name) == filters[name]
    if (due_from or due_to) and "due_after" not in served:
        # due_key, not due_at: "~" (no due time) sorts after LATEST_DUE, so undated activities fall outside.
        condition &= model.due_key.between(due_from or EARLIEST_DUE, due_to or LATEST_DUE)
    items, next_cursor = query_page(
        source, model, {"org_id": org_id, attribute: hash_value}, hash_value, frozenset(cursor_names), limit, cursor,
        range_key_condition=key, filter_condition=condition,
    )
    return {"items": [activity_view(item) for item in items], "next_cursor": next_cursor}


def patch_activity(principal: Principal, activity_id: str, body: Any, expected_version: int | None) -> dict[str, Any]:
    """Merge patch: mark done (or open again), re-assign, re-date, re-word, move to another customer."""
    changes = validate(PATCH_SCHEMA, body)
    org_id = principal.org_id
    current = activities.get(org_id, activity_id)
    activities.check_version(current, expected_version)
    if "due_at" in changes:
        changes["due_at"] = clock.parse(changes["due_at"]) if changes["due_at"] else None
        if changes["due_at"] != current.due_at:
            changes["reminded_at"] = None  # re-dated: the new time gets its own reminder
    status = changes.get("status", current.status)
    if status != current.status:
        changes["completed_at"] = clock.now() if status == "done" else None
    parts, updated = activities.modification(current, changes, principal.user_id)
    if not parts:
        return activity_view(updated)
    _check_task_due(updated.type, updated.due_at)
    check_active_users(org_id, {"assignee": changes.get("assignee")}, current)
    also: list[Change] = []
    if updated.customer_id != current.customer_id:
        also.append(customer_reference(org_id, updated.customer_id))
    events = []
    if updated.type == "task" and updated.assignee and updated.assignee != current.assignee:
        events.append(task_assigned(principal, updated))
    commit([*parts, *also], events)
    count("ActivityUpdated")
    if events:
        count("TaskAssigned")
    return activity_view(updated)


def delete_activity(principal: Principal, activity_id: str, expected_version: int | None) -> None:
    activities.soft_delete(principal.org_id, activity_id, expected_version, principal.user_id)
    count("ActivityDeleted")


def restore_activity(principal: Principal, activity_id: str) -> dict[str, Any]:
    restored = activities.restore(principal.org_id, activity_id, principal.user_id)
    count("ActivityRestored")
    return activity_view(restored)


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


def activity_view(activity: ActivityModel) -> dict[str, Any]:
    return {
        "id": activity.activity_id,
        "customer_id": activity.customer_id,
        "lead_id": activity.lead_id,
        "type": activity.type,
        "subject": activity.subject,
        "body": activity.body,
        "due_at": clock.isoformat(activity.due_at) if activity.due_at else None,
        "assignee": activity.assignee,
        "status": activity.status,
        "completed_at": clock.isoformat(activity.completed_at) if activity.completed_at else None,
        "created_by": activity.created_by,
        "created_at": clock.isoformat(activity.created_at),
        "updated_at": clock.isoformat(activity.updated_at),
        "version": activity.version,
    }


def _insert(
    principal: Principal, customer_id: str | None, fields: dict[str, Any], customer_check: Change, lead_id: str | None = None
) -> dict[str, Any]:
    due_at = clock.parse(fields["due_at"]) if fields.get("due_at") else None
    _check_task_due(fields["type"], due_at)
    check_active_users(principal.org_id, {"assignee": fields.get("assignee")})
    status = fields.get("status", "open")
    activity = ActivityModel(
        principal.org_id,
        new_id(),
        customer_id=customer_id,
        lead_id=lead_id,
        type=fields["type"],
        subject=fields["subject"],
        body=fields.get("body"),
        due_at=due_at,
        # A task is someone's to do: the caller's unless given to someone else.
        assignee=fields.get("assignee") or (principal.user_id if fields["type"] == "task" else None),
        status=status,
        completed_at=clock.now() if status == "done" else None,
    )
    events = [task_assigned(principal, activity)] if activity.type == "task" else []
    activities.insert(activity, principal.user_id, also=[customer_check], events=events)
    count("ActivityLogged")
    if events:
        count("TaskAssigned")
    return activity_view(activity)


def _check_task_due(activity_type: str, due_at: datetime | None) -> None:
    # A task is something someone has to do by some time.
    if activity_type == "task" and due_at is None:
        raise ValidationFailed(
            "The request body is invalid: a task needs due_at.",
            [{"field": "due_at", "message": "due_at is required for a task"}],
        )


def _due_range(filters: Mapping[str, str]) -> tuple[str | None, str | None]:
    """due_after and due_before (inclusive) as due_key values."""
    bounds: list[str | None] = []
    for name in ("due_after", "due_before"):
        raw = filters.get(name)
        try:
            bounds.append(due_key(clock.parse(raw)) if raw else None)
        except ValueError:
            raise MalformedRequest(f"{name} must be an ISO-8601 timestamp like 2026-01-31T09:00:00Z.", field=name) from None
    return bounds[0], bounds[1]


def _due_key_range(due_from: str | None, due_to: str | None) -> Condition | None:
    if due_from is None and due_to is None:
        return None
    return ActivityModel.due_key.between(due_from or EARLIEST_DUE, due_to or LATEST_DUE)
