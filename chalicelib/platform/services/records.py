"""Searchable records: customers, leads, contacts, companies and whatever comes next with a name,
tags, a status, an owner and custom fields. One declaration of a record type (its table, its own
fields and statuses, its view) produces its create, read, search, replace, merge-patch, delete and
restore, with the custom-field checks, tag normalization, audit, counters and metrics they share.
A record type writes only what differs: its fields, and the hooks below for what its writes carry
besides the record (a counter, a check that a linked record exists) or refuse (a converted lead)."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any, Generic

from chalicelib.core.documents import NUMBER_LIMITS
from chalicelib.core.ids import new_id
from chalicelib.core.search import SearchSpec, normalize_tags
from chalicelib.core.validation import validate
from chalicelib.observability import count
from chalicelib.platform.services import custom_fields
from chalicelib.platform.services.org_members import check_active_users
from chalicelib.platform.services.representations import VERSIONS, Representation
from chalicelib.platform.services.roles import Principal
from chalicelib.platform.tables.references import reference_checks
from chalicelib.platform.tables.search import SearchableTable
from chalicelib.platform.tables.teams import teams
from chalicelib.platform.tables.tenant_table import M
from chalicelib.platform.tables.writes import Change, commit, plain

_TEXT = {"type": "string", "minLength": 1, "maxLength": 200}
# The fields records share; a record type picks those it has, in the order its errors report them.
FIELD_SCHEMAS: dict[str, Any] = {
    "name": _TEXT,
    "email": {"type": ["string", "null"], "format": "email", "maxLength": 254},
    "phone": {"type": ["string", "null"], "pattern": r"^\+?[0-9 ().-]{3,32}$"},
    "company": {"type": ["string", "null"], "maxLength": 200},
    "tags": {
        "type": "array",
        "maxItems": 50,
        "uniqueItems": True,
        "items": {"type": "string", "minLength": 1, "maxLength": 50},
    },
    "owner": {"type": "string", "minLength": 1, "maxLength": 64},
    # The team owning the record besides its owner (platform/tables/visibility.py); null for none.
    "owner_team_id": {"type": ["string", "null"], "minLength": 1, "maxLength": 64},
    "custom_fields": {
        "type": "object",
        "maxProperties": 50,
        "propertyNames": {"pattern": r"^[A-Za-z][A-Za-z0-9_]{0,63}$"},
        "additionalProperties": {"type": ["string", "number", "boolean", "null"], "maxLength": 1000, **NUMBER_LIMITS},
    },
}
# Fields every record has, with a default a PUT restores; any other field a body leaves out is null.
_WITH_DEFAULTS = ("name", "tags", "status", "owner", "custom_fields")
_EMPTY = {"tags": [], "custom_fields": {}}


def shared_fields(*names: str) -> dict[str, Any]:
    return {name: FIELD_SCHEMAS[name] for name in names}


class SearchableRecords(Generic[M]):
    """The service of one record type. `properties` is its JSON Schema (name required; PATCH takes
    any non-empty subset, null clearing an optional field); `view` the attributes its responses
    show, in order, between `id` and the timestamps. Every record type also takes and shows
    `owner_team_id`, the team owning it (a live team of the organization, else 422). Counted as
    <Kind>Created, ...Updated, ...Deleted, ...Restored."""

    def __init__(
        self,
        table: SearchableTable[M],
        entity: str,
        properties: dict[str, Any],
        default_status: str,
        view: tuple[str, ...],
        representation: Representation = Representation(),
    ) -> None:
        self.table = table
        self.entity = entity
        self.default_status = default_status
        properties = {**properties, "owner_team_id": FIELD_SCHEMAS["owner_team_id"]}
        self.view_fields = (*view, "owner_team_id")
        self.representation = representation
        # Per API version: the body schema of a create or replacement, and of a JSON Merge Patch
        # (RFC 7396: any subset of fields; null clears an optional one).
        self.schemas: dict[int, dict[str, Any]] = {}
        self.patch_schemas: dict[int, dict[str, Any]] = {}
        for version in VERSIONS:
            shown = representation.properties(properties, version)
            self.schemas[version] = {"type": "object", "additionalProperties": False, "required": ["name"], "properties": shown}
            self.patch_schemas[version] = {
                "type": "object",
                "additionalProperties": False,
                "minProperties": 1,
                "properties": {**shown, "tags": {"oneOf": [properties["tags"], {"type": "null"}]}},
            }
        self.schema, self.patch_schema = self.schemas[1], self.patch_schemas[1]
        self.optional_fields = tuple(name for name in properties if name not in _WITH_DEFAULTS)
        self.metric = table.kind.title().replace("_", "")

    # What a record type may add

    def also_on_create(self, principal: Principal, record: M) -> list[Change]:
        """Changes committed with the creation (same transaction)."""
        return []

    def also_on_update(self, principal: Principal, current: M, updated: M) -> list[Change]:
        """Changes committed with an update, given the record as read and as it will be."""
        return []

    def check_editable(self, current: M) -> None:
        """Raise a domain error when this record may no longer be replaced or patched."""

    # The operations

    def create(self, principal: Principal, body: Any, version: int = 1) -> dict[str, Any]:
        fields = self.representation.stored(validate(self.schemas[version], body), None, version)
        custom_fields.check_values(principal.org_id, self.entity, fields.get("custom_fields"))
        check_active_users(principal.org_id, {"owner": fields.get("owner")})
        values = {**self._defaults(principal), **dict.fromkeys(self.optional_fields), **fields}
        record = self.table.model(principal.org_id, new_id(), **{**values, "tags": normalize_tags(values["tags"])})
        also = [*self.also_on_create(principal, record), *_team_check(principal.org_id, fields.get("owner_team_id"))]
        self.table.insert(record, principal.user_id, also=also)
        count(f"{self.metric}Created")
        return self.view(record, version)

    def get(self, principal: Principal, record_id: str, version: int = 1) -> dict[str, Any]:
        return self.view(self.table.get(principal.org_id, record_id), version)

    def search(
        self, principal: Principal, spec: SearchSpec, limit: int, cursor: str | None, version: int = 1
    ) -> dict[str, Any]:
        items, next_cursor = self.table.search(principal.org_id, spec, limit, cursor)
        return {"items": [self.view(item, version) for item in items], "next_cursor": next_cursor}

    def replace(
        self, principal: Principal, record_id: str, body: Any, expected_version: int, version: int = 1
    ) -> dict[str, Any]:
        fields = self.representation.stored(validate(self.schemas[version], body), None, version)
        defaults = {**self._defaults(principal), **dict.fromkeys(self.optional_fields)}
        changes = replacement(principal.org_id, self.entity, fields, defaults)
        return self._apply(principal, record_id, lambda current: changes, expected_version, version)

    def patch(
        self, principal: Principal, record_id: str, body: Any, expected_version: int | None, version: int = 1
    ) -> dict[str, Any]:
        changes = merge_patch(principal.org_id, self.entity, validate(self.patch_schemas[version], body))
        return self._apply(
            principal, record_id, lambda current: self.representation.stored(changes, current, version), expected_version, version
        )

    def delete(self, principal: Principal, record_id: str, expected_version: int | None) -> None:
        self.table.soft_delete(principal.org_id, record_id, expected_version, principal.user_id)
        count(f"{self.metric}Deleted")

    def restore(self, principal: Principal, record_id: str, version: int = 1) -> dict[str, Any]:
        record = self.table.restore(principal.org_id, record_id, principal.user_id)
        count(f"{self.metric}Restored")
        return self.view(record, version)

    def view(self, record: M, version: int = 1) -> dict[str, Any]:
        shown = {name: plain(getattr(record, name)) for name in self.view_fields}
        shown.update({name: empty for name, empty in _EMPTY.items() if name in shown and not shown[name]})
        view = {
            "id": self.table.record_id(record),
            **shown,
            "created_at": plain(record.created_at),
            "updated_at": plain(record.updated_at),
            "version": record.version,
        }
        return self.representation.shown(view, record, version)

    def _defaults(self, principal: Principal) -> dict[str, Any]:
        return {"tags": [], "status": self.default_status, "owner": principal.user_id, "custom_fields": {}}

    def _apply(
        self,
        principal: Principal,
        record_id: str,
        changes_to: Callable[[M], dict[str, Any]],
        expected_version: int | None,
        version: int,
    ) -> dict[str, Any]:
        """`changes_to(current)`: the changes, given the record as read (a merge patch of a name's
        parts keeps those it leaves out)."""
        current = self.table.get(principal.org_id, record_id)
        self.check_editable(current)
        self.table.check_version(current, expected_version)
        changes = changes_to(current)
        check_active_users(principal.org_id, {"owner": changes.get("owner")}, current)
        parts, updated = self.table.modification(current, changes, principal.user_id)
        if parts:
            team = changes.get("owner_team_id")
            team_check = _team_check(principal.org_id, team if team != current.owner_team_id else None)
            commit([*parts, *self.also_on_update(principal, current, updated), *team_check])
            count(f"{self.metric}Updated")
        return self.view(updated, version)


def _team_check(org_id: str, team_id: str | None) -> list[Change]:
    """A team the write names must be live in the organization (422 naming owner_team_id)."""
    return reference_checks(org_id, [("owner_team_id", teams, team_id)])


def replacement(org_id: str, entity: str, fields: dict[str, Any], defaults: dict[str, Any]) -> dict[str, Any]:
    """PUT replaces: every field the body leaves out goes back to its default (None if optional)."""
    custom_fields.check_values(org_id, entity, fields.get("custom_fields"))
    return _with_normal_tags({**defaults, **fields})


def merge_patch(org_id: str, entity: str, changes: dict[str, Any]) -> dict[str, Any]:
    """RFC 7396: only the fields named change; null clears one (tags: null empties the list)."""
    if "tags" in changes and changes["tags"] is None:
        changes["tags"] = []
    if "custom_fields" in changes:
        custom_fields.check_values(org_id, entity, changes["custom_fields"])
    return _with_normal_tags(changes)


def _with_normal_tags(changes: dict[str, Any]) -> dict[str, Any]:
    if "tags" in changes:
        changes["tags"] = normalize_tags(changes["tags"])
    return changes
