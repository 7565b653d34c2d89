r"""JSON from clients (request bodies, page cursors), parsed into what DynamoDB can store.

Python's json module accepts more than JSON and more than DynamoDB takes: NaN and Infinity (not
JSON at all), 1e400 (read as infinity), integers and floats beyond DynamoDB's numbers (38
significant digits, magnitudes 1e-130 to 9.99e125), strings with lone surrogates ("\ud800", not
Unicode text), and nesting deep enough to exhaust the interpreter's stack (RecursionError) or to
pass DynamoDB's 32 levels. Left in, such a value fails later, in a write after validation passed,
as a 500. So every document is checked once, here, as it is parsed, and the offending field is named.
"""
from __future__ import annotations

import json
import math
from typing import Any

from chalicelib.core.errors import MalformedRequest, ValidationFailed

# DynamoDB nests attributes up to 32 levels; a document deeper than that cannot be stored.
MAX_DEPTH = 32
_LARGEST_NUMBER = 9.9999999999999999999999999999999999999e125
_SMALLEST_NUMBER = 1e-130
_MAX_INTEGER_DIGITS = 38
_NUMBER_RULE = f"must be a finite number of at most {_MAX_INTEGER_DIGITS} digits, between -9.99e125 and 9.99e125"
_LARGEST_INTEGER = 10**_MAX_INTEGER_DIGITS - 1
# The numbers a document may hold, in JSON Schema keywords, for the request schemas: JSON does not
# tell 1e40 from the 41-digit integer, so the bounds are those of a 38-digit integer; between them,
# no magnitude under 1e-130 but 0. Spread into a number's schema (minimum/maximum may then narrow
# it), they make the document (OpenAPI) say what parse_json refuses, and validation refuse it first.
TOO_SMALL_NUMBER = {"type": "number", "exclusiveMinimum": -_SMALLEST_NUMBER, "exclusiveMaximum": _SMALLEST_NUMBER, "not": {"const": 0}}
TOO_SMALL_RULE = "must be 0 or at least 1e-130 in magnitude"
NUMBER_LIMITS = {"minimum": -_LARGEST_INTEGER, "maximum": _LARGEST_INTEGER, "not": TOO_SMALL_NUMBER}


def parse_json(text: bytes | str, field: str = "body") -> Any:
    """The document, or MalformedRequest (400, `field`) when it is not JSON or nests deeper than
    DynamoDB can store, or ValidationFailed (422, naming the field) for a number DynamoDB cannot store."""
    try:
        document = json.loads(text)
    except RecursionError:
        raise _too_deep(field) from None
    except (ValueError, UnicodeDecodeError) as error:
        raise MalformedRequest(f"The {field} is not valid JSON: {error}.", field=field) from None
    _check(document, field)
    return document


def _check(document: Any, field: str) -> None:
    """One walk, without recursion (a document may nest as deep as json.loads allows)."""
    pending: list[tuple[Any, str, int]] = [(document, "", 0)]
    while pending:
        value, location, depth = pending.pop()
        if depth > MAX_DEPTH:
            raise _too_deep(field)
        if isinstance(value, dict):
            for key, item in value.items():
                if not _is_text(key):
                    _refuse(field, location, "must have names that are Unicode text")
                pending.append((item, _join(location, key), depth + 1))
        elif isinstance(value, list):
            pending.extend((item, f"{location}[{index}]", depth + 1) for index, item in enumerate(value))
        elif isinstance(value, str):
            if not _is_text(value):
                _refuse(field, location, "must be Unicode text")
        elif isinstance(value, (int, float)) and not isinstance(value, bool) and not _storable_number(value):
            _refuse(field, location, _NUMBER_RULE)


def _refuse(field: str, location: str, rule: str) -> None:
    name = location or field
    message = f"{name} {rule}"
    raise ValidationFailed(f"The request {field} is invalid: {message}.", [{"field": name, "message": message}])


def _is_text(value: str) -> bool:
    try:
        value.encode()
    except UnicodeEncodeError:
        return False
    return True


def _storable_number(value: int | float) -> bool:
    if isinstance(value, int):
        return len(str(abs(value))) <= _MAX_INTEGER_DIGITS
    return math.isfinite(value) and (value == 0 or _SMALLEST_NUMBER <= abs(value) <= _LARGEST_NUMBER)


def _join(location: str, key: str) -> str:
    return f"{location}.{key}" if location else key


def _too_deep(field: str) -> MalformedRequest:
    return MalformedRequest(f"The {field} nests deeper than {MAX_DEPTH} levels.", field=field)
