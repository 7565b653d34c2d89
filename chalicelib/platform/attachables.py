"""Record types files may be attached to (POST /v1/files {"record_type", "record_id", ...}).

The platform holds the mechanism, the products their types: a product lists them in a module
(`ATTACHABLE_RECORD_TYPES`, e.g. chalicelib/crm/attachables.py) that app.py registers by name, as it
registers its record kinds. The module is imported on the first files request, so registering it
costs the cold start nothing.

A file inherits its record's visibility: every files request reads the record through `get`, the
record's own service read (tenancy, and whatever narrows what the caller sees, such as team
visibility), and needs the record resource's permission (`<resource>:read` to see files,
`<resource>:write` to add or delete them). Deleting the record deletes its files: the events
consumer (platform/services/files.py) acts on `<table.kind>.deleted`.
"""
from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class AttachableRecordType:
    """`name` is what clients send as record_type (the REST collection: "customers"); `table` the
    record's TenantTable (its kind names the deletion event; a file's creation checks the record
    is live in the same transaction); `get(principal, record_id)` the record's service read,
    raising NotFound for a record the caller may not see; `resource` the permissions' resource."""

    name: str
    table: Any
    get: Callable[[Any, str], Any]
    resource: str = ""

    @property
    def permission_resource(self) -> str:
        return self.resource or self.name


_modules: list[str] = []
_types: dict[str, AttachableRecordType] = {}


def register_attachables(module_name: str) -> None:
    """Add a product's types: `module_name` defines ATTACHABLE_RECORD_TYPES."""
    if module_name not in _modules:
        _modules.append(module_name)
        _types.clear()


def attachable_record_types() -> dict[str, AttachableRecordType]:
    """Every registered type by name, in registration order."""
    if not _types:
        for module_name in _modules:
            for record_type in importlib.import_module(module_name).ATTACHABLE_RECORD_TYPES:
                if record_type.name in _types:
                    raise ValueError(f"attachable record type {record_type.name!r} is registered twice")
                _types[record_type.name] = record_type
    return _types
