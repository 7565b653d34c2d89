"""Custom fields: per-organization definitions of extra fields on customers, leads, contacts and
companies, and the check every write of those records runs against them.

An organization that has defined no field for an entity keeps free-form `custom_fields` there
(what the API accepted before definitions existed); once it defines one, the definitions are the
schema: an unknown key, a value of the wrong type, a select value outside its options and a
missing required field are 422, naming `custom_fields.<key>`.
"""
from __future__ import annotations

from datetime import date
from typing import Any

from chalicelib.core import clock
from chalicelib.core.errors import MalformedRequest, ValidationFailed
from chalicelib.core.validation import validate
from chalicelib.observability import count
from chalicelib.platform.services.roles import Principal
from chalicelib.platform.tables.custom_fields import CustomFieldModel, custom_fields, definitions_of, field_id, of_entity

ENTITIES = ["customers", "leads", "contacts", "companies"]
TYPES = ["text", "number", "boolean", "date", "select"]
_OPTIONS = {
    "type": "array",
    "minItems": 1,
    "maxItems": 100,
    "uniqueItems": True,
    "items": {"type": "string", "minLength": 1, "maxLength": 100},
}
_LABEL = {"type": "string", "minLength": 1, "maxLength": 100}
DEFINITION_SCHEMA = {
    "type": "object",
    "additionalProperties": False,
    "required": ["entity", "key", "label", "type"],
    "properties": {
        "entity": {"type": "string", "enum": ENTITIES},
        # Same pattern as the keys the records accept.
        "key": {"type": "string", "pattern": r"^[A-Za-z][A-Za-z0-9_]{0,63}$"},
        "label": _LABEL,
        "type": {"type": "string", "enum": TYPES},
        "required": {"type": "boolean"},
        "options": _OPTIONS,
    },
    # A select lists its options; other types have none.
    "if": {"properties": {"type": {"const": "select"}}},
    "then": {"required": ["options"]},
    "else": {"not": {"required": ["options"]}},
}
# Entity, key and type are what records were validated against: they do not change (define anew).
DEFINITION_PATCH_SCHEMA = {
    "type": "object",
    "additionalProperties": False,
    "minProperties": 1,
    "properties": {"label": _LABEL, "required": {"type": "boolean"}, "options": _OPTIONS},
}
LIST_FILTERS = ("entity",)
# The values a list filter takes, declared in the OpenAPI document (routes: RecordSchemas(choices=...)).
LIST_CHOICES = {"entity": ENTITIES}


def create_definition(principal: Principal, body: Any) -> dict[str, Any]:
    fields = validate(DEFINITION_SCHEMA, body)
    definition = CustomFieldModel(
        principal.org_id,
        field_id(fields["entity"], fields["key"]),
        entity=fields["entity"],
        key=fields["key"],
        label=fields["label"],
        type=fields["type"],
        required=fields.get("required", False),
        options=fields.get("options"),
    )
    custom_fields.insert(definition, principal.user_id)
    count("CustomFieldDefined")
    return definition_view(definition)


def get_definition(principal: Principal, definition_id: str) -> dict[str, Any]:
    return definition_view(custom_fields.get(principal.org_id, definition_id))


def list_definitions(principal: Principal, entity: str | None, limit: int, cursor: str | None) -> dict[str, Any]:
    if entity is not None and entity not in LIST_CHOICES["entity"]:
        # A query parameter, refused as every list refuses a filter value: 400 naming it.
        raise MalformedRequest(f"entity must be one of {', '.join(ENTITIES)}.", field="entity")
    condition = of_entity(entity) if entity else None
    items, next_cursor = custom_fields.page(principal.org_id, limit, cursor, range_key_condition=condition)
    return {"items": [definition_view(item) for item in items], "next_cursor": next_cursor}


def patch_definition(principal: Principal, definition_id: str, body: Any, expected_version: int | None) -> dict[str, Any]:
    changes = validate(DEFINITION_PATCH_SCHEMA, body)
    current = custom_fields.get(principal.org_id, definition_id)
    if "options" in changes and current.type != "select":
        raise ValidationFailed(
            "Only select fields have options.", [{"field": "options", "message": "options apply to select fields only"}]
        )
    updated = custom_fields.update(principal.org_id, definition_id, changes, expected_version, principal.user_id)
    count("CustomFieldChanged")
    return definition_view(updated)


def delete_definition(principal: Principal, definition_id: str, expected_version: int | None) -> None:
    custom_fields.soft_delete(principal.org_id, definition_id, expected_version, principal.user_id)
    count("CustomFieldDeleted")


def restore_definition(principal: Principal, definition_id: str) -> dict[str, Any]:
    return definition_view(custom_fields.restore(principal.org_id, definition_id, principal.user_id))


def check_values(org_id: str, entity: str, values: dict[str, Any] | None) -> None:
    """422 unless `values` satisfies the organization's definitions for `entity` (one Query)."""
    definitions = {definition.key: definition for definition in definitions_of(org_id, entity)}
    if not definitions:
        return
    values = values or {}
    errors = []
    for key, value in values.items():
        definition = definitions.get(key)
        if definition is None:
            errors.append(_error(key, f"is not a custom field of {entity}"))
        elif value is not None and not _fits(definition, value):
            errors.append(_error(key, _expected(definition)))
    for key, definition in definitions.items():
        if definition.required and values.get(key) is None:
            errors.append(_error(key, "is required"))
    if errors:
        raise ValidationFailed("The request body is invalid: " + errors[0]["message"], errors)


def carried_over(org_id: str, entity: str, values: dict[str, Any] | None) -> dict[str, Any]:
    """The values a record converted into `entity` keeps (a lead's custom fields on the customer it
    becomes): all of them where `entity` has no definitions (free-form), else those it defines with
    a value that fits. One Query."""
    definitions = {definition.key: definition for definition in definitions_of(org_id, entity)}
    if not definitions:
        return dict(values or {})
    return {
        key: value
        for key, value in (values or {}).items()
        if key in definitions and value is not None and _fits(definitions[key], value)
    }


def _fits(definition: CustomFieldModel, value: Any) -> bool:
    if definition.type == "text":
        return isinstance(value, str)
    if definition.type == "number":
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if definition.type == "boolean":
        return isinstance(value, bool)
    if definition.type == "date":
        return isinstance(value, str) and _is_date(value)
    return isinstance(value, str) and value in (definition.options or [])


def _expected(definition: CustomFieldModel) -> str:
    if definition.type == "select":
        return "must be one of " + ", ".join(definition.options or [])
    if definition.type == "date":
        return "must be a date (YYYY-MM-DD)"
    return f"must be a {definition.type}"


def _is_date(value: str) -> bool:
    try:
        date.fromisoformat(value)
    except ValueError:
        return False
    return len(value) == 10


def _error(key: str, message: str) -> dict[str, str]:
    return {"field": f"custom_fields.{key}", "message": f"custom_fields.{key} {message}"}


def definition_view(definition: CustomFieldModel) -> dict[str, Any]:
    return {
        "id": definition.field_id,
        "entity": definition.entity,
        "key": definition.key,
        "label": definition.label,
        "type": definition.type,
        "required": bool(definition.required),
        "options": list(definition.options) if definition.options else None,
        "created_at": clock.isoformat(definition.created_at),
        "updated_at": clock.isoformat(definition.updated_at),
        "version": definition.version,
    }
