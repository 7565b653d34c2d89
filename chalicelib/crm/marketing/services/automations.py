"""Marketing automations: a trigger (a domain event on a lead, contact or customer, and conditions on
the record's fields) and the steps each enrolled record goes through (wait, send an email template,
create a task, set a field, add to a campaign, notify users).

An automation is `active` (it enrols) or `paused` (it enrols nothing, and runs under way stop at
their next step); it is created paused unless the body says otherwise, so it can be reviewed before
it acts. An organization has at most MAX_ACTIVE active automations: the counter of active ones moves
in the same transaction as the status, on condition it stays within the limit (409 beyond).

Everything a step names is checked when the definition is written (the template, the campaign,
the users, the field and its value), each error naming the step's field; what may change later (a
template deleted since) fails that step of a run, with its reason in the run history.
Enrolment and the runs: services/automation_runs.py.
"""
from __future__ import annotations

from typing import Any

from chalicelib.core import clock
from chalicelib.core.errors import Conflict, ValidationFailed
from chalicelib.core.documents import NUMBER_LIMITS
from chalicelib.core.ids import is_id, new_id
from chalicelib.core.search import list_filters
from chalicelib.core.validation import validate
from chalicelib.crm.contact_management.services import contacts, customers, leads
from chalicelib.crm.marketing.tables.automations import ACTIVE, AutomationModel, active_count_change, automations
from chalicelib.crm.marketing.tables.campaigns import campaigns
from chalicelib.crm.marketing.tables.email_templates import email_templates
from chalicelib.observability import count
from chalicelib.platform.services.org_members import check_active_users
from chalicelib.platform.services.records import SearchableRecords
from chalicelib.platform.services.roles import Principal
from chalicelib.platform.tables.base import find
from chalicelib.platform.tables.tenant_table import RESTORE_WINDOW
from chalicelib.platform.tables.writes import Change, commit

STATUSES = ("active", "paused")
LIST_FILTERS = ("status",)
LIST_CHOICES = {"status": STATUSES}
MAX_ACTIVE = 50
MAX_STEPS = 20
MAX_CONDITIONS = 10
MAX_WAIT_SECONDS = 365 * 86400
# The record types an automation enrols, by the kind their events name ("lead.created").
RECORD_TYPES: dict[str, SearchableRecords[Any]] = {"lead": leads.records, "contact": contacts.records,
                                                   "customer": customers.records}
TRIGGER_EVENTS = tuple(f"{kind}.{action}" for kind in RECORD_TYPES for action in ("created", "updated"))
OPERATORS = ("equals", "not_equals", "in", "is_set", "is_not_set")
# Dates a wait may run until: the record's own timestamps, or a custom field holding a date.
DATE_FIELDS = ("created_at", "updated_at")
# Fields a condition or a wait names: a record field, or `custom_fields.<key>`.
FIELD_NAME = r"^(custom_fields\.)?[A-Za-z][A-Za-z0-9_]{0,63}$"

