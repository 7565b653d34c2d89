"""Opaque page cursors.

A cursor carries only the sort-key part of DynamoDB's LastEvaluatedKey. The partition keys (the
organization) are always re-attached from the caller's token, so a forged cursor can move within
the caller's own data but never into another tenant's.
"""
from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Mapping

from chalicelib.core.documents import parse_json
from chalicelib.core.errors import DomainError, MalformedRequest
from chalicelib.core.ids import can_be_key

DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 100


def encode_cursor(position: Mapping[str, str] | None) -> str | None:
    if not position:
        return None
    raw = json.dumps(position, separators=(",", ":"), sort_keys=True).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str | None, expected_attributes: frozenset[str]) -> dict[str, str] | None:
    if cursor is None:
        return None
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        position = parse_json(base64.urlsafe_b64decode(padded.encode()), field="cursor")
    except (ValueError, binascii.Error, DomainError):
        raise MalformedRequest("The cursor is not one this API issued.", field="cursor") from None
    if (
        not isinstance(position, dict)
        or set(position) != expected_attributes
        or not all(isinstance(value, str) and can_be_key(value) for value in position.values())
    ):
        raise MalformedRequest("The cursor is not one this API issued.", field="cursor")
    return position


def parse_page_size(raw: str | None) -> int:
    if raw is None:
        return DEFAULT_PAGE_SIZE
    # ASCII digits only: str.isdigit() also passes "²", which int() then refuses.
    if not re.fullmatch("[0-9]{1,3}", raw) or not 1 <= int(raw) <= MAX_PAGE_SIZE:
        raise MalformedRequest(f"limit must be an integer from 1 to {MAX_PAGE_SIZE}.", field="limit")
    return int(raw)
