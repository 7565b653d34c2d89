"""A minimal offline-sync client for Zebros (docs/sync.md), standard library only.

    python3 docs/examples/sync_client.py --api http://127.0.0.1:8000 --email demo@example.com \
        --password "$(cat .local/demo-password)" --state /tmp/zebros-device.json

It keeps a device's state in one JSON file: the records it holds (by kind and id, with the version
each was pulled at), the changes made offline and not yet pushed (each with its change_id, kept
until the server has answered it), the pull cursor and the client_id. Each run: records one offline
edit (a new customer), pushes the queue, then pulls everything since the cursor.
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


def ulid() -> str:
    """A record id the device mints offline: 48 bits of milliseconds, 80 random bits."""
    value = (int(time.time() * 1000) << 80) | int.from_bytes(os.urandom(10), "big")
    return "".join(CROCKFORD[(value >> shift) & 31] for shift in range(125, -1, -5))


class Api:
    def __init__(self, base: str, token: str) -> None:
        self.base, self.token = base.rstrip("/"), token

    def call(self, method: str, path: str, body: object = None) -> tuple[int, object]:
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(self.base + path, data=data, method=method)
        request.add_header("Content-Type", "application/json")
        if self.token:
            request.add_header("Authorization", f"Bearer {self.token}")
        for attempt in range(4):
            try:
                with urllib.request.urlopen(request, timeout=30) as response:
                    return response.status, json.loads(response.read() or b"null")
            except urllib.error.HTTPError as error:
                if error.code in (429, 503) and attempt < 3:  # retried as is: the push is idempotent
                    time.sleep(float(error.headers.get("Retry-After", "1")))
                    continue
                return error.code, json.loads(error.read() or b"null")
        raise RuntimeError("unreachable")


def load(path: Path) -> dict:
    if path.exists():
        return json.loads(path.read_text())
    return {"client_id": str(uuid.uuid4()), "cursor": None, "records": {}, "queue": []}


def save(path: Path, state: dict) -> None:
    temporary = path.with_suffix(".tmp")
    temporary.write_text(json.dumps(state, indent=1))
    temporary.replace(path)  # a crash leaves the old state whole, queue included


def edit_offline(state: dict, kind: str, record_id: str, op: str, fields: dict | None = None) -> None:
    key = f"{kind}/{record_id}"
    held = state["records"].get(key)
    change = {"change_id": str(uuid.uuid4()), "kind": kind, "id": record_id, "op": op}
    if op != "create":
        change["base_version"] = held["version"]
    if op != "delete":
        change["fields"] = fields
        state["records"][key] = {"version": held["version"] if held else 0, "record": {**(held or {}).get("record", {}), **fields}}
    state["queue"].append(change)


def push(api: Api, state: dict, path: Path) -> list[dict]:
    """Sends the queue (100 at a time); a change leaves the queue once it has a result. A lost
    answer is no problem: the same changes sent again get the same results."""
    reported = []
    while state["queue"]:
        batch = state["queue"][:100]
        status, body = api.call("POST", "/v1/sync", {"client_id": state["client_id"], "changes": batch})
        if status != 200:
            raise SystemExit(f"push refused: {status} {body}")
        for change, result in zip(batch, body["results"]):
            key = f"{change['kind']}/{change['id']}"
            if result["status"] == "rejected" and result["problem"]["status"] in (409, 503):
                return reported  # in progress elsewhere, or briefly unavailable: push again later
            if result["status"] in ("applied", "conflict"):
                if result["record"] is None:
                    state["records"].pop(key, None)
                else:
                    state["records"][key] = {"version": result["version"], "record": result["record"]}
            if result["status"] != "applied":
                reported.append(result)  # a conflict or a rejection: show it to the user
        state["queue"] = state["queue"][len(batch):]
        save(path, state)
    return reported


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
        pending = {f"{change['kind']}/{change['id']}" for change in state["queue"]}
        for change in body["changes"]:
            key = f"{change['kind']}/{change['id']}"
            if key in pending:
                continue  # the local edit is pushed (and merged by the server) first
            if change["op"] == "delete":
                state["records"].pop(key, None)
            else:
                state["records"][key] = {"version": change["version"], "record": change["record"]}
            pulled += 1
        state["cursor"] = body["next_cursor"]
        save(path, state)
        if not body["has_more"]:
            return pulled


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--api", default="http://127.0.0.1:8000")
    parser.add_argument("--email", required=True)
    parser.add_argument("--password", required=True)
    parser.add_argument("--state", type=Path, required=True)
    arguments = parser.parse_args()
    status, tokens = Api(arguments.api, "").call("POST", "/v1/auth/login", {"email": arguments.email, "password": arguments.password})
    if status != 200:
        raise SystemExit(f"login refused: {status} {tokens}")
    api = Api(arguments.api, tokens["access_token"])
    state = load(arguments.state)
    edit_offline(state, "customers", ulid(), "create", {"name": "Met offline", "phone": "+1 555 0199"})
    save(arguments.state, state)
    reported = push(api, state, arguments.state)
    pulled = pull(api, state, arguments.state)
    print(json.dumps({"conflicts_and_rejections": reported, "pulled": pulled, "records": len(state["records"])}))


if __name__ == "__main__":
    main()
