"""moto's DynamoDB made linearizable, as DynamoDB is.

moto 5.2.5 serves requests on many threads, but its DynamoDB backend takes no lock: two conditional
writes can both pass their condition, a query can iterate a table while another request inserts into
it (RuntimeError: dictionary changed size during iteration), and a failed TransactWriteItems rolls
back by restoring a copy of every table it touched, wiping what other requests committed meanwhile.
DynamoDB decides each condition against committed state and applies a transaction all or nothing;
one lock around every DynamoDB request gives moto the same guarantees (requests then run one at a
time, which a local server can afford).
"""
from __future__ import annotations

import functools
import threading

from moto.dynamodb.responses import DynamoHandler

_BACKEND_LOCK = threading.Lock()


def serialize_requests() -> None:
    """Make every DynamoDB request moto serves in this process run alone; safe to call again."""
    call_action = DynamoHandler.call_action
    if getattr(call_action, "serialized", False):
        return

    @functools.wraps(call_action)
    def serialized_call_action(handler: DynamoHandler):
        with _BACKEND_LOCK:
            return call_action(handler)

    serialized_call_action.serialized = True
    DynamoHandler.call_action = serialized_call_action
