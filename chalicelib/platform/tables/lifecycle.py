"""Soft delete and restore that carry more than the record: the sales tables keep other items in
step with a record's life (a stage counter, a SKU claim), and those must change in the SAME
transaction as the delete or restore, computed from the record as it was read.

TenantTable.soft_delete/restore take no extra changes because what to add depends on the current
record; these take a function of it. Same conditions, audit entries and events as TenantTable's.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from chalicelib.core import clock
from chalicelib.core.errors import Conflict, NotFound
from chalicelib.platform.tables.tenant_table import RESTORE_WINDOW, M, TenantTable
from chalicelib.platform.tables.writes import Change, commit

Extra = Callable[[Any], Sequence[Change]]


def soft_delete(table: TenantTable[M], org_id: str, sort_key: str, expected_version: int | None, actor: str,
                also: Extra, guard: Callable[[Any], None] = lambda current: None) -> M:
    """`guard(current)` raises the domain error of a record that may not be deleted (a closed deal)."""
    current = table.get(org_id, sort_key)
    guard(current)
    table.check_version(current, expected_version)
    now = clock.now()
    changes: dict[str, Any] = {"deleted_at": now}
    if "purge_at" in table.model.get_attributes():
        changes["purge_at"] = now + RESTORE_WINDOW
    parts, deleted = table.modification(current, changes, actor, action="deleted")
    commit([*parts, *also(current)])
    return deleted


def restore(table: TenantTable[M], org_id: str, sort_key: str, actor: str, also: Extra) -> M:
    current = table.get_including_deleted(org_id, sort_key)
    if current.deleted_at is None:
        raise Conflict(f"This {table.noun} is not deleted.")
    if current.deleted_at < clock.now() - RESTORE_WINDOW:
        raise NotFound(f"This {table.noun} was deleted more than 30 days ago and cannot be restored.")
    changes: dict[str, Any] = {"deleted_at": None}
    if "purge_at" in table.model.get_attributes():
        changes["purge_at"] = None
    parts, restored = table.modification(current, changes, actor, action="restored", deleted=True)
    commit([*parts, *also(restored)])
    return restored
