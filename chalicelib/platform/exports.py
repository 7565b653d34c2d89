"""Exportable resources: the list routes `POST /v1/exports` may export, by their REST collection.

The platform holds the mechanism, the products their resources: a product lists them in a module
(`EXPORTS`, e.g. chalicelib/crm/exports.py) that app.py registers by name, as it registers its
record kinds (platform/kinds.py). The module is imported on first use, so registering costs the
cold start nothing.
"""
from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Exportable:
    """One list route as an export reads it: `read` is the permission its GET needs, `filters` the
    query parameters it takes, `records()` its SearchableRecords service (searched page by page
    with the creator's principal, exactly as the route does)."""

    resource: str
    read: str
    filters: tuple[str, ...]
    records: Callable[[], Any]

    def columns(self) -> tuple[str, ...]:
        """Every field of the list route's items, in the order the route shows them."""
        return ("id", *self.records().view_fields, "created_at", "updated_at", "version")


_modules: list[str] = []
_exportables: dict[str, Exportable] = {}


def register_exports(module_name: str) -> None:
    """Add a product's exportable resources: `module_name` defines EXPORTS, a sequence of Exportable."""
    if module_name not in _modules:
        _modules.append(module_name)
        _exportables.clear()


def exportables() -> dict[str, Exportable]:
    if not _exportables:
        for module_name in _modules:
            for exportable in importlib.import_module(module_name).EXPORTS:
                if exportable.resource in _exportables:
                    raise ValueError(f"exportable {exportable.resource!r} is registered twice")
                _exportables[exportable.resource] = exportable
    return _exportables
