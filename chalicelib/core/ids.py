"""Time-ordered identifiers (ULID layout), so a Query on an id sort key returns oldest first."""
from __future__ import annotations

import os
import time
from datetime import datetime

_CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def new_id() -> str:
    """48 bits of milliseconds then 80 random bits, Crockford base32: 26 sortable characters."""
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
