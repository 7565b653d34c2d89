"""Request validation against JSON Schema.

The same schemas document the API (OpenAPI) and validate it. fastjsonschema compiles a schema to
Python on first use and is cheap to import, which keeps cold starts short.
"""
from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from chalicelib.core.documents import TOO_SMALL_NUMBER, TOO_SMALL_RULE
from chalicelib.core.errors import ValidationFailed

_compiled: dict[int, Callable[[Any], Any]] = {}


def validate(schema: dict[str, Any], document: Any) -> dict[str, Any]:
    """Return the document with schema defaults applied, or raise ValidationFailed listing every
    invalid field, each in words a client developer reads without knowing JSON Schema."""
    import fastjsonschema

    validator = _compiled.get(id(schema))
    if validator is None:
        validator = _compiled[id(schema)] = fastjsonschema.compile(schema)
    try:
        return validator(document)
    except fastjsonschema.JsonSchemaValueException as error:
        # fastjsonschema stops at the first error; the failure path walks the whole document.
        errors = _errors(schema, document, "") or _describe(error)
        raise ValidationFailed("The request body is invalid: " + "; ".join(e["message"] for e in errors), errors) from None


# Patterns the schemas use, in words. A new pattern without words reads "is not in the expected format".
PATTERN_WORDS = {
    "^[A-Z]{3}$": "must be a three-letter currency code like EUR",
    r"\S": "must not be blank",
    r"^\+?[0-9 ().-]{3,32}$": "must be a phone number like +44 20 7946 0000",
    r"^[A-Za-z0-9.-]+\.[A-Za-z]{2,}$": "must be a domain like example.com",
    r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$": "must be 1 to 64 letters, digits, '.', '_' or '-', starting with a letter or digit",
    "^[^#]+$": "must not contain '#'",
    r"^[A-Za-z][A-Za-z0-9_]{0,63}$": "must be a letter followed by up to 63 letters, digits or '_'",
}
FORMAT_WORDS = {
    "date-time": "must be a date and time like 2026-01-31T09:30:00Z",
    "email": "must be an email address like ada@example.com",
    "date": "must be a date like 2026-01-31",
}
TYPE_WORDS = {
    "string": "a string", "integer": "a whole number", "number": "a number", "boolean": "true or false",
    "array": "a list", "object": "an object", "null": "null",
}
_PYTHON_TYPES = {
    "string": lambda v: isinstance(v, str), "integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
    "number": lambda v: isinstance(v, (int, float)) and not isinstance(v, bool), "boolean": lambda v: isinstance(v, bool),
    "array": lambda v: isinstance(v, list), "object": lambda v: isinstance(v, dict), "null": lambda v: v is None,
}


def _errors(schema: Any, value: Any, location: str) -> list[dict[str, str]]:
    """Every error of `value` against `schema`, at most one per field, parents before children."""
    if not isinstance(schema, dict):
        return []
    name = location or "body"
    problem = _own_problem(schema, value)
    if problem:
        return [{"field": name, "message": f"{name} {problem}"}]
    found: list[dict[str, str]] = []
    if isinstance(value, dict):
        properties = schema.get("properties", {})
        for field in schema.get("required", []):
            if field not in value:
                found.append({"field": _join(location, field), "message": f"{_join(location, field)} is required"})
        for field, item in value.items():
            path = _join(location, field)
            if field in properties:
                found += _errors(properties[field], item, path)
            elif schema.get("additionalProperties") is False:
                found.append({"field": path, "message": f"{path} is not a known field"})
            elif isinstance(schema.get("additionalProperties"), dict):
                wrong_name = _own_problem(schema.get("propertyNames", {}), field)
                if wrong_name:
                    found.append({"field": name, "message": f"{name}: the name {field!r} {wrong_name}"})
                found += _errors(schema["additionalProperties"], item, path)
    if isinstance(value, list) and isinstance(schema.get("items"), dict):
        for index, item in enumerate(value):
            found += _errors(schema["items"], item, f"{name}[{index}]")
    if "if" in schema:
        branch = schema.get("then") if not _errors(schema["if"], value, location) else schema.get("else")
        found += _errors(branch, value, location)
    for part in schema.get("allOf", []):
        found += _errors(part, value, location)
    return list({error["field"]: error for error in reversed(found)}.values())[::-1]


