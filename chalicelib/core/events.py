"""Domain events: what a committed write announces, delivered from the write itself.

An event is born in the transaction of the write it describes: `writes.commit` puts each record's
audit entry in that transaction, and the entry carries the events the write announces (its own
`<kind>.<action>`, plus meaningful ones such as `task.assigned`). The audit_logs table's DynamoDB
stream hands the committed entries to one consumer (chalicelib/platform/routes/events.py), which
turns them back into these events and delivers them to every consumer
(chalicelib/platform/event_consumers.py). Nothing publishes after a commit, so a function dying
between commit and delivery loses nothing: the entry is still on the stream.
"""
from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass(frozen=True)
class DomainEvent:
    """`id` is the audit entry's id for the entry's first event and `<entry id>.<n>` for the
    others, so every delivery of one committed change carries the same ids and they sort by time.
    A service building an extra event leaves `id` empty: `writes.commit` names it after the entry
    that carries it. `data` holds `changes` ({field: {"from", "to"}}) and, for events addressed to
    people, `recipients` (user ids)."""

    id: str
    type: str
    org_id: str
    actor: str
    subject_type: str
    subject_id: str
    occurred_at: str
    data: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> str:
        return json.dumps(asdict(self), default=str, separators=(",", ":"))


def event_id(entry_id: str, position: int) -> str:
    """The id of the event at `position` among those an audit entry carries."""
    return entry_id if position == 0 else f"{entry_id}.{position}"
