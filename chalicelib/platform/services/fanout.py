"""The WebSocket fan-out: a consumer of domain events (`consume(events)`, listed in
platform/event_consumers.py behind `once`) that posts each event's frame to the connections that may
hear it.

Targets come by key: an addressed event's recipients are one Query each (`user_connections`), any
other event's organization one Query (`org_connections`); chalicelib/platform/services/realtime.py
decides who hears it, and under team visibility services/event_visibility.py narrows that to
those who may see the event's record. Posts run in parallel on a bounded pool (API Gateway's
@connections answers in tens of milliseconds: 500 connections one after the other would take
seconds). A 410 means that
connection is closed: its item is deleted, and only its. Throttling and API Gateway failures are
tried again with backoff; what still fails makes `consume` raise, so the stream sends the batch
again. A batch handled once is skipped when the stream delivers it again (`once`'s receipts), so a
client hears an event once; only a batch that failed part-way reaches some connections twice, which
the frame's `id` lets a client recognise.
"""
from __future__ import annotations

import random
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Protocol

from chalicelib.aws.connections import ConnectionGone, DeliveryRefused
from chalicelib.core import clock
from chalicelib.core.events import DomainEvent
from chalicelib.core.settings import get_settings
from chalicelib.platform.services.event_visibility import EventVisibility
from chalicelib.platform.services.realtime import Listener, audience, event_frame, listener_of, recipients
from chalicelib.platform.tables import connections

POOL_SIZE = 48
POST_ATTEMPTS = 3
FIRST_BACKOFF_SECONDS = 0.05


class Poster(Protocol):
    """Sends one frame to one connection; raises ConnectionGone (410) or DeliveryRefused."""

    def post(self, connection_id: str, data: str) -> None: ...


class FanOutIncomplete(Exception):
    """Some connections could not be reached after retries: the batch is to be delivered again."""


@dataclass
class Outcome:
    reached: set[str] = field(default_factory=set)
    gone: set[str] = field(default_factory=set)
    refused: set[str] = field(default_factory=set)
    failed: set[str] = field(default_factory=set)


def consume(events: Sequence[DomainEvent]) -> None:
    """The consumer the events stream calls (a raise means: deliver this batch again)."""
    fan_out(events, _management_poster)


def fan_out(events: Sequence[DomainEvent], poster: Callable[[], Poster]) -> list[Outcome]:
    """Deliver each event in order; `poster` is asked for only when someone is listening."""
    from chalicelib.observability import count, measure

    outcomes = []
    visibility = EventVisibility()
    for event in events:
        started = clock.monotonic()
        listeners = audience(_candidates(event), event)
        listeners = visibility.narrow(listeners, event) if listeners else listeners
        outcome = Outcome()
        if listeners:
            outcome = _post_all(poster(), [listener.connection_id for listener in listeners], event_frame(event))
            for connection_id in outcome.gone:
                connections.close_connection(connection_id)
            count("WebSocketMessagesSent", len(outcome.reached))
            count("WebSocketConnectionsGone", len(outcome.gone))
        measure("FanOutDuration", (clock.monotonic() - started) * 1000)
        outcomes.append(outcome)
        if outcome.failed:
            raise FanOutIncomplete(f"{len(outcome.failed)} connections not reached for event {event.id}")
    return outcomes


def _candidates(event: DomainEvent) -> list[Listener]:
    addressed = recipients(event)
    if addressed is None:
        items = list(connections.of_organization(event.org_id))
    else:
        items = [item for user_id in dict.fromkeys(addressed) for item in connections.of_user(event.org_id, user_id)]
    now = clock.now()
    return [listener_of(item) for item in items if not connections.is_expired(item, now)]


def _post_all(poster: Poster, connection_ids: list[str], frame: str) -> Outcome:
    outcome = Outcome()
    results = _pool().map(lambda connection_id: (connection_id, _post(poster, connection_id, frame)), connection_ids)
    for connection_id, result in results:
        getattr(outcome, result).add(connection_id)
    return outcome


def _post(poster: Poster, connection_id: str, frame: str) -> str:  # type: ignore[return]
    from chalicelib.observability import logger

    for attempt in range(1, POST_ATTEMPTS + 1):
        try:
            poster.post(connection_id, frame)
            return "reached"
        except ConnectionGone:
            return "gone"
        except DeliveryRefused as refused:
            logger.warning("WebSocket message refused", extra={"connection_id": connection_id, "reason": str(refused)})
            return "refused"
        except Exception:
            if attempt == POST_ATTEMPTS:
                logger.exception("WebSocket post failed", extra={"connection_id": connection_id})
                return "failed"
            time.sleep(FIRST_BACKOFF_SECONDS * 2 ** (attempt - 1) * random.uniform(0.5, 1.5))


@lru_cache(maxsize=1)
def _pool() -> ThreadPoolExecutor:
    # Kept for the life of the process, as a warm Lambda keeps it: threads are made once.
    return ThreadPoolExecutor(max_workers=POOL_SIZE, thread_name_prefix="fanout")


def _management_poster() -> Poster:
    from chalicelib.aws.connections import management_api

    endpoint = get_settings().websocket_management_endpoint
    if endpoint is None:
        raise RuntimeError("WEBSOCKET_MANAGEMENT_ENDPOINT is not set: the fan-out has nowhere to post")
    return management_api(endpoint)
