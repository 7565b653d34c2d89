"""Time-ordered identifiers (ULID layout), so a Query on an id sort key returns oldest first."""
from __future__ import annotations

import os
import time

_CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def new_id() -> str:
    """48 bits of milliseconds then 80 random bits, Crockford base32: 26 sortable characters."""
    value = (int(time.time() * 1000) << 80) | int.from_bytes(os.urandom(10), "big")
    chars = []
    for _ in range(26):
        value, index = divmod(value, 32)
        chars.append(_CROCKFORD[index])
    return "".join(reversed(chars))


def looks_like_id(value: str) -> bool:
    return len(value) == 26 and all(c in _CROCKFORD for c in value)
