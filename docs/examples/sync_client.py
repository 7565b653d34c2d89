"""A minimal offline-sync client for Zebros (docs/sync.md), standard library only.

    python3 docs/examples/sync_client.py --api http://127.0.0.1:8000 --token "$TOKEN" \
        --state /tmp/zebros-device.json --create "Met offline"

It keeps a device's state in one JSON file: the records it holds (by kind and id, with the version
each was pulled at), the changes made offline and not yet answered (one per record until sent, each
with its change_id), the pull cursor and the client_id. Each run: records the offline edit asked
for (`--create NAME`: a new customer under the device's own id), pushes the queue, then pulls
everything since the cursor, and prints what happened as JSON.

tests/api/test_sync_convergence.py runs these functions as two devices against the API.
"""
from __future__ import annotations

import argparse
import json
import os
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path

CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
PUSH_LIMIT = 100
ATTEMPTS = 4
RETRY_PAUSE_SECONDS = 0.5


def ulid() -> str:
    """A record id the device mints offline: 48 bits of milliseconds, 80 random bits."""
    value = (int(time.time() * 1000) << 80) | int.from_bytes(os.urandom(10), "big")
    return "".join(CROCKFORD[(value >> shift) & 31] for shift in range(125, -1, -5))


class Api:
    """The API over HTTP. A request whose answer never came (a timeout, a dropped connection) is
    sent again as it was, as is a 429 or 503: a push is idempotent per change_id, a pull only reads."""

    def __init__(self, base: str, token: str) -> None:
        self.base, self.token = base.rstrip("/"), token

    def call(self, method: str, path: str, body: object = None) -> tuple[int, object]:
        data = json.dumps(body).encode() if body is not None else None
        for attempt in range(1, ATTEMPTS + 1):
            try:
                status, headers, answer = self.send(method, path, data)
            except OSError:  # urllib's URLError, a timeout, a reset connection
                if attempt == ATTEMPTS:
                    raise
                time.sleep(RETRY_PAUSE_SECONDS * 2**attempt)
                continue
            if status in (429, 503) and attempt < ATTEMPTS:
                time.sleep(float(headers.get("retry-after", RETRY_PAUSE_SECONDS)))
                continue
            return status, json.loads(answer or b"null")
        raise AssertionError("unreachable")

    def send(self, method: str, path: str, data: bytes | None) -> tuple[int, dict[str, str], bytes]:
        request = urllib.request.Request(self.base + path, data=data, method=method)
        request.add_header("Content-Type", "application/json")
        if self.token:
            request.add_header("Authorization", f"Bearer {self.token}")
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return response.status, {k.lower(): v for k, v in response.headers.items()}, response.read()
        except urllib.error.HTTPError as error:
            return error.code, {k.lower(): v for k, v in error.headers.items()}, error.read()


def load(path: Path) -> dict:
    if path.exists():
        return json.loads(path.read_text())
    return {"client_id": str(uuid.uuid4()), "cursor": None, "records": {}, "queue": []}


def save(path: Path, state: dict) -> None:
    temporary = path.with_suffix(".tmp")
    temporary.write_text(json.dumps(state, indent=1))
    temporary.replace(path)  # a crash leaves the old state whole, queue included


def key_of(change: dict) -> str:
    return f"{change['kind']}/{change['id']}"


def edit_offline(state: dict, kind: str, record_id: str, op: str, fields: dict | None = None) -> None:
    """A local edit: the local copy changes at once, and the queue keeps one unsent change per
    record with everything edited since the last sync (a create or an update takes in later
    updates, a delete replaces them, a delete of a record never sent drops its create). Edits are
    not queued one by one: two updates based on the same version would meet each other on the
    server as a conflict. A change already sent is never altered: its retry must be the same."""
    key = f"{kind}/{record_id}"
    held = state["records"].get(key)
    unsent = next((c for c in state["queue"] if key_of(c) == key and not c.get("sent")), None)
    if op == "delete":
        state["records"].pop(key, None)
        if unsent is not None:
            state["queue"].remove(unsent)
            if unsent["op"] == "create":
                return  # the server never heard of it
        state["queue"].append(
            {"change_id": str(uuid.uuid4()), "kind": kind, "id": record_id, "op": "delete", "base_version": held["version"]}
        )
        return
    copy = held or {"version": 0, "record": {"id": record_id}}
    state["records"][key] = {"version": copy["version"], "record": {**copy["record"], **fields}}
    if unsent is not None:
        unsent["fields"] = {**unsent["fields"], **fields}
        return
    change = {"change_id": str(uuid.uuid4()), "kind": kind, "id": record_id, "op": op, "fields": dict(fields)}
    if op == "update":
        change["base_version"] = copy["version"]
    state["queue"].append(change)