def _own_problem(schema: dict[str, Any], value: Any) -> str | None:
    """What is wrong with the value itself (not its members), in words, or None."""
    types = schema.get("type")
    if types is not None:
        types = [types] if isinstance(types, str) else types
        if not any(_PYTHON_TYPES[kind](value) for kind in types):
            return "must be " + " or ".join(TYPE_WORDS[kind] for kind in types)
    if "const" in schema and value != schema["const"]:
        return f"must be {schema['const']!r}"
    if "enum" in schema and value not in schema["enum"]:
        return "must be one of: " + ", ".join("null" if choice is None else str(choice) for choice in schema["enum"])
    if isinstance(value, str):
        if len(value) < schema.get("minLength", 0):
            return "must not be empty" if schema["minLength"] == 1 else f"must be at least {schema['minLength']} characters"
        if "maxLength" in schema and len(value) > schema["maxLength"]:
            return f"must be at most {schema['maxLength']} characters"
        if "pattern" in schema and not re.search(schema["pattern"], value):
            return PATTERN_WORDS.get(schema["pattern"], "is not in the expected format")
        if schema.get("format") in FORMAT_WORDS and not _has_format(schema["format"], value):
            return FORMAT_WORDS[schema["format"]]
    if _PYTHON_TYPES["number"](value):
        if "minimum" in schema and value < schema["minimum"]:
            return f"must be at least {schema['minimum']}"
        if "exclusiveMinimum" in schema and value <= schema["exclusiveMinimum"]:
            return f"must be more than {schema['exclusiveMinimum']}"
        if "maximum" in schema and value > schema["maximum"]:
            return f"must be at most {schema['maximum']}"
        if schema.get("not") == TOO_SMALL_NUMBER and value != 0 and abs(value) < TOO_SMALL_NUMBER["exclusiveMaximum"]:
            return TOO_SMALL_RULE
    if isinstance(value, list):
        if len(value) < schema.get("minItems", 0):
            return f"must hold at least {schema['minItems']} item{'s' if schema['minItems'] > 1 else ''}"
        if "maxItems" in schema and len(value) > schema["maxItems"]:
            return f"must hold at most {schema['maxItems']} items"
        if schema.get("uniqueItems") and len({repr(item) for item in value}) < len(value):
            return "must not repeat an item"
    if isinstance(value, dict):
        if len(value) < schema.get("minProperties", 0):
            return "must not be empty" if schema["minProperties"] == 1 else f"must hold at least {schema['minProperties']} fields"
        if "maxProperties" in schema and len(value) > schema["maxProperties"]:
            return f"must hold at most {schema['maxProperties']} fields"
    return None


def _has_format(kind: str, value: str) -> bool:
    import fastjsonschema

    try:
        fastjsonschema.validate({"type": "string", "format": kind}, value)
    except fastjsonschema.JsonSchemaValueException:
        return False
    return True


def _describe(error: Any) -> list[dict[str, str]]:
    """fastjsonschema's one error, for what the walk above does not cover (oneOf, not)."""
    location = error.name.removeprefix("data").lstrip(".") or "body"
    if error.rule == "required" and isinstance(error.value, dict):
        missing = [name for name in error.definition["required"] if name not in error.value]
        return [{"field": _join(location, name), "message": f"{_join(location, name)} is required"} for name in missing]
    message = error.message.replace(error.name, location, 1)
    return [{"field": location, "message": message}]


def _join(location: str, name: str) -> str:
    return name if location in ("", "body") else f"{location}.{name}"