_ID = {"type": "string", "minLength": 1, "maxLength": 64}
_SCALAR = {"type": ["string", "number", "boolean", "null"], "maxLength": 1000, **NUMBER_LIMITS}
CONDITION_SCHEMA: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "required": ["field", "operator"],
    "properties": {
        "field": {"type": "string", "pattern": FIELD_NAME},
        "operator": {"type": "string", "enum": list(OPERATORS)},
        "value": {"oneOf": [_SCALAR, {"type": "array", "minItems": 1, "maxItems": 50, "items": _SCALAR}]},
    },
}
TRIGGER_SCHEMA: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "required": ["event"],
    "properties": {
        "event": {"type": "string", "enum": list(TRIGGER_EVENTS)},
        "conditions": {"type": "array", "maxItems": MAX_CONDITIONS, "items": CONDITION_SCHEMA},
    },
}
# Each step type and the fields it takes (beside `type`); which are required is in STEP_REQUIRED.
STEP_FIELDS: dict[str, dict[str, Any]] = {
    "wait": {
        "seconds": {"type": "integer", "minimum": 1, "maximum": MAX_WAIT_SECONDS},
        "until_field": {"type": "string", "pattern": FIELD_NAME},
        "offset_seconds": {"type": "integer", "minimum": -MAX_WAIT_SECONDS, "maximum": MAX_WAIT_SECONDS},
    },
    "send_email": {"template_id": _ID},
    "create_task": {
        "subject": {"type": "string", "minLength": 1, "maxLength": 200},
        "due_in_seconds": {"type": "integer", "minimum": 0, "maximum": MAX_WAIT_SECONDS},
        "assignee": _ID,
    },
    "set_field": {"field": {"type": "string", "pattern": r"^[A-Za-z][A-Za-z0-9_]{0,63}$"}, "value": _SCALAR},
    "add_to_campaign": {"campaign_id": _ID},
    "notify_users": {
        "user_ids": {"type": "array", "minItems": 1, "maxItems": 20, "uniqueItems": True, "items": _ID},
        "message": {"type": "string", "minLength": 1, "maxLength": 2000},
    },
}
STEP_REQUIRED = {
    "wait": (), "send_email": ("template_id",), "create_task": ("subject", "due_in_seconds"),
    "set_field": ("field", "value"), "add_to_campaign": ("campaign_id",), "notify_users": ("user_ids", "message"),
}  # fmt: skip
STEP_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["type"],
    "properties": {"type": {"type": "string", "enum": list(STEP_FIELDS)}},
    "allOf": [
        {
            "if": {"properties": {"type": {"const": step_type}}, "required": ["type"]},
            "then": {
                "additionalProperties": False,
                "required": list(STEP_REQUIRED[step_type]),
                "properties": {"type": {"const": step_type}, **fields},
            },
        }
        for step_type, fields in STEP_FIELDS.items()
    ],
}
_FIELDS: dict[str, Any] = {
    "name": {"type": "string", "minLength": 1, "maxLength": 200},
    "status": {"type": "string", "enum": list(STATUSES)},
    "trigger": TRIGGER_SCHEMA,
    "steps": {"type": "array", "minItems": 1, "maxItems": MAX_STEPS, "items": STEP_SCHEMA},
}
AUTOMATION_SCHEMA = {
    "type": "object",
    "additionalProperties": False,
    "required": ["name", "trigger", "steps"],
    "properties": _FIELDS,
}
PATCH_SCHEMA = {"type": "object", "additionalProperties": False, "minProperties": 1, "properties": _FIELDS}


def create_automation(principal: Principal, body: Any) -> dict[str, Any]:
    fields = validate(AUTOMATION_SCHEMA, body)
    _check_definition(principal, fields["trigger"], fields["steps"])
    automation = AutomationModel(
        principal.org_id, new_id(), name=fields["name"], status=fields.get("status", "paused"),
        trigger=fields["trigger"], steps=fields["steps"],
    )  # fmt: skip
    also = [_active_change(principal.org_id, +1)] if automation.status == ACTIVE else []
    automations.insert(automation, principal.user_id, also=also)
    count("AutomationCreated")
    return automation_view(automation)


def get_automation(principal: Principal, automation_id: str) -> dict[str, Any]:
    return automation_view(automations.get(principal.org_id, automation_id))


def list_automations(principal: Principal, query: dict[str, str], limit: int, cursor: str | None) -> dict[str, Any]:
    status = list_filters(query, LIST_FILTERS, LIST_CHOICES).get("status")
    # An organization holds few automations: the status is a filter of the one Query of its partition.
    condition = AutomationModel.status == status if status is not None else None
    items, next_cursor = automations.page(principal.org_id, limit, cursor, filter_condition=condition)
    return {"items": [automation_view(item) for item in items], "next_cursor": next_cursor}


def replace_automation(principal: Principal, automation_id: str, body: Any, expected_version: int) -> dict[str, Any]:
    fields = validate(AUTOMATION_SCHEMA, body)
    return _apply(principal, automation_id, {"status": "paused", **fields}, expected_version)


def patch_automation(principal: Principal, automation_id: str, body: Any, expected_version: int | None) -> dict[str, Any]:
    return _apply(principal, automation_id, validate(PATCH_SCHEMA, body), expected_version)


