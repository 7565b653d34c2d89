"""The greeting of design note 001's hello endpoint."""
from __future__ import annotations

from typing import Any

from chalicelib.core.validation import validate

HELLO_SCHEMA = {
    "type": "object",
    "additionalProperties": False,
    "properties": {"name": {"type": "string", "minLength": 1, "maxLength": 100}},
}


def greet(body: Any) -> dict[str, str]:
    request = validate(HELLO_SCHEMA, body)
    return {"message": f"Hello, {request.get('name', 'world')}!"}
