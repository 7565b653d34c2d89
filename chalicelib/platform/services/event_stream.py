"""Committed audit entries (the audit_logs stream's new images) to domain events, delivered to
every consumer in stream order. See chalicelib/core/events.py for why the stream is the source."""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from chalicelib.core.events import DomainEvent
from chalicelib.observability import count
from chalicelib.platform.tables.audit_logs import entry_events, entry_from_image


def events_of(new_images: Iterable[dict[str, Any]]) -> list[DomainEvent]:
    return [event for image in new_images for event in entry_events(entry_from_image(image))]


def deliver(new_images: Iterable[dict[str, Any]], consumers: Sequence[Any]) -> int:
    """Deliver the events of these entries to each consumer in turn; a consumer raising
    propagates, so the whole batch is delivered again. Returns how many events went out."""
    events = events_of(new_images)
    if events:
        for consume in consumers:
            consume(events)
        count("DomainEventsDelivered", len(events))
    return len(events)
