"""Every consumer of committed domain events, in delivery order: the one list the stream
consumer (platform/routes/events.py) delivers each batch to.

A consumer is a callable `consume(events: Sequence[DomainEvent]) -> None` that gets the batch's
events in stream order. Raising means "deliver this batch again": the stream retries it (halving
it to isolate a poison record, then the dead-letter queue), and every consumer sees it again, so
each must tolerate a repeat: EventBridge subscribers deduplicate on the event id in the detail; a
consumer whose effect must not repeat is wrapped in `once(name, consume)`.

The platform's consumers come first; a product adds its own (the CRM's marketing automations) by
registering a module whose `event_consumers()` returns them (`register_consumers`, called by app.py
as it registers the product's blueprints). The module is imported on the first batch only.
"""
from __future__ import annotations

import importlib
from collections.abc import Callable, Sequence

from chalicelib.core.events import DomainEvent
from chalicelib.core.settings import get_settings

Consumer = Callable[[Sequence[DomainEvent]], None]


_product_modules: list[str] = []


def register_consumers(module_name: str) -> None:
    """Add a product's consumers: `module_name` defines `event_consumers() -> list[Consumer]`."""
    if module_name not in _product_modules:
        _product_modules.append(module_name)


def event_consumers() -> list[Consumer]:
    products = [consumer for name in _product_modules for consumer in importlib.import_module(name).event_consumers()]
    return [integrations(), websocket_notifications(), attachments, *products]


def integrations() -> Consumer:
    """The EventBridge bus in AWS (EVENT_BUS_NAME); locally, without a bus, the log."""
    bus = get_settings().event_bus_name
    if bus:
        from chalicelib.aws.eventbridge import EventBridgeConsumer

        return EventBridgeConsumer(bus)
    return log_events


def websocket_notifications() -> Consumer:
    """Each event to the WebSocket connections that may hear it (platform/services/fanout.py)."""
    from chalicelib.platform.services import fanout

    return once("websocket", fanout.consume)


def attachments(events: Sequence[DomainEvent]) -> None:
    """A deleted record's files, and a deleted file's object (platform/services/files.py)."""
    from chalicelib.platform.services import files

    files.consume(events)


def log_events(events: Sequence[DomainEvent]) -> None:
    from chalicelib.observability import logger

    for event in events:
        logger.info("domain event", extra={"event_id": event.id, "event_type": event.type,
                                           "subject": f"{event.subject_type}/{event.subject_id}"})


def once(name: str, consume: Consumer) -> Consumer:
    """`consume`, skipping the events it already handled (receipts keyed on event id, recorded
    after it returns: a failure in between means a repeat, never a loss)."""
    from chalicelib.platform.tables import event_receipts

    def consume_once(events: Sequence[DomainEvent]) -> None:
        seen = event_receipts.handled(name, [event.id for event in events])
        fresh = [event for event in events if event.id not in seen]
        if fresh:
            consume(fresh)
            event_receipts.record_handled(name, [event.id for event in fresh])

    return consume_once
