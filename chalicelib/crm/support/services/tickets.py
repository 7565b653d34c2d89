"""Support tickets: lifecycle, SLA due times and breaches, counters kept on write.

SLA: `first_response_due_at` and `resolution_due_at` are set at creation from the SLA policy of
the ticket's priority (or the organization's settings) and recomputed from the creation time when
the priority changes. `sla_breached` is computed on every read and write: a due time passed
without the first response (or the resolution), or the response/resolution came after it.

ticket.breached: announced once per ticket. The first write that observes a breach sets
`breach_notified` in the same transaction, whose audit entry carries the event; a GET of one ticket that observes
it does the same with one conditional UpdateItem (conditional on the version it read, so two
observers cannot both announce it; the loser simply answers what it read). List pages only compute the
flag: a page stays one Query.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any

from chalicelib.core import clock
from chalicelib.core.errors import Conflict, PreconditionFailed
from chalicelib.core.events import DomainEvent
from chalicelib.core.ids import new_id
from chalicelib.core.search import list_filters
from chalicelib.core.validation import validate
from chalicelib.crm.contact_management.tables.customers import customers
from chalicelib.crm.support.services.sla import due_times
from chalicelib.crm.support.tables.tickets import INDEXED_FILTERS, TicketModel, ticket_counted, tickets
from chalicelib.observability import count
from chalicelib.platform.services.org_members import check_active_users
from chalicelib.platform.services.org_settings import PRIORITIES
from chalicelib.platform.services.roles import Principal
from chalicelib.platform.tables.base import equality_filter_page
from chalicelib.platform.tables.references import reference_checks
from chalicelib.platform.tables.tenant_table import RESTORE_WINDOW
from chalicelib.platform.tables.owned_counters import NOTHING, recount
from chalicelib.platform.tables.writes import Change, commit

STATUSES = ("open", "pending", "resolved", "closed")
# closed is final: a problem that comes back is a new ticket.
TRANSITIONS = {
    "open": {"pending", "resolved", "closed"},
    "pending": {"open", "resolved", "closed"},
    "resolved": {"open", "closed"},
    "closed": set(),
}
LIST_FILTERS = ("status", "assignee", "priority", "customer_id", "sort")
# The values a list filter takes (the rest: 1 to 200 characters), checked by list_filters and
# declared in the OpenAPI document (routes: RecordSchemas(choices=...)).
LIST_CHOICES = {"status": STATUSES, "priority": PRIORITIES, "sort": ("created", "-created")}

_ID = {"type": ["string", "null"], "minLength": 1, "maxLength": 64}
_FIELDS: dict[str, Any] = {
    "subject": {"type": "string", "minLength": 1, "maxLength": 200},
    "description": {"type": ["string", "null"], "maxLength": 10_000},
    "priority": {"type": "string", "enum": list(PRIORITIES)},
    "assignee": _ID,
    "customer_id": _ID,
}
TICKET_SCHEMA = {"type": "object", "additionalProperties": False, "required": ["subject"], "properties": _FIELDS}
REPLACE_SCHEMA = {
    "type": "object",
    "additionalProperties": False,
    "required": ["subject", "priority"],
    "properties": {**_FIELDS, "status": {"type": "string", "enum": list(STATUSES)}},
}
PATCH_SCHEMA = {
    "type": "object",
    "additionalProperties": False,
    "minProperties": 1,
    "properties": {
        **_FIELDS,
        "status": {"type": "string", "enum": list(STATUSES)},
        "first_responded_at": {"type": "string", "format": "date-time"},
    },
}


def create_ticket(principal: Principal, body: Any) -> dict[str, Any]:
    fields = validate(TICKET_SCHEMA, body)
    check_active_users(principal.org_id, {"assignee": fields.get("assignee")})
    now = clock.now()
    priority = fields.get("priority", "normal")
    ticket = TicketModel(
        principal.org_id,
        new_id(),
        subject=fields["subject"],
        description=fields.get("description"),
        priority=priority,
        status="open",
        assignee=fields.get("assignee"),
        customer_id=fields.get("customer_id"),
        **due_times(principal.org_id, priority, now),
    )
    also = recount(principal.org_id, NOTHING, ticket_counted(ticket))
    also += reference_checks(principal.org_id, [("customer_id", customers, ticket.customer_id)])
    events = [ticket_assigned(principal, ticket)] if ticket.assignee else []
    tickets.insert(ticket, principal.user_id, also=also, events=events)
    count("TicketCreated")
    return ticket_view(ticket)


def get_ticket(principal: Principal, ticket_id: str) -> dict[str, Any]:
    ticket = tickets.get(principal.org_id, ticket_id)
    now = clock.now()
    if is_breached(ticket, now) and not ticket.breach_notified:
        parts, refreshed = tickets.modification(ticket, {"breach_notified": True}, principal.user_id, action="breached")
        parts[0].event = ticket_breached(principal, ticket, now)
        try:
            commit(parts)
        except PreconditionFailed:
            return ticket_view(ticket, now)  # someone wrote in between; their write observes the breach
        count("TicketBreached")
        ticket = refreshed
    return ticket_view(ticket, now)


def list_tickets(principal: Principal, query: dict[str, str], limit: int, cursor: str | None) -> dict[str, Any]:
    filters = list_filters(query, LIST_FILTERS, LIST_CHOICES)
    items, next_cursor = equality_filter_page(
        TicketModel, principal.org_id, filters, INDEXED_FILTERS, {name: name for name, _, _ in INDEXED_FILTERS},
        frozenset({"ticket_id"}), limit, cursor, newest_first=filters.get("sort") == "-created",
    )  # fmt: skip
    now = clock.now()
    return {"items": [ticket_view(item, now) for item in items], "next_cursor": next_cursor}


def replace_ticket(principal: Principal, ticket_id: str, body: Any, expected_version: int) -> dict[str, Any]:
    fields = validate(REPLACE_SCHEMA, body)
    return _apply(principal, ticket_id, {"description": None, "assignee": None, "customer_id": None, **fields},
                  expected_version)


def patch_ticket(principal: Principal, ticket_id: str, body: Any, expected_version: int | None) -> dict[str, Any]:
    changes = validate(PATCH_SCHEMA, body)
    if "first_responded_at" in changes:
        changes["first_responded_at"] = clock.parse(changes["first_responded_at"])
    return _apply(principal, ticket_id, changes, expected_version)


def delete_ticket(principal: Principal, ticket_id: str, expected_version: int | None) -> None:
    current = tickets.get(principal.org_id, ticket_id)
    tickets.check_version(current, expected_version)
    now = clock.now()
    parts, _ = tickets.modification(current, {"deleted_at": now, "purge_at": now + RESTORE_WINDOW},
                                    principal.user_id, action="deleted")
    commit([*parts, *recount(principal.org_id, ticket_counted(current), NOTHING)])
    count("TicketDeleted")


def restore_ticket(principal: Principal, ticket_id: str) -> dict[str, Any]:
    current = tickets.get_including_deleted(principal.org_id, ticket_id)
    if current.deleted_at is None:
        raise Conflict("This ticket is not deleted.")
    if current.deleted_at < clock.now() - RESTORE_WINDOW:
        raise tickets.not_found()
    parts, restored = tickets.modification(current, {"deleted_at": None, "purge_at": None}, principal.user_id,
                                           action="restored", deleted=True)
    commit([*parts, *recount(principal.org_id, NOTHING, ticket_counted(restored))])
    count("TicketRestored")
    return ticket_view(restored)


def is_breached(ticket: TicketModel, now: datetime) -> bool:
    responded = ticket.first_responded_at or ticket.resolved_at or now
    resolved = ticket.resolved_at or now
    return responded > ticket.first_response_due_at or resolved > ticket.resolution_due_at


def ticket_view(ticket: TicketModel, now: datetime | None = None) -> dict[str, Any]:
    moment = now or clock.now()

    def iso(value: datetime | None) -> str | None:
        return clock.isoformat(value) if value else None

    return {
        "id": ticket.ticket_id,
        "subject": ticket.subject,
        "description": ticket.description,
        "priority": ticket.priority,
        "status": ticket.status,
        "assignee": ticket.assignee,
        "customer_id": ticket.customer_id,
        "first_responded_at": iso(ticket.first_responded_at),
        "resolved_at": iso(ticket.resolved_at),
        "first_response_due_at": iso(ticket.first_response_due_at),
        "resolution_due_at": iso(ticket.resolution_due_at),
        "sla_breached": is_breached(ticket, moment),
        "created_by": ticket.created_by,
        "created_at": iso(ticket.created_at),
        "updated_at": iso(ticket.updated_at),
        "version": ticket.version,
    }


def ticket_assigned(principal: Principal, ticket: TicketModel) -> DomainEvent:
    return DomainEvent(
        id="", type="ticket.assigned", org_id=principal.org_id, actor=principal.user_id, subject_type="ticket",
        subject_id=ticket.ticket_id, occurred_at=clock.isoformat(clock.now()),
        data={"assignee": ticket.assignee, "subject": ticket.subject, "priority": ticket.priority,
              "recipients": [ticket.assignee]},
    )


def ticket_breached(principal: Principal, ticket: TicketModel, now: datetime) -> DomainEvent:
    return DomainEvent(
        id="", type="ticket.breached", org_id=principal.org_id, actor=principal.user_id, subject_type="ticket",
        subject_id=ticket.ticket_id, occurred_at=clock.isoformat(now),
        data={"priority": ticket.priority, "assignee": ticket.assignee, "status": ticket.status,
              "first_response_due_at": clock.isoformat(ticket.first_response_due_at),
              "resolution_due_at": clock.isoformat(ticket.resolution_due_at),
              "recipients": [ticket.assignee] if ticket.assignee else []},
    )


def _apply(principal: Principal, ticket_id: str, changes: dict[str, Any], expected_version: int | None) -> dict[str, Any]:
    org_id = principal.org_id
    current = tickets.get(org_id, ticket_id)
    tickets.check_version(current, expected_version)
    check_active_users(org_id, {"assignee": changes.get("assignee")}, current)
    now = clock.now()
    status = changes.get("status", current.status)
    if status != current.status:
        if status not in TRANSITIONS[current.status]:
            raise Conflict(f"A ticket cannot go from {current.status} to {status}.", field="status")
        if current.first_responded_at is None and "first_responded_at" not in changes:
            changes["first_responded_at"] = now
        if status in ("resolved", "closed") and current.resolved_at is None:
            changes["resolved_at"] = now
        if status == "open":
            changes["resolved_at"] = None
    elif current.status == "closed":
        raise Conflict("A closed ticket cannot change.", field="status")
    if changes.get("priority", current.priority) != current.priority:
        changes.update(due_times(org_id, changes["priority"], current.created_at))
    parts, updated = tickets.modification(current, changes, principal.user_id)
    if not parts:
        return ticket_view(updated, now)
    events = []
    if is_breached(updated, now) and not current.breach_notified:
        parts, updated = tickets.modification(current, {**changes, "breach_notified": True}, principal.user_id)
        events.append(ticket_breached(principal, updated, now))
        count("TicketBreached")
    also: list[Change] = recount(org_id, ticket_counted(current), ticket_counted(updated))
    if updated.customer_id != current.customer_id:
        also += reference_checks(org_id, [("customer_id", customers, updated.customer_id)])
    if updated.assignee and updated.assignee != current.assignee:
        events.append(ticket_assigned(principal, updated))
    commit([*parts, *also], events)
    count("TicketUpdated")
    return ticket_view(updated, now)