def pause_automation(principal: Principal, automation_id: str) -> dict[str, Any]:
    return _apply(principal, automation_id, {"status": "paused"}, None)


def resume_automation(principal: Principal, automation_id: str) -> dict[str, Any]:
    return _apply(principal, automation_id, {"status": ACTIVE}, None)


def delete_automation(principal: Principal, automation_id: str, expected_version: int | None) -> None:
    current = automations.get(principal.org_id, automation_id)
    automations.check_version(current, expected_version)
    now = clock.now()
    parts, _ = automations.modification(
        current, {"deleted_at": now, "purge_at": now + RESTORE_WINDOW}, principal.user_id, action="deleted"
    )
    commit([*parts, *([_active_change(principal.org_id, -1)] if current.status == ACTIVE else [])])
    count("AutomationDeleted")


def restore_automation(principal: Principal, automation_id: str) -> dict[str, Any]:
    """A restored automation comes back paused: it enrols again only once someone resumes it."""
    current = automations.get_including_deleted(principal.org_id, automation_id)
    if current.deleted_at is None:
        raise Conflict("This automation is not deleted.")
    changes = {"deleted_at": None, "purge_at": None, "status": "paused"}
    parts, restored = automations.modification(current, changes, principal.user_id, action="restored", deleted=True)
    commit(parts)
    count("AutomationRestored")
    return automation_view(restored)


def automation_view(automation: AutomationModel) -> dict[str, Any]:
    return {
        "id": automation.automation_id,
        "name": automation.name,
        "status": automation.status,
        "trigger": automation.trigger,
        "steps": automation.steps,
        "created_at": clock.isoformat(automation.created_at),
        "updated_at": clock.isoformat(automation.updated_at),
        "version": automation.version,
    }


def record_type_of(trigger: dict[str, Any]) -> str:
    return trigger["event"].split(".", 1)[0]


def _apply(principal: Principal, automation_id: str, changes: dict[str, Any], expected_version: int | None) -> dict[str, Any]:
    current = automations.get(principal.org_id, automation_id)
    automations.check_version(current, expected_version)
    trigger, steps = changes.get("trigger", current.trigger), changes.get("steps", current.steps)
    if "trigger" in changes or "steps" in changes:
        _check_definition(principal, trigger, steps)
    parts, updated = automations.modification(current, changes, principal.user_id)
    if not parts:
        return automation_view(current)
    moved = (updated.status == ACTIVE) - (current.status == ACTIVE)
    commit([*parts, *([_active_change(principal.org_id, moved)] if moved else [])])
    count("AutomationUpdated")
    return automation_view(updated)


def _active_change(org_id: str, by: int) -> Change:
    limit = Conflict(
        f"The organization has {MAX_ACTIVE} active automations, its limit; pause one before activating another.",
        limit=MAX_ACTIVE,
    )
    return active_count_change(org_id, by, MAX_ACTIVE, limit)


def _check_definition(principal: Principal, trigger: dict[str, Any], steps: list[dict[str, Any]]) -> None:
    """What the schema cannot say: fields the record type has, values its schema accepts, and the
    templates, campaigns and users steps name, existing in the organization. Every error at once."""
    record_type = record_type_of(trigger)
    records = RECORD_TYPES[record_type]
    errors: list[dict[str, str]] = []
    for position, condition in enumerate(trigger.get("conditions", [])):
        errors += _check_condition(records, condition, f"trigger.conditions[{position}]")
    users: dict[str, str] = {}
    for position, step in enumerate(steps):
        at = f"steps[{position}]"
        errors += _check_step(principal, records, step, at)
        if step["type"] == "create_task" and "assignee" in step:
            users[f"{at}.assignee"] = step["assignee"]
        for number, user_id in enumerate(step.get("user_ids", [])):
            users[f"{at}.user_ids[{number}]"] = user_id
    try:
        check_active_users(principal.org_id, users)
    except ValidationFailed as failure:
        errors += failure.extensions["errors"]
    if errors:
        raise ValidationFailed("The automation is invalid: " + "; ".join(e["message"] for e in errors), errors)