def push(api: Api, state: dict, path: Path) -> list[dict]:
    """Sends the queue in order, at most one change per record a push; a change leaves the queue
    once answered. Returns the results to show the user: conflicts and rejections."""
    reported = []
    while state["queue"]:
        batch = []
        for change in state["queue"][:PUSH_LIMIT]:
            if any(key_of(sent) == key_of(change) for sent in batch):
                break  # its base_version may depend on the answer to the earlier one
            batch.append(change)
            change["sent"] = True
        save(path, state)
        wire = [{name: value for name, value in change.items() if name != "sent"} for change in batch]
        status, body = api.call("POST", "/v1/sync", {"client_id": state["client_id"], "changes": wire})
        if status != 200:
            raise SystemExit(f"push refused: {status} {body}")
        for change, result in zip(batch, body["results"]):
            if result["status"] == "rejected" and result["problem"]["status"] in (409, 503):
                save(path, state)
                return reported  # being applied by another push, or briefly unavailable: later, as is
            if is_own_create(change, result):
                result = {name: result[name] for name in ("change_id", "version", "record")} | {"status": "applied"}
            state["queue"].remove(change)
            key = key_of(change)
            later = [queued for queued in state["queue"] if key_of(queued) == key]
            if result["status"] == "rejected":
                refresh(api, state, change)  # nothing was written: the server's copy is the truth
            elif not later:
                store(state, key, result["version"], result["record"])
            elif is_next_version(change, result):
                # Nothing else happened to the record in between: the next edit is based on this
                # write. Otherwise it keeps its base, and the server merges it as it merged this one.
                for queued in later:
                    queued["base_version"] = result["version"]
            if result["status"] != "applied":
                reported.append({"kind": change["kind"], "id": change["id"], **result})
        save(path, state)
    return reported


def is_own_create(change: dict, result: dict) -> bool:
    """A create answered `exists` with the fields it sent: the device's own, written by a request
    whose answer was lost and whose result the server could not keep (docs/sync.md)."""
    record = result.get("record")
    if change["op"] != "create" or result.get("reason") != "exists" or record is None:
        return False
    return all(record.get(name) == value for name, value in change["fields"].items())


def is_next_version(change: dict, result: dict) -> bool:
    """The change was applied as the only write after its base version."""
    applied = result["status"] == "applied" and "merged" not in result
    return applied and result["version"] == change.get("base_version", 0) + 1


def store(state: dict, key: str, version: int, record: dict | None) -> None:
    if record is None:
        state["records"].pop(key, None)
    else:
        state["records"][key] = {"version": version, "record": record}


def refresh(api: Api, state: dict, change: dict) -> None:
    status, record = api.call("GET", f"/v1/{change['kind']}/{change['id']}")
    store(state, key_of(change), record["version"] if status == 200 else 0, record if status == 200 else None)


def pull(api: Api, state: dict, path: Path) -> int:
    """Everything that changed since the cursor, page by page; the cursor is saved with the pages
    applied, never before. 410: the cursor is too old, start again from a snapshot."""
    pulled = 0
    while True:
        query = f"?since={state['cursor']}" if state["cursor"] else ""
        status, body = api.call("GET", "/v1/sync" + query)
        if status == 410:
            state["cursor"], state["records"] = None, {}
            continue
        if status != 200:
            raise SystemExit(f"pull refused: {status} {body}")
        pending = {key_of(change) for change in state["queue"]}
        for change in body["changes"]:
            key = key_of(change)
            held = state["records"].get(key)
            if key in pending or (held is not None and held["version"] >= change["version"]):
                continue  # a local edit is pushed (and merged by the server) first; an older change
            store(state, key, change["version"], change["record"] if change["op"] == "upsert" else None)
            pulled += 1
        state["cursor"] = body["next_cursor"]
        save(path, state)
        if not body["has_more"]:
            return pulled


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--api", default="http://127.0.0.1:8000")
    parser.add_argument("--token", required=True, help="an access token (POST /v1/auth/login)")
    parser.add_argument("--state", type=Path, required=True, help="the device's state file")
    parser.add_argument("--create", metavar="NAME", help="first create a customer offline")
    arguments = parser.parse_args()
    api = Api(arguments.api, arguments.token)
    state = load(arguments.state)
    created = None
    if arguments.create:
        created = ulid()
        edit_offline(state, "customers", created, "create", {"name": arguments.create})
        save(arguments.state, state)
    queued = len(state["queue"])
    reported = push(api, state, arguments.state)
    pulled = pull(api, state, arguments.state)
    print(json.dumps({"created": created, "pushed": queued - len(state["queue"]), "reported": reported,
                      "pulled": pulled, "records": len(state["records"])}))  # fmt: skip


if __name__ == "__main__":
    main()
