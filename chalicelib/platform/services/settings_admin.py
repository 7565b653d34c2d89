"""An organization's settings: currency, stage probabilities, SLA targets, record visibility and time zone.

One item per organization (table `org_settings`), versioned for If-Match: version 0 means the
organization still runs on the defaults. A write is one conditional put of the whole item with its
audit entry (target_type "settings", target_id the organization) and a `settings.updated` event.
"""
from __future__ import annotations

from typing import Any

from chalicelib.core import clock
from chalicelib.core.errors import PreconditionFailed, ValidationFailed
from chalicelib.core.validation import validate
from chalicelib.observability import count
from chalicelib.platform.services.org_settings import (
    DEFAULT_CURRENCY,
    DEFAULT_SLA_TARGETS,
    DEFAULT_STAGE_PROBABILITIES,
    DEFAULT_TIME_ZONE,
    EVERYONE,
    PRIORITIES,
    RECORD_VISIBILITIES,
    STAGES,
    OrgSettings,
    is_time_zone,
    settings_of,
)
from chalicelib.platform.services.roles import Principal
from chalicelib.platform.tables.org_settings import OrgSettingsModel
from chalicelib.platform.tables.writes import Change, audited, commit

_PERCENT = {"type": "integer", "minimum": 0, "maximum": 100}
# A won deal is certain and a lost one is not going to happen: only the open stages are tunable.
_FIXED = {"closed_won": 100, "closed_lost": 0}
_MINUTES = {"type": "integer", "minimum": 1, "maximum": 525600}
_TARGET = {
    "type": "object",
    "additionalProperties": False,
    "minProperties": 1,
    "properties": {"first_response_minutes": _MINUTES, "resolution_minutes": _MINUTES},
}
_FIELDS: dict[str, Any] = {
    "currency": {"type": ["string", "null"], "pattern": "^[A-Z]{3}$"},
    "stage_probabilities": {
        "type": ["object", "null"],
        "additionalProperties": False,
        "properties": {stage: {"const": _FIXED[stage]} if stage in _FIXED else _PERCENT for stage in STAGES},
    },
    "sla_targets": {
        "type": ["object", "null"],
        "additionalProperties": False,
        "properties": {priority: _TARGET for priority in PRIORITIES},
    },
    "record_visibility": {"type": ["string", "null"], "enum": [*RECORD_VISIBILITIES, None]},
    # An IANA name (Europe/Paris); whether the zone exists is checked against the zone database.
    "time_zone": {"type": ["string", "null"], "minLength": 1, "maxLength": 64, "pattern": "^[A-Za-z][A-Za-z0-9_+/-]*$"},
}
# PUT replaces: what is left out (or null) is the default. PATCH merges (RFC 7396) per stage and
# per priority; null resets a field to its default.
SETTINGS_SCHEMA = {"type": "object", "additionalProperties": False, "properties": _FIELDS}
SETTINGS_PATCH_SCHEMA = {"type": "object", "additionalProperties": False, "minProperties": 1, "properties": _FIELDS}


def get_settings(principal: Principal) -> dict[str, Any]:
    return settings_of(principal.org_id).view()


def replace_settings(principal: Principal, body: Any, expected_version: int | None) -> dict[str, Any]:
    fields = validate(SETTINGS_SCHEMA, body)
    current = settings_of(principal.org_id)
    _check_version(current, expected_version)
    wanted = {
        "currency": fields.get("currency") or DEFAULT_CURRENCY,
        "stage_probabilities": {**DEFAULT_STAGE_PROBABILITIES, **(fields.get("stage_probabilities") or {})},
        "sla_targets": _merge_targets(DEFAULT_SLA_TARGETS, fields.get("sla_targets") or {}),
        "record_visibility": fields.get("record_visibility") or EVERYONE,
        "time_zone": _time_zone(fields.get("time_zone")),
    }
    return _write(principal, current, wanted)