def _check_condition(records: SearchableRecords[Any], condition: dict[str, Any], at: str) -> list[dict[str, str]]:
    errors = []
    if not _is_field(records, condition["field"]):
        errors.append(_error(f"{at}.field", f"is not a field of {records.entity}"))
    operator, value = condition["operator"], condition.get("value", _ABSENT)
    if operator in ("is_set", "is_not_set") and value is not _ABSENT:
        errors.append(_error(f"{at}.value", f"is not taken by {operator}"))
    elif operator == "in" and not isinstance(value, list):
        errors.append(_error(f"{at}.value", "must be a list of values for in"))
    elif operator in ("equals", "not_equals") and (value is _ABSENT or isinstance(value, list)):
        errors.append(_error(f"{at}.value", f"must be one value for {operator}"))
    return errors


def _check_step(principal: Principal, records: SearchableRecords[Any], step: dict[str, Any], at: str) -> list[dict[str, str]]:
    org_id, step_type = principal.org_id, step["type"]
    if step_type == "wait":
        if ("seconds" in step) == ("until_field" in step):
            return [_error(at, "a wait takes either seconds or until_field")]
        if "offset_seconds" in step and "until_field" not in step:
            return [_error(f"{at}.offset_seconds", "is taken only with until_field")]
        field = step.get("until_field")
        if field is not None and field not in DATE_FIELDS and not field.startswith("custom_fields."):
            return [_error(f"{at}.until_field", "must be created_at, updated_at or custom_fields.<a date field>")]
    elif step_type == "send_email":
        if not _exists(email_templates, org_id, step["template_id"]):
            return [_error(f"{at}.template_id", "no email template of this organization has this id")]
    elif step_type == "add_to_campaign":
        if not _exists(campaigns, org_id, step["campaign_id"]):
            return [_error(f"{at}.campaign_id", "no campaign of this organization has this id")]
    elif step_type == "set_field":
        field = step["field"]
        if field == "name" or field not in records.patch_schema["properties"]:
            return [_error(f"{at}.field", f"is not a field an automation may set on {records.entity}")]
        try:
            validate(records.patch_schema, {field: step["value"]})
        except ValidationFailed:
            return [_error(f"{at}.value", f"is not a valid {field} of {records.entity}")]
    return []


_ABSENT = object()


def _is_field(records: SearchableRecords[Any], field: str) -> bool:
    return field.startswith("custom_fields.") or field in records.view_fields or field in DATE_FIELDS


def _exists(table: Any, org_id: str, record_id: str) -> bool:
    item = find(table.model, org_id, record_id) if is_id(record_id) else None
    return item is not None and item.deleted_at is None


def _error(field: str, message: str) -> dict[str, str]:
    return {"field": field, "message": f"{field} {message}"}


def conditions_met(conditions: list[dict[str, Any]], record: dict[str, Any]) -> bool:
    """Every condition holds for `record` (its view: custom fields under `custom_fields`)."""
    return all(_holds(condition, _value_of(record, condition["field"])) for condition in conditions)


def _value_of(record: dict[str, Any], field: str) -> Any:
    if field.startswith("custom_fields."):
        return (record.get("custom_fields") or {}).get(field.split(".", 1)[1])
    return record.get(field)


def _holds(condition: dict[str, Any], actual: Any) -> bool:
    operator, expected = condition["operator"], condition.get("value")
    if operator == "is_set":
        return actual not in (None, "", [])
    if operator == "is_not_set":
        return actual in (None, "", [])
    if operator == "in":
        return _matches_any(actual, expected)
    matched = _matches_any(actual, [expected])
    return matched if operator == "equals" else not matched


def _matches_any(actual: Any, expected: list[Any]) -> bool:
    # A list field (tags) matches when any of its values does; text compares without case.
    values = actual if isinstance(actual, list) else [actual]
    return any(_same(value, wanted) for value in values for wanted in expected)


def _same(actual: Any, expected: Any) -> bool:
    if isinstance(actual, str) and isinstance(expected, str):
        return actual.casefold() == expected.casefold()
    # true is not 1: a boolean equals only a boolean.
    return isinstance(actual, bool) == isinstance(expected, bool) and actual == expected
