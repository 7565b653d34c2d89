"""Time-ordered identifiers (ULID layout), so a Query on an id sort key returns oldest first."""
from __future__ import annotations

import os
import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime

_CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
# What new_id() mints: 26 Crockford characters, the first at most 7 (128 bits in 130).
ID_PATTERN = "[0-7][0-9A-HJKMNP-TV-Z]{25}"
# DynamoDB refuses an empty key value and a sort key over 1,024 bytes (partition keys: 2,048).
MAX_SORT_KEY_BYTES = 1024
MAX_PARTITION_KEY_BYTES = 2048
_MINTED = re.compile(ID_PATTERN)
# An id a client generated (an offline device's ULID) that the next new_id() hands out instead of minting.
_given_id: ContextVar[str | None] = ContextVar("given_id", default=None)


def is_id(value: object) -> bool:
    """Whether `value` has the shape new_id() mints (a canonical ULID: upper-case Crockford base32)."""
    return isinstance(value, str) and _MINTED.fullmatch(value) is not None


@contextmanager
def given_id(value: str) -> Iterator[None]:
    """The first id minted inside is `value`. A create mints its record's id before anything else
    (audit entries, transaction tokens), so every service creates under a client's id through its
    ordinary create, with no parameter of its own; the caller checks the record got it."""
    token = _given_id.set(value)
    try:
        yield
    finally:
        _given_id.reset(token)


def new_id() -> str:
    """48 bits of milliseconds then 80 random bits, Crockford base32: 26 sortable characters."""
    given = _given_id.get()
    if given is not None:
        _given_id.set(None)
        return given
    return _encode((int(time.time() * 1000) << 80) | int.from_bytes(os.urandom(10), "big"))


def id_bound(moment: datetime, upper: bool) -> str:
    """The lowest (or highest) id that can be minted at `moment`: ids sort by creation time, so a
    creation-time range is a key range."""
    return _encode(int(moment.timestamp() * 1000) << 80 | ((1 << 80) - 1 if upper else 0))


def _encode(value: int) -> str:
    chars = []
    for _ in range(26):
        value, index = divmod(value, 32)
        chars.append(_CROCKFORD[index])
    return "".join(reversed(chars))


def can_be_key(value: str, max_bytes: int = MAX_SORT_KEY_BYTES) -> bool:
    """Whether DynamoDB would take `value` as a key attribute: a lookup by any other value can
    only find nothing, and sent to DynamoDB it fails (ValidationException) instead."""
    try:
        return 0 < len(value.encode()) <= max_bytes
    except UnicodeEncodeError:  # a lone surrogate: not text DynamoDB takes either
        return False
