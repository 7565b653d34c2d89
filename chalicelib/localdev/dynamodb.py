"""moto's DynamoDB made linearizable, as DynamoDB is, and durable across restarts of `make run`.

moto 5.2.5 serves requests on many threads, but its DynamoDB backend takes no lock: two conditional
writes can both pass their condition, a query can iterate a table while another request inserts into
it (RuntimeError: dictionary changed size during iteration), and a failed TransactWriteItems rolls
back by restoring a copy of every table it touched, wiping what other requests committed meanwhile.
DynamoDB decides each condition against committed state and applies a transaction all or nothing;
one lock around every DynamoDB request gives moto the same guarantees (requests then run one at a
time, which a local server can afford).

moto ignores TransactWriteItems' ClientRequestToken, which DynamoDB honours for 10 minutes: the
same token and request again is answered as the first time and applied once, the same token with
another request is refused (IdempotentParameterMismatchException). The app's transactions carry a
token so that botocore resending one after a timeout does not fail against its own first attempt;
the lock's wrapper keeps the tokens, so `make run` answers that resending as DynamoDB would.

moto keeps its tables in memory only. Under the same lock, every request that changed something is
appended to a journal (one JSON line, fsync'd before the client sees the answer), so a write a
client was told about survives Ctrl-C, a crash or kill -9. On start the journal is replayed through
the server in order (requests are deterministic given the same starting state: conditions, times
and ids are all in the request), then compacted to the tables' definitions and their current items.
"""
from __future__ import annotations

import functools
import hashlib
import json
import os
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

from moto.dynamodb.responses import DynamoHandler

_BACKEND_LOCK = threading.Lock()
TOKEN_LIFETIME_SECONDS = 600
# ClientRequestToken -> (when, the request's digest, the answer), for TransactWriteItems.
_transaction_tokens: dict[str, tuple[float, str, tuple[int, dict[str, str], Any]]] = {}
_TARGET_PREFIX = "DynamoDB_20120810."
# Requests that define a table: kept by compaction, in order, for the tables that still exist.
TABLE_ACTIONS = frozenset({"CreateTable", "UpdateTable", "UpdateTimeToLive", "DeleteTable"})
# Requests that may change items: compaction replaces them with the items they left.
ITEM_ACTIONS = frozenset({
    "PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem", "TransactWriteItems",
    "ExecuteStatement", "BatchExecuteStatement", "ExecuteTransaction",
})  # fmt: skip


class Journal:
    """Append-only JSON lines of the DynamoDB requests that succeeded."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._file = None

    def open(self) -> None:
        self._file = self.path.open("a", encoding="utf-8")

    def append(self, region: str, action: str, request: dict[str, Any]) -> None:
        """Called under the lock, so lines are in the order the writes were applied."""
        self._file.write(json.dumps({"region": region, "action": action, "request": request}) + "\n")
        self._file.flush()

    def sync(self) -> None:
        """Outside the lock: one fsync covers every line written before it, so the next request
        need not wait for this one's disk write to be applied."""
        os.fsync(self._file.fileno())

    def entries(self) -> list[dict[str, Any]]:
        """The journal's lines; a line cut short by a kill mid-write (only ever the last) is dropped:
        its request was never answered."""
        if not self.path.exists():
            return []
        lines = self.path.read_text(encoding="utf-8").splitlines()
        entries = []
        for number, line in enumerate(lines, start=1):
            try:
                entries.append(json.loads(line))
            except ValueError:
                if number != len(lines):
                    raise JournalCorrupt(f"{self.path}:{number} is not JSON; `make reset` starts afresh") from None
        return entries

    def rewrite(self, entries: list[dict[str, Any]]) -> None:
        """Replace the journal atomically: a kill during the rewrite leaves the old one whole."""
        draft = self.path.with_suffix(".compacting")
        with draft.open("w", encoding="utf-8") as out:
            for entry in entries:
                out.write(json.dumps(entry) + "\n")
            out.flush()
            os.fsync(out.fileno())
        os.replace(draft, self.path)
        directory = os.open(self.path.parent, os.O_RDONLY)
        try:
            os.fsync(directory)
        finally:
            os.close(directory)


class JournalCorrupt(Exception):
    pass


_journal: Journal | None = None


