"""Domain events: every write announces what happened through one publisher.

Consumers to come (WebSocket notifications, mobile sync) subscribe to the bus; nothing that
writes needs to know them. In AWS the publisher is EventBridge (EVENT_BUS_NAME); elsewhere events
go to the log. A failed publish is logged and counted, never turned into a failed request: the
write happened and the audit log (written in the same transaction) holds it.
"""
from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from typing import Any, Protocol

from chalicelib.core.settings import get_settings


@dataclass(frozen=True)
class DomainEvent:
    type: str
    org_id: str
    actor: str
    subject_type: str
    subject_id: str
    occurred_at: str
    data: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> str:
        return json.dumps(asdict(self), default=str, separators=(",", ":"))


class Publisher(Protocol):
    def publish(self, events: Sequence[DomainEvent]) -> None: ...


class LogPublisher:
    def publish(self, events: Sequence[DomainEvent]) -> None:
        from chalicelib.observability import logger

        for event in events:
            logger.info("domain event", extra={"event_type": event.type, "subject": f"{event.subject_type}/{event.subject_id}"})


@lru_cache(maxsize=1)
def get_publisher() -> Publisher:
    bus = get_settings().event_bus_name
    if bus:
        from chalicelib.aws.eventbridge import EventBridgePublisher

        return EventBridgePublisher(bus)
    return LogPublisher()


def publish(events: Sequence[DomainEvent]) -> None:
    if not events:
        return
    from chalicelib.observability import count, logger

    try:
        get_publisher().publish(events)
    except Exception:
        count("EventPublishFailed", len(events))
        logger.exception("Publishing domain events failed", extra={"event_types": [event.type for event in events]})
