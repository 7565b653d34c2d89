"""Request validation against JSON Schema.

The same schemas document the API (OpenAPI) and validate it. fastjsonschema compiles a schema to
Python on first use and is cheap to import, which keeps cold starts short.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from chalicelib.core.errors import ValidationFailed

_compiled: dict[int, Callable[[Any], Any]] = {}


def validate(schema: dict[str, Any], document: Any) -> dict[str, Any]:
    """Return the document with schema defaults applied, or raise ValidationFailed naming the field."""
    import fastjsonschema

    validator = _compiled.get(id(schema))
    if validator is None:
        validator = _compiled[id(schema)] = fastjsonschema.compile(schema)
    try:
        return validator(document)
    except fastjsonschema.JsonSchemaValueException as error:
        errors = _describe(error)
        raise ValidationFailed("The request body is invalid: " + errors[0]["message"], errors) from None


def _describe(error: Any) -> list[dict[str, str]]:
    location = error.name.removeprefix("data").lstrip(".") or "body"
    if error.rule == "required" and isinstance(error.value, dict):
        missing = [name for name in error.definition["required"] if name not in error.value]
        return [{"field": _join(location, name), "message": f"{_join(location, name)} is required"} for name in missing]
    if error.rule == "additionalProperties" and isinstance(error.value, dict):
        known = set(error.definition.get("properties", {}))
        extra = sorted(name for name in error.value if name not in known)
        return [{"field": _join(location, name), "message": f"{_join(location, name)} is not a known field"} for name in extra]
    message = error.message.replace(error.name, location, 1)
    return [{"field": location, "message": message}]


def _join(location: str, name: str) -> str:
    return name if location == "body" else f"{location}.{name}"
