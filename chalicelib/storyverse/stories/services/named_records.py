"""Universes and characters: the built-in catalogue (services/catalogue.py, read-only, the same
for every family) and each family's own, which its parents create, edit and delete. Both read
alike: a list shows the catalogue first, then the family's own (oldest first), and one id reads
either. Writing a built-in one is 403: it belongs to every family.

Permissions are the routes' (`characters:*`, `universes:*`): a child reads, parents write.
"""
from __future__ import annotations

from typing import Any

from chalicelib.core.cursors import decode_cursor, encode_cursor
from chalicelib.core.errors import Forbidden, MalformedRequest
from chalicelib.core.ids import new_id
from chalicelib.core.search import list_filters
from chalicelib.core.validation import validate
from chalicelib.observability import count
from chalicelib.platform.services.roles import Principal
from chalicelib.platform.tables.tenant_table import TenantTable
from chalicelib.platform.tables.writes import plain
from chalicelib.storyverse.stories.services.catalogue import builtin_view, builtin_views, is_builtin

SOURCES = ("builtin", "family")
LIST_FILTERS = ("source",)
LIST_CHOICES = {"source": SOURCES}

_FIELDS: dict[str, Any] = {
    "name": {"type": "string", "minLength": 1, "maxLength": 100, "pattern": r"\S"},
    "description": {"type": ["string", "null"], "maxLength": 2000},
}
SCHEMA = {"type": "object", "additionalProperties": False, "required": ["name"], "properties": _FIELDS}
PATCH_SCHEMA = {"type": "object", "additionalProperties": False, "minProperties": 1, "properties": _FIELDS}


class NamedRecords:
    """The service of universes or characters (`table.kind`: "universe", "character")."""

    def __init__(self, table: TenantTable[Any], plural: str) -> None:
        self.table = table
        self.kind = table.kind
        self.plural = plural
        self.id_name = f"{self.kind}_id"
        self.metric = self.kind.title()

    def list(self, principal: Principal, query: dict[str, str], limit: int, cursor: str | None) -> dict[str, Any]:
        """The catalogue, then the family's own. One cursor walks both: it names the last item
        shown, a built-in id while in the catalogue, then the table's position."""
        source = list_filters(query, LIST_FILTERS, LIST_CHOICES).get("source")
        position = decode_cursor(cursor, frozenset({self.id_name}))
        after = position[self.id_name] if position else None
        items: list[dict[str, Any]] = []
        if source != "family" and (after is None or is_builtin(after)):
            catalogue = builtin_views(self.kind)
            ids = [view["id"] for view in catalogue]
            if after is not None and after not in ids:
                raise MalformedRequest("The cursor is not one this API issued.", field="cursor")
            start = 0 if after is None else ids.index(after) + 1
            items = catalogue[start:start + limit]
            if len(items) == limit:
                more = start + limit < len(catalogue) or source is None
                return {"items": items, "next_cursor": encode_cursor({self.id_name: items[-1]["id"]}) if more else None}
            cursor = None
        if source == "builtin":
            return {"items": items, "next_cursor": None}
        found, next_cursor = self.table.page(principal.org_id, limit - len(items), cursor)
        return {"items": [*items, *(self.view(item) for item in found)], "next_cursor": next_cursor}

    def get(self, principal: Principal, record_id: str) -> dict[str, Any]:
        if is_builtin(record_id):
            view = builtin_view(self.kind, record_id)
            if view is None:
                raise self.table.not_found()
            return view
        return self.view(self.table.get(principal.org_id, record_id))

    def create(self, principal: Principal, body: Any) -> dict[str, Any]:
        fields = validate(SCHEMA, body)
        record = self.table.model(principal.org_id, new_id(), name=fields["name"], description=fields.get("description"))
        self.table.insert(record, principal.user_id)
        count(f"{self.metric}Created")
        return self.view(record)

    def replace(self, principal: Principal, record_id: str, body: Any, expected_version: int) -> dict[str, Any]:
        fields = validate(SCHEMA, body)
        return self._update(principal, record_id, {"description": None, **fields}, expected_version)

    def patch(self, principal: Principal, record_id: str, body: Any, expected_version: int | None) -> dict[str, Any]:
        return self._update(principal, record_id, validate(PATCH_SCHEMA, body), expected_version)

    def delete(self, principal: Principal, record_id: str, expected_version: int | None) -> None:
        """A soft delete: stories naming it keep the id, and generation leaves it out."""
        self._refuse_builtin(record_id)
        self.table.soft_delete(principal.org_id, record_id, expected_version, principal.user_id)
        count(f"{self.metric}Deleted")

    def restore(self, principal: Principal, record_id: str) -> dict[str, Any]:
        self._refuse_builtin(record_id)
        restored = self.table.restore(principal.org_id, record_id, principal.user_id)
        count(f"{self.metric}Restored")
        return self.view(restored)

    def view(self, record: Any) -> dict[str, Any]:
        return {
            "id": self.table.record_id(record),
            "name": record.name,
            "description": record.description,
            "builtin": False,
            "created_by": record.created_by,
            "created_at": plain(record.created_at),
            "updated_at": plain(record.updated_at),
            "version": record.version,
        }

    def _update(self, principal: Principal, record_id: str, changes: dict[str, Any], expected_version: int | None) -> dict[str, Any]:
        self._refuse_builtin(record_id)
        updated = self.table.update(principal.org_id, record_id, changes, expected_version, principal.user_id)
        count(f"{self.metric}Updated")
        return self.view(updated)

    def _refuse_builtin(self, record_id: str) -> None:
        if is_builtin(record_id):
            raise Forbidden(
                f"Built-in {self.plural} are read-only: they belong to every family. "
                f"Create your family's own with POST /v1/{self.plural}."
            )
