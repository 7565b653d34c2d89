"""Record kinds: the record types a client may sync (GET/POST /v1/sync), by their REST collection.

The platform holds the mechanism, the products their kinds: a product lists its kinds in a module
(`RECORD_KINDS`, e.g. chalicelib/crm/kinds.py) that app.py registers by name, as it registers the
product's blueprints. The module is imported on first use, so registering it costs the cold start
nothing and only sync requests load every kind's services.

A kind's table declares the same collection as its `feed_kind`, so each of its writes enters the
organization's change feed (platform/tables/changes.py) under that name.
"""
from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


def _everyone(principal: Any, record: Any) -> bool:
    return True


@dataclass(frozen=True)
class RecordKind:
    """One syncable record type. `table` is its TenantTable (with `feed_kind` set); `read` the
    permission its GET routes need; `view` the record as those routes return it; `visible` narrows
    what a reader with `read` sees (a knowledge-base draft only for its writers). The writes are
    its service's: `create(principal, body)`, `update(principal, id, merge patch, expected
    version)`, `delete(principal, id, expected version)`, each with the REST routes' rules."""

    table: Any
    read: str
    view: Callable[[Any], dict[str, Any]]
    create: Callable[[Any, Any], dict[str, Any]]
    update: Callable[[Any, str, Any, int | None], dict[str, Any]]
    delete: Callable[[Any, str, int | None], None]
    visible: Callable[[Any, Any], bool] = _everyone

    @property
    def name(self) -> str:
        return self.table.feed_kind

    @property
    def write(self) -> str:
        """The permission its create, update and delete routes need: the write of the resource its
        reads need (a note is written with customers:write, as it is read with customers:read)."""
        resource, _, _ = self.read.partition(":")
        return f"{resource}:write"


_modules: list[str] = []
_kinds: dict[str, RecordKind] = {}


def register_kinds(module_name: str) -> None:
    """Add a product's kinds: `module_name` defines RECORD_KINDS, a sequence of RecordKind."""
    if module_name not in _modules:
        _modules.append(module_name)
        _kinds.clear()


def record_kinds() -> dict[str, RecordKind]:
    """Every registered kind by name, in registration order."""
    if not _kinds:
        for module_name in _modules:
            for kind in importlib.import_module(module_name).RECORD_KINDS:
                if not kind.name or kind.name in _kinds:
                    raise ValueError(f"record kind {kind.name!r} has no feed kind or is registered twice")
                _kinds[kind.name] = kind
    return _kinds
