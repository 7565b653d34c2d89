"""POST /v1/sync: an offline client's changes, each applied through its kind's own service (the
functions behind the REST routes, as the record kinds registry names them, platform/kinds.py:
permissions, validation, references, audit, events and the change feed come with them; there is no
second write path), conditionally on the version the client based it on, with a result per change
in order.

An update based on an older version than the server's is merged field by field: the fields the
server changed since `base_version` are read from the record's audit trail (one Query of the
`by_target` index, platform/tables/audit_logs.changes_since); the client's other fields are applied
conditionally on the current version (again if it moves meanwhile); a field both sides changed to
different values is not applied and is reported as a conflict, with the server's record. A delete
based on an older version is not applied (it would discard the server's changes): a conflict. An
update of a record deleted on the server is a conflict with no record; a delete of a deleted record
is applied. Nothing is overwritten without the client being told.

Each change is applied once per (organization, client_id, change_id): its result is kept 24 h in
`idempotency_keys`, claimed by a conditional write before the change runs, and a retried push gets
the stored result. A rejected change is not kept (it wrote nothing; corrected, it may be sent again
with its change_id), as the platform's Idempotency-Key keeps only successes.
"""
from __future__ import annotations

import hashlib
import json
import time
from typing import Any

from chalicelib.core import clock
from chalicelib.core.errors import (
    Conflict,
    DomainError,
    NotFound,
    PreconditionFailed,
    ServiceUnavailable,
    ValidationFailed,
)
from chalicelib.core.ids import given_id, is_id
from chalicelib.core.validation import validate
from chalicelib.observability import count
from chalicelib.platform.kinds import RecordKind, record_kinds
from chalicelib.platform.services.roles import Principal
from chalicelib.platform.tables import idempotency
from chalicelib.platform.tables.audit_logs import changes_since
from chalicelib.platform.tables.base import temporarily_unavailable

MAX_CHANGES = 100
# Attempts at a merged update while other writers keep moving the record (each re-reads it).
MERGE_ATTEMPTS = 4
# The by_target index is eventually consistent: a write a moment old may not be in it yet.
HISTORY_PAUSE_SECONDS = 0.1
_TEXT_ID = {"type": "string", "minLength": 1, "maxLength": 128, "pattern": r"^[\x21-\x7e]+$"}
PUSH_SCHEMA = {
    "type": "object",
    "additionalProperties": False,
    "required": ["client_id", "changes"],
    "properties": {
        "client_id": _TEXT_ID,
        "changes": {
            "type": "array",
            "minItems": 1,
            "maxItems": MAX_CHANGES,
            "items": {
                "type": "object",
                "additionalProperties": False,
                "required": ["change_id", "kind", "id", "op"],
                "properties": {
                    "change_id": _TEXT_ID,
                    "kind": {"type": "string", "minLength": 1, "maxLength": 64},
                    "id": {"type": "string", "minLength": 1, "maxLength": 64},
                    "op": {"type": "string", "enum": ["create", "update", "delete"]},
                    "base_version": {"type": ["integer", "null"], "minimum": 1},
                    "fields": {"type": "object"},
                },
            },
        },
    },
}
_ABSENT = object()


def push(principal: Principal, body: Any) -> dict[str, Any]:
    """Results in the order of the changes: {"change_id", "status": "applied"|"conflict"|"rejected",
    ...}; a rejected one carries `error` (the DomainError the REST route would have answered)."""
    request = validate(PUSH_SCHEMA, body)
    change_ids = [change["change_id"] for change in request["changes"]]
    if len(set(change_ids)) != len(change_ids):
        raise ValidationFailed(
            "Each change of a push needs its own change_id.", [{"field": "changes", "message": "change_id repeated"}]
        )
    return {"results": [_once(principal, request["client_id"], change) for change in request["changes"]]}


def _once(principal: Principal, client_id: str, change: dict[str, Any]) -> dict[str, Any]:
    try:
        kind = _writable_kind(principal, change)
    except DomainError as error:
        return _rejected(change, error)
    scope_key = _digest(f"sync|{principal.org_id}|{client_id}|{change['change_id']}")
    fingerprint = _digest(json.dumps(change, sort_keys=True, separators=(",", ":")))
    existing = idempotency.claim(scope_key, fingerprint, clock.epoch_seconds())
    if existing is not None:
        return _replayed(change, existing, fingerprint)
    try:
        result = {"change_id": change["change_id"], **_apply(principal, kind, change)}
    except Exception as error:
        idempotency.release(scope_key)
        if isinstance(error, DomainError):
            return _rejected(change, error)
        if temporarily_unavailable(error):
            return _rejected(change, ServiceUnavailable())
        raise
    idempotency.complete(scope_key, 200, json.dumps(result, separators=(",", ":")), {})
    count(f"SyncChange{result['status'].title()}")
    return result


