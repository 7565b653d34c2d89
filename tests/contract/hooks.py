"""Schemathesis hooks for the contract fuzz run (tests/contract/test_openapi_fuzz.py), loaded by the
`st run` process it starts (`hooks` in schemathesis.toml).

Beside schemathesis' own checks, one of ours: a refused request writes nothing. The `make run`
server journals every DynamoDB request that changed something (chalicelib/localdev/dynamodb.py,
one JSON line, written before the client hears the answer), and the run sends one request at a
time (workers = 1), so the lines a request added are the ones after the journal's length before it.
Also counts the requests the run made, for the summary the test prints.
"""
from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import schemathesis

from tests.refused_writes import WRITES_ALLOWED_ON_REFUSAL

JOURNAL = Path(os.environ["ZEBROS_FUZZ_JOURNAL"])
REQUEST_COUNT = Path(os.environ["ZEBROS_FUZZ_REQUEST_COUNT"])
TABLE_PREFIX = os.environ.get("ZEBROS_FUZZ_TABLE_PREFIX", "zebros-local-")
# Written by the server on its own after a committed write, whatever request is being served then:
# the event consumer's receipts (platform/event_consumers.once) and the WebSocket fan-out dropping
# connections that are gone.
BACKGROUND_TABLES = {"event_receipts", "connections"}

_journal_length_before_request = 0
_requests = 0


@schemathesis.hook
def before_call(context: Any, case: Any, kwargs: Any) -> None:
    global _journal_length_before_request
    _journal_length_before_request = JOURNAL.stat().st_size


@schemathesis.hook
def after_call(context: Any, case: Any, response: Any) -> None:
    global _requests
    _requests += 1
    REQUEST_COUNT.write_text(str(_requests))


def _written(entry: dict[str, Any]) -> set[tuple[str, str]]:
    """(table, attribute) pairs a journaled DynamoDB request wrote ("*": a whole item)."""
    request, action = entry["request"], entry["action"]
    if action == "TransactWriteItems":
        parts = [(kind, item[kind]) for item in request["TransactItems"] for kind in item if kind != "ConditionCheck"]
    elif action == "BatchWriteItem":
        return {(table, "*") for table in request["RequestItems"]}
    else:
        parts = [(action.removesuffix("Item"), request)]
    written = set()
    for kind, part in parts:
        table = part["TableName"]
        if kind == "Update":
            # PynamoDB names every attribute through a placeholder.
            written |= {(table, name) for name in part.get("ExpressionAttributeNames", {}).values()}
        else:
            written.add((table, "*"))
    return written


@schemathesis.check
def refused_request_writes_nothing(ctx: Any, response: Any, case: Any) -> None:
    """A 4xx leaves every table as it was, except the writes a refusal makes by design."""
    if not 400 <= response.status_code < 500:
        return
    with JOURNAL.open("rb") as journal:
        journal.seek(_journal_length_before_request)
        added = journal.read().decode()
    allowed = WRITES_ALLOWED_ON_REFUSAL.get((case.operation.method.upper(), case.operation.path), set())
    unexpected = set()
    for line in added.splitlines():
        if not line.strip():
            continue
        for table, attribute in _written(json.loads(line)):
            logical = table.removeprefix(TABLE_PREFIX)
            if logical not in BACKGROUND_TABLES and (logical, attribute) not in allowed:
                unexpected.add(f"{logical}.{attribute}")
    if unexpected:
        raise AssertionError(f"Refused with {response.status_code} but wrote {', '.join(sorted(unexpected))}")
