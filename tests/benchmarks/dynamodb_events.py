"""Watching DynamoDB calls through botocore's event system.

PynamoDB 6.1 gives every Connection (each model's, and the app's transaction connection) a botocore
session of its own per thread (`botocore.session.get_session()`) and creates its client lazily on
the first call. A handler registered on one session therefore misses the others, so the hook goes
where every client is born: `Session.create_client`, registering on each new DynamoDB client's
`meta.events` (and noting which session made it). `before-call.dynamodb` fires once per API call, before retries; the operation name
is the model's name (GetItem, Query, TransactWriteItems, Scan, ...).
"""
from __future__ import annotations

import time
from collections import Counter
from typing import Any

_installed = False
_watchers: list[Any] = []
# Called with every DynamoDB client created since install() (the fault test hooks its sends).
client_listeners: list[Any] = []
# Every botocore client created since install(), as (service name, id of its session): each
# session loads its own copy of the service's model and endpoint rules, some 10 MiB apiece.
clients_created: list[tuple[str, int]] = []


def _register(client: Any, session: Any) -> None:
    clients_created.append((client.meta.service_model.service_name, id(session)))
    if client.meta.service_model.service_name != "dynamodb":
        return
    client.meta.events.register("before-call.dynamodb", _before_call)
    client.meta.events.register("after-call.dynamodb", _after_call)
    client.meta.events.register("after-call-error.dynamodb", _after_call)
    for listener in client_listeners:
        listener(client)


def _before_call(model: Any, **_: Any) -> None:
    for watcher in _watchers:
        watcher.before(model.name)


def _after_call(**_: Any) -> None:
    for watcher in _watchers:
        watcher.after()


def install() -> None:
    """Hook every botocore client created from now on (boto3's too: boto3 creates them through a
    botocore session). Call before the first DynamoDB request."""
    global _installed
    if _installed:
        return
    import botocore.session

    original = botocore.session.Session.create_client

    def create_client(self: Any, *args: Any, **kwargs: Any) -> Any:
        client = original(self, *args, **kwargs)
        _register(client, self)
        return client

    botocore.session.Session.create_client = create_client  # type: ignore[method-assign]
    _installed = True


class CallCounter:
    """DynamoDB calls by operation name, split by the phase the caller says it is in."""

    def __init__(self) -> None:
        self.phase = "setup"
        self.calls: dict[str, Counter[str]] = {}
        _watchers.append(self)

    def before(self, operation: str) -> None:
        self.calls.setdefault(self.phase, Counter())[operation] += 1

    def after(self) -> None:
        pass

    def take(self) -> dict[str, dict[str, int]]:
        taken = {phase: dict(counter) for phase, counter in self.calls.items()}
        self.calls = {}
        return taken


class CallTimer:
    """Nanoseconds spent inside DynamoDB API calls (request, round trip, response parsing)."""

    def __init__(self) -> None:
        self.total_ns = 0
        self._started = 0
        _watchers.append(self)

    def before(self, operation: str) -> None:
        self._started = time.perf_counter_ns()

    def after(self) -> None:
        self.total_ns += time.perf_counter_ns() - self._started

    def take(self) -> int:
        taken, self.total_ns = self.total_ns, 0
        return taken
