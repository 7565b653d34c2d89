"""SLA policies: per priority, minutes to first response and to resolution.

Design: one policy per priority (the priority is the policy's id: /v1/sla-policies/{priority}).
A ticket takes the targets of the policy for its priority; a priority without one takes the
organization's settings (`sla_targets`, with defaults). Changing a policy does not move the due
times of existing tickets; they were promised at creation (or at their last priority change).
"""
from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from chalicelib.core import clock
from chalicelib.core.errors import NotFound
from chalicelib.core.validation import validate
from chalicelib.crm.support.tables.sla_policies import SlaPolicyModel, find_policy, sla_policies
from chalicelib.observability import count
from chalicelib.platform.services.org_settings import PRIORITIES, settings_of
from chalicelib.platform.services.roles import Principal
from chalicelib.platform.tables.writes import Change, audited, commit

_MINUTES = {"type": "integer", "minimum": 1, "maximum": 525_600}
_FIELDS: dict[str, Any] = {
    "name": {"type": ["string", "null"], "maxLength": 200},
    "first_response_minutes": _MINUTES,
    "resolution_minutes": _MINUTES,
}
POLICY_SCHEMA = {
    "type": "object",
    "additionalProperties": False,
    "required": ["priority", "first_response_minutes", "resolution_minutes"],
    "properties": {"priority": {"type": "string", "enum": list(PRIORITIES)}, **_FIELDS},
}
REPLACE_SCHEMA = {
    "type": "object",
    "additionalProperties": False,
    "required": ["first_response_minutes", "resolution_minutes"],
    "properties": _FIELDS,
}
PATCH_SCHEMA = {"type": "object", "additionalProperties": False, "minProperties": 1, "properties": _FIELDS}


def create_policy(principal: Principal, body: Any) -> dict[str, Any]:
    fields = validate(POLICY_SCHEMA, body)
    policy = SlaPolicyModel(principal.org_id, fields["priority"], name=fields.get("name"),
                            first_response_minutes=fields["first_response_minutes"],
                            resolution_minutes=fields["resolution_minutes"])
    sla_policies.insert(policy, principal.user_id)
    count("SlaPolicyCreated")
    return policy_view(policy)


def get_policy(principal: Principal, priority: str) -> dict[str, Any]:
    return policy_view(sla_policies.get(principal.org_id, _priority(priority)))


def list_policies(principal: Principal, limit: int, cursor: str | None) -> dict[str, Any]:
    items, next_cursor = sla_policies.page(principal.org_id, limit, cursor)
    return {"items": [policy_view(item) for item in items], "next_cursor": next_cursor}


def replace_policy(principal: Principal, priority: str, body: Any, expected_version: int) -> dict[str, Any]:
    fields = validate(REPLACE_SCHEMA, body)
    return _apply(principal, priority, {"name": None, **fields}, expected_version)


def patch_policy(principal: Principal, priority: str, body: Any, expected_version: int | None) -> dict[str, Any]:
    return _apply(principal, priority, validate(PATCH_SCHEMA, body), expected_version)


def delete_policy(principal: Principal, priority: str, expected_version: int | None) -> None:
    """A hard delete: the priority falls back to the organization's settings; the audit entry
    (same transaction) keeps what the policy was."""
    current = sla_policies.get(principal.org_id, _priority(priority))
    sla_policies.check_version(current, expected_version)
    audit, event = audited(principal.org_id, principal.user_id, "deleted", sla_policies.kind, current.priority,
                           {"first_response_minutes": int(current.first_response_minutes),
                            "resolution_minutes": int(current.resolution_minutes)})
    commit([Change("delete", SlaPolicyModel(principal.org_id, current.priority),
                   condition=SlaPolicyModel.version == current.version,
                   on_condition_failed=sla_policies.not_found(), audit=audit, event=event)])
    count("SlaPolicyDeleted")


def targets_for(org_id: str, priority: str) -> dict[str, int]:
    """Minutes to first response and resolution for a priority: its policy, else the settings."""
    policy = find_policy(org_id, priority)
    if policy is not None:
        return {"first_response_minutes": int(policy.first_response_minutes),
                "resolution_minutes": int(policy.resolution_minutes)}
    targets = settings_of(org_id).sla_targets[priority]
    return {"first_response_minutes": int(targets["first_response_minutes"]),
            "resolution_minutes": int(targets["resolution_minutes"])}


def due_times(org_id: str, priority: str, since: datetime) -> dict[str, datetime]:
    targets = targets_for(org_id, priority)
    return {
        "first_response_due_at": since + timedelta(minutes=targets["first_response_minutes"]),
        "resolution_due_at": since + timedelta(minutes=targets["resolution_minutes"]),
    }


def policy_view(policy: SlaPolicyModel) -> dict[str, Any]:
    return {
        "id": policy.priority,
        "priority": policy.priority,
        "name": policy.name,
        "first_response_minutes": int(policy.first_response_minutes),
        "resolution_minutes": int(policy.resolution_minutes),
        "created_at": clock.isoformat(policy.created_at),
        "updated_at": clock.isoformat(policy.updated_at),
        "version": policy.version,
    }


def _priority(priority: str) -> str:
    if priority not in PRIORITIES:
        raise NotFound("No SLA policy with this id; ids are the priorities " + ", ".join(PRIORITIES) + ".")
    return priority


def _apply(principal: Principal, priority: str, changes: dict[str, Any], expected_version: int | None) -> dict[str, Any]:
    policy = sla_policies.update(principal.org_id, _priority(priority), changes, expected_version, principal.user_id)
    count("SlaPolicyUpdated")
    return policy_view(policy)