def _writable_kind(principal: Principal, change: dict[str, Any]) -> RecordKind:
    kind = record_kinds().get(change["kind"])
    if kind is None:
        raise ValidationFailed(f"No kind {change['kind']!r} can be pushed.", [{"field": "kind", "message": "unknown kind"}])
    principal.require(kind.write)
    op, base_version = change["op"], change.get("base_version")
    if op == "create":
        if not is_id(change["id"]):
            raise ValidationFailed(
                "A created record's id is a ULID the client generated: 26 upper-case Crockford base32 characters.",
                [{"field": "id", "message": "not a ULID"}],
            )
        if base_version is not None:
            raise ValidationFailed("A create has no base_version.", [{"field": "base_version", "message": "must be null"}])
    else:
        if not is_id(change["id"]):
            raise kind.table.not_found()  # as the REST route answers an id of another shape
        if base_version is None:
            raise ValidationFailed(
                f"An {op} names the version it was based on (the version last pulled).",
                [{"field": "base_version", "message": "required"}],
            )
    if op != "delete" and "fields" not in change:
        raise ValidationFailed(f"A {op} carries the record's fields.", [{"field": "fields", "message": "required"}])
    return kind


def _apply(principal: Principal, kind: RecordKind, change: dict[str, Any]) -> dict[str, Any]:
    if change["op"] == "create":
        return _create(principal, kind, change["id"], change["fields"])
    if change["op"] == "update":
        return _update(principal, kind, change["id"], change["base_version"], change["fields"])
    return _delete(principal, kind, change["id"], change["base_version"])


def _create(principal: Principal, kind: RecordKind, record_id: str, fields: dict[str, Any]) -> dict[str, Any]:
    try:
        with given_id(record_id):
            record = kind.create(principal, fields)
    except Conflict:
        existing = _tombstone_or_none(principal, kind, record_id)
        if existing is None:
            raise  # a conflict of the create itself (a unique name taken): the REST route's 409
        return _conflict(existing["record"], existing["version"], [], None, reason="exists")
    if record["id"] != record_id:
        raise RuntimeError(f"{kind.name} create minted an id before the record's own")
    return {"status": "applied", "version": record["version"], "record": record}


def _update(
    principal: Principal, kind: RecordKind, record_id: str, base_version: int, fields: dict[str, Any]
) -> dict[str, Any]:
    try:
        record = kind.update(principal, record_id, fields, base_version)
        return {"status": "applied", "version": record["version"], "record": record}
    except PreconditionFailed:
        pass  # the server moved on since base_version: merge
    except NotFound:
        return _on_missing(principal, kind, record_id, deleting=False)
    for _ in range(MERGE_ATTEMPTS):
        try:
            result = _merged_update(principal, kind, record_id, base_version, fields)
        except NotFound:
            return _on_missing(principal, kind, record_id, deleting=False)
        if result is not None:
            return result
    raise PreconditionFailed(f"The {kind.table.noun} kept changing while this change was merged; push it again.")


def _merged_update(
    principal: Principal, kind: RecordKind, record_id: str, base_version: int, fields: dict[str, Any]
) -> dict[str, Any] | None:
    """The client's fields the server did not change since `base_version`, applied on the current
    version; None when another write moved the record meanwhile (the caller merges again)."""
    current = _current(principal, kind, record_id)
    server_changed = _server_changed(principal, kind, record_id, base_version, current["version"])
    conflicts = [
        {"field": name, "client": value, "server": current.get(name)}
        for name, value in fields.items()
        if name in server_changed and current.get(name, _ABSENT) != value
    ]
    to_apply = {name: value for name, value in fields.items() if name not in server_changed}
    record = current
    if to_apply:  # a patch without fields is refused by every kind's schema; nothing to write
        try:
            record = kind.update(principal, record_id, to_apply, current["version"])
        except PreconditionFailed:
            return None
    merged = {"applied": sorted(to_apply), "kept": sorted(set(server_changed) - {c["field"] for c in conflicts})}
    if conflicts:
        return _conflict(record, record["version"], conflicts, merged, reason="both_changed")
    return {"status": "applied", "version": record["version"], "record": record, "merged": merged}


