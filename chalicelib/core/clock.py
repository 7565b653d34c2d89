"""Time in one place, so tests and TTL arithmetic agree on what 'now' is."""
from __future__ import annotations

import time
from datetime import datetime, timezone


def now() -> datetime:
    return datetime.now(timezone.utc)


def epoch_seconds() -> int:
    return int(time.time())


def monotonic() -> float:
    return time.monotonic()


def sleep_until(deadline: float) -> None:
    """Wait until monotonic() reaches deadline (returns at once if it has)."""
    remaining = deadline - time.monotonic()
    if remaining > 0:
        time.sleep(remaining)


def isoformat(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def parse(text: str) -> datetime:
    """An ISO-8601 timestamp from a client; one without a zone is taken as UTC."""
    moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)