def patch_settings(principal: Principal, body: Any, expected_version: int | None) -> dict[str, Any]:
    fields = validate(SETTINGS_PATCH_SCHEMA, body)
    current = settings_of(principal.org_id)
    _check_version(current, expected_version)
    wanted = {
        "currency": current.currency,
        "stage_probabilities": dict(current.stage_probabilities),
        "sla_targets": dict(current.sla_targets),
        "record_visibility": current.record_visibility,
        "time_zone": current.time_zone,
    }
    if "currency" in fields:
        wanted["currency"] = fields["currency"] or DEFAULT_CURRENCY
    if "stage_probabilities" in fields:
        patch = fields["stage_probabilities"]
        wanted["stage_probabilities"] = (
            dict(DEFAULT_STAGE_PROBABILITIES) if patch is None else {**current.stage_probabilities, **patch}
        )
    if "time_zone" in fields:
        wanted["time_zone"] = _time_zone(fields["time_zone"])
    if "sla_targets" in fields:
        patch = fields["sla_targets"]
        wanted["sla_targets"] = dict(DEFAULT_SLA_TARGETS) if patch is None else _merge_targets(current.sla_targets, patch)
    if "record_visibility" in fields:
        wanted["record_visibility"] = fields["record_visibility"] or EVERYONE
    return _write(principal, current, wanted)


def _time_zone(name: str | None) -> str:
    if name is None:
        return DEFAULT_TIME_ZONE
    if not is_time_zone(name):
        raise ValidationFailed(
            f"time_zone: {name!r} is not a time zone; use an IANA name such as Europe/Paris.",
            [{"field": "time_zone", "message": "time_zone is not an IANA time zone name (e.g. Europe/Paris)"}],
        )
    return name


def _merge_targets(base: dict[str, dict[str, int]], patch: dict[str, dict[str, int]]) -> dict[str, dict[str, int]]:
    merged = {priority: {**base.get(priority, DEFAULT_SLA_TARGETS[priority]), **patch.get(priority, {})} for priority in PRIORITIES}
    errors = [
        {"field": f"sla_targets.{priority}", "message": f"sla_targets.{priority}: the first response cannot be due after the resolution"}
        for priority, target in merged.items()
        if target["first_response_minutes"] > target["resolution_minutes"]
    ]
    if errors:
        raise ValidationFailed("The request body is invalid: " + errors[0]["message"], errors)
    return merged


def _write(principal: Principal, current: OrgSettings, wanted: dict[str, Any]) -> dict[str, Any]:
    before = current.view()
    diff = {name: {"from": before[name], "to": value} for name, value in wanted.items() if before[name] != value}
    if not diff:
        return before
    org_id = principal.org_id
    item = OrgSettingsModel(
        org_id,
        currency=wanted["currency"],
        stage_probabilities=wanted["stage_probabilities"],
        sla_targets=wanted["sla_targets"],
        record_visibility=wanted["record_visibility"],
        time_zone=wanted["time_zone"],
        updated_by=principal.user_id,
        updated_at=clock.now(),
        version=current.version + 1,
    )
    unchanged_since_read = (
        OrgSettingsModel.org_id.does_not_exist() if current.version == 0 else OrgSettingsModel.version == current.version
    )
    audit, event = audited(org_id, principal.user_id, "updated", "settings", org_id, diff)
    commit([
        Change(
            "put",
            item,
            condition=unchanged_since_read,
            on_condition_failed=PreconditionFailed(
                "The settings changed while this request ran; fetch them again.", current_version=current.version
            ),
            audit=audit,
            event=event,
        )
    ])
    count("SettingsUpdated")
    return {**wanted, "version": item.version}


def _check_version(current: OrgSettings, expected_version: int | None) -> None:
    if expected_version is not None and current.version != expected_version:
        raise PreconditionFailed(
            f"The settings are at version {current.version}, not {expected_version}; fetch them again.",
            current_version=current.version,
        )