def _delete(principal: Principal, kind: RecordKind, record_id: str, base_version: int) -> dict[str, Any]:
    try:
        kind.delete(principal, record_id, base_version)
        return {"status": "applied", "version": base_version + 1, "record": None}
    except PreconditionFailed:
        pass
    except NotFound:
        return _on_missing(principal, kind, record_id, deleting=True)
    try:
        current = _current(principal, kind, record_id)
    except NotFound:
        return _on_missing(principal, kind, record_id, deleting=True)
    if current["version"] < base_version:
        raise _future_version(kind, current["version"], base_version)
    changed = _server_changed(principal, kind, record_id, base_version, current["version"])
    conflicts = [{"field": name, "client": None, "server": current.get(name)} for name in sorted(changed)]
    return _conflict(current, current["version"], conflicts, {"applied": [], "kept": []}, reason="changed_since_base")


def _server_changed(
    principal: Principal, kind: RecordKind, record_id: str, base_version: int, current_version: int
) -> dict[str, Any]:
    """The fields the server's writes after `base_version` changed, with their final values."""
    if current_version < base_version:
        raise _future_version(kind, current_version, base_version)
    for attempt in range(3):
        entries = changes_since(principal.org_id, kind.table.kind, record_id, base_version, current_version)
        if entries is not None:
            break
        time.sleep(HISTORY_PAUSE_SECONDS * (attempt + 1))
    else:
        raise ServiceUnavailable("This record's history is still being written; push the change again.")
    changed: dict[str, Any] = {}
    for entry in entries:
        changed.update({name: diff.get("to") for name, diff in json.loads(entry.changes_json).items()})
    return changed


def _on_missing(principal: Principal, kind: RecordKind, record_id: str, deleting: bool) -> dict[str, Any]:
    """The record is not live: deleted on the server (a delete is done; an update conflicts), or
    it never was in this organization (404, as the REST route answers)."""
    tombstone = _tombstone_or_none(principal, kind, record_id)
    if tombstone is None:
        raise kind.table.not_found()
    if deleting:
        return {"status": "applied", "version": tombstone["version"], "record": None}
    return _conflict(None, tombstone["version"], [], None, reason="deleted")


def _current(principal: Principal, kind: RecordKind, record_id: str) -> dict[str, Any]:
    """The record as its REST GET shows it (read without the GET's side effects, as a pull reads it)."""
    item = kind.table.get(principal.org_id, record_id)
    if not kind.visible(principal, item):
        raise kind.table.not_found()
    return kind.view(item)


def _tombstone_or_none(principal: Principal, kind: RecordKind, record_id: str) -> dict[str, Any] | None:
    """The record as the server has it ({"record": view or None when deleted, "version"}), or None
    when this organization has no record with this id."""
    try:
        item = kind.table.get_including_deleted(principal.org_id, record_id, consistent=True)
    except NotFound:
        return None
    if getattr(item, "deleted_at", None) is not None:
        return {"record": None, "version": int(item.version)}
    record = _current(principal, kind, record_id)
    return {"record": record, "version": record["version"]}


def _conflict(
    record: dict[str, Any] | None, version: int, conflicts: list[dict[str, Any]], merged: Any, reason: str
) -> dict[str, Any]:
    return {
        "status": "conflict",
        "reason": reason,
        "version": version,
        "record": record,
        "conflicts": conflicts,
        "merged": merged or {"applied": [], "kept": []},
    }


def _rejected(change: dict[str, Any], error: DomainError) -> dict[str, Any]:
    count("SyncChangeRejected")
    return {"change_id": change["change_id"], "status": "rejected", "error": error}


def _replayed(change: dict[str, Any], existing: Any, fingerprint: str) -> dict[str, Any]:
    if existing.fingerprint != fingerprint:
        return _rejected(
            change,
            ValidationFailed(
                "This change_id was already pushed with a different change.",
                [{"field": "change_id", "message": "reused with a different change"}],
            ),
        )
    if existing.response_status is None:
        in_progress = Conflict("This change is being applied by another push; send it again shortly.")
        in_progress.headers["Retry-After"] = "1"
        return _rejected(change, in_progress)
    return json.loads(existing.response_body)


def _future_version(kind: RecordKind, current_version: int, base_version: int) -> PreconditionFailed:
    return PreconditionFailed(
        f"The {kind.table.noun} is at version {current_version}, not {base_version}; pull it again.",
        current_version=current_version,
    )


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()