def serialize_requests() -> None:
    """Make every DynamoDB request moto serves in this process run alone (and be journaled once
    `record_to` is called); safe to call again."""
    call_action = DynamoHandler.call_action
    if getattr(call_action, "serialized", False):
        return

    @functools.wraps(call_action)
    def serialized_call_action(handler: DynamoHandler):
        journal = _journal
        with _BACKEND_LOCK:
            action = handler._get_action()
            token, digest = _transaction_token(handler) if action == "TransactWriteItems" else (None, "")
            if token is not None and token in _transaction_tokens:
                _, first_digest, answer = _transaction_tokens[token]
                if first_digest == digest:
                    return answer
                return _idempotent_parameter_mismatch()
            status, headers, body = call_action(handler)
            if token is not None and status == 200:
                _remember_token(token, digest, (status, headers, body))
            changed = journal is not None and status == 200 and action in TABLE_ACTIONS | ITEM_ACTIONS
            if changed:
                request = handler.body  # moto has parsed it by now; it may also still be the raw JSON
                journal.append(handler.region, action, request if isinstance(request, dict) else json.loads(request or "{}"))
        if changed:
            journal.sync()  # before the client hears of the write
        return status, headers, body

    serialized_call_action.serialized = True
    DynamoHandler.call_action = serialized_call_action


def _transaction_token(handler: DynamoHandler) -> tuple[str | None, str]:
    request = handler.body if isinstance(handler.body, dict) else json.loads(handler.body or "{}")
    token = request.get("ClientRequestToken")
    if token is None:
        return None, ""
    items = json.dumps(request.get("TransactItems"), sort_keys=True).encode()
    return token, hashlib.sha256(items).hexdigest()


def _remember_token(token: str, digest: str, answer: tuple[int, dict[str, str], Any]) -> None:
    now = time.monotonic()
    for stale in [t for t, (when, _, _) in _transaction_tokens.items() if now - when > TOKEN_LIFETIME_SECONDS]:
        del _transaction_tokens[stale]
    _transaction_tokens[token] = (now, digest, answer)


def _idempotent_parameter_mismatch() -> tuple[int, dict[str, str], str]:
    body = {
        "__type": "com.amazonaws.dynamodb.v20120810#IdempotentParameterMismatchException",
        "message": "The request uses the same client token as a previous, but non-identical request.",
    }
    return 400, {"Content-Type": "application/x-amz-json-1.0"}, json.dumps(body)


def restore(endpoint: str, journal_path: Path) -> int:
    """Replay the journal into the (empty) server at `endpoint`, compact it, and journal every
    change from now on. Returns the number of items restored."""
    global _journal
    journal = Journal(journal_path)
    entries = journal.entries()
    for entry in entries:
        _send(endpoint, entry)
    compacted = _compact(endpoint, entries)
    journal.rewrite(compacted)
    journal.open()
    _journal = journal
    return sum(1 for entry in compacted if entry["action"] == "PutItem")


def _send(endpoint: str, entry: dict[str, Any]) -> dict[str, Any]:
    request = urllib.request.Request(
        endpoint,
        data=json.dumps(entry["request"]).encode(),
        headers={
            "X-Amz-Target": _TARGET_PREFIX + entry["action"],
            "Content-Type": "application/x-amz-json-1.0",
            # moto takes the region from the credential scope, as DynamoDB's endpoint would.
            "Authorization": f"AWS4-HMAC-SHA256 Credential=local/20260101/{entry['region']}/dynamodb/aws4_request",
        },
    )
    try:
        with urllib.request.urlopen(request) as response:
            return json.loads(response.read() or b"{}")
    except urllib.error.HTTPError as error:
        raise JournalCorrupt(
            f"replaying {entry['action']} failed ({error.code}: {error.read()[:300]!r}); `make reset` starts afresh"
        ) from None


def _compact(endpoint: str, entries: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The table-defining requests of the tables that exist, then one PutItem per item they hold."""
    table_entries: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for entry in entries:
        if entry["action"] not in TABLE_ACTIONS:
            continue
        key = (entry["region"], entry["request"]["TableName"])
        if entry["action"] == "DeleteTable":
            table_entries.pop(key, None)
        else:
            table_entries.setdefault(key, []).append(entry)
    compacted = [entry for definitions in table_entries.values() for entry in definitions]
    for region, table in table_entries:
        scan: dict[str, Any] = {"TableName": table, "ConsistentRead": True}
        while True:
            page = _send(endpoint, {"region": region, "action": "Scan", "request": scan})
            compacted += [
                {"region": region, "action": "PutItem", "request": {"TableName": table, "Item": item}}
                for item in page.get("Items", [])
            ]
            if "LastEvaluatedKey" not in page:
                break
            scan["ExclusiveStartKey"] = page["LastEvaluatedKey"]
    return compacted
