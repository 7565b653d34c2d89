"""Table `automations`: partition `org_id`, sort `automation_id` (time-ordered, lists oldest first).

`trigger` and `steps` are stored as JSON documents (their shape is the service's schema, checked
before every write). Access patterns:
| pattern                                   | served by                                                        |
|-------------------------------------------|------------------------------------------------------------------|
| GET one                                   | GetItem                                                          |
| GET /v1/automations (status filter too)   | one Query of the table (org_id), status as FilterExpression      |
| the active automations an event triggers  | GSI by_trigger (trigger_key = "<org>#<event type>", automation_id) |

`trigger_key` is set only while the automation is active and not deleted, so by_trigger is sparse:
matching an event reads exactly the automations that may enrol it, one Query per organization and
event type in a batch, and pausing takes an automation out of it in the same write.
"""
from __future__ import annotations

from typing import Any

from pynamodb.attributes import JSONAttribute, TTLAttribute, UnicodeAttribute

from chalicelib.core.errors import DomainError
from chalicelib.platform.tables.base import global_index, table_meta
from chalicelib.platform.tables.counters import CounterModel
from chalicelib.platform.tables.tenant_table import TenantRecord, TenantTable
from chalicelib.platform.tables.writes import Change

ACTIVE = "active"
# The counter of an organization's active automations (its limit is a condition on it).
ACTIVE_COUNTER = "automations_active"


class AutomationModel(TenantRecord):
    Meta = table_meta("automations")

    automation_id = UnicodeAttribute(range_key=True)
    name = UnicodeAttribute()
    status = UnicodeAttribute()
    trigger = JSONAttribute()
    steps = JSONAttribute()
    # Deleted automations stay restorable for 30 days; then DynamoDB's TTL removes them.
    purge_at = TTLAttribute(null=True)

    trigger_key = UnicodeAttribute(null=True)

    by_trigger = global_index("by_trigger", "trigger_key", "automation_id")


def trigger_key(org_id: str, event_type: str) -> str:
    return f"{org_id}#{event_type}"


def _derive(item: AutomationModel) -> dict[str, Any]:
    live = item.status == ACTIVE and item.deleted_at is None
    return {"trigger_key": trigger_key(item.org_id, item.trigger["event"]) if live else None}


automations = TenantTable(
    AutomationModel, "automation_id", "automation", derive=_derive, derived_attributes=frozenset({"trigger_key"})
)


def triggered_by(org_id: str, event_type: str) -> list[AutomationModel]:
    """The organization's active automations whose trigger is `event_type` (one Query of by_trigger;
    an organization has at most its limit of active automations)."""
    return list(AutomationModel.by_trigger.query(trigger_key(org_id, event_type)))


def active_count_change(org_id: str, by: int, limit: int, on_limit: DomainError) -> Change:
    """Moves the organization's count of active automations by `by`; a rise only while the count is
    under `limit` (the transaction refuses the one that would pass it)."""
    condition = None
    if by > 0:
        condition = CounterModel.value.does_not_exist() | (CounterModel.value < limit)
    return Change(
        "update", CounterModel(org_id, ACTIVE_COUNTER), actions=[CounterModel.value.add(by)],
        condition=condition, on_condition_failed=on_limit if by > 0 else None,
    )  # fmt: skip

