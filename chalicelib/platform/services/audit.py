"""The audit trail, read-only: every write of every resource, newest first."""
from __future__ import annotations

import json
from typing import Any

from chalicelib.core.errors import MalformedRequest
from chalicelib.core.search import list_filters
from chalicelib.platform.services.roles import Principal
from chalicelib.platform.tables.audit_logs import AuditLogModel, target_key
from chalicelib.platform.tables.base import query_page
from chalicelib.platform.tables.writes import plain

# One record's history: both or neither (each 1 to 200 characters, core.search.list_filters).
TARGET_FILTERS = ("target_type", "target_id")


def list_entries(
    principal: Principal, target_type: str | None, target_id: str | None, limit: int, cursor: str | None
) -> dict[str, Any]:
    """The whole organization's trail (table order), or one record's history (index by_target)."""
    given = {name: value for name, value in (("target_type", target_type), ("target_id", target_id)) if value is not None}
    list_filters(given, TARGET_FILTERS)
    if bool(target_type) != bool(target_id):
        raise MalformedRequest("Filter by target_type and target_id together.", field="target_id")
    org_id = principal.org_id
    if target_type:
        key = target_key(org_id, target_type, target_id)
        items, next_cursor = query_page(
            AuditLogModel.by_target, AuditLogModel, {"org_id": org_id, "target_key": key}, key,
            frozenset({"entry_id"}), limit, cursor, newest_first=True,
        )
    else:
        items, next_cursor = query_page(
            AuditLogModel, AuditLogModel, {"org_id": org_id}, org_id, frozenset({"entry_id"}), limit, cursor,
            newest_first=True,
        )
    return {"items": [entry_view(item) for item in items], "next_cursor": next_cursor}


def entry_view(entry: AuditLogModel) -> dict[str, Any]:
    return {
        "id": entry.entry_id,
        "actor": entry.actor,
        "action": entry.action,
        "target_type": entry.target_type,
        "target_id": entry.target_id,
        "at": plain(entry.at),
        "changes": json.loads(entry.changes_json),
    }
