"""Schemathesis hooks for the contract fuzz run (tests/contract/test_openapi_fuzz.py), loaded by the
`st run` process it starts (`hooks` in schemathesis.toml).

Beside schemathesis' own checks, two of ours. A request the document calls valid is refused with
422 only for what no schema states (its body names a record the organization does not have, breaks
a rule across fields), never by the schema the document gives for it: such a body is validated
again here as the server validates it (core.documents.parse_json, then core.validation against the
documented schema, which is the service's own). And a refused request writes nothing. The `make run`
server journals every DynamoDB request that changed something (chalicelib/localdev/dynamodb.py,
one JSON line, written before the client hears the answer), and the run sends one request at a
time (workers = 1), so the lines a request added are the ones after the journal's length before it.
Also counts the requests the run made, for the summary the test prints.
"""
from __future__ import annotations

import hashlib
import json
import os
from collections import OrderedDict
from pathlib import Path
from typing import Any

import schemathesis
from schemathesis.core import NOT_SET

from chalicelib.core.documents import parse_json
from chalicelib.core.errors import DomainError
from chalicelib.core.validation import validate
from tests.refused_writes import WRITES_ALLOWED_ON_REFUSAL

JOURNAL = Path(os.environ["ZEBROS_FUZZ_JOURNAL"])
REQUEST_COUNT = Path(os.environ["ZEBROS_FUZZ_REQUEST_COUNT"])
# Written by the server on its own after a committed write, whatever request is being served then:
# the event consumer's receipts (platform/event_consumers.once) and the WebSocket fan-out dropping
# connections that are gone.
BACKGROUND_TABLES = {"event_receipts", "connections"}
# What a metered route counts and gives back (platform/routes/rate_limits.py).
METERED_COUNTER = {("usage", "count"), ("usage", "purge_at"), ("usage", "*")}

_journal_length_before_request = 0
_requests = 0
# id(response) -> (response, the journal lines its request added): a check may run again on a
# response later (shrinking, replay), when the journal has grown since. The response is kept so
# its id is not reused; the last few suffice.
_journal_added: OrderedDict[int, tuple[Any, str]] = OrderedDict()
# (operation, media type) -> the documented body schema; kept, as core.validation caches a compiled
# schema by the schema's id.
_body_schemas: dict[tuple[str, str], Any] = {}


# Positions only the API can hand out: a list's `cursor`, the sync feed's `since`.
OPAQUE_CURSORS = {"cursor", "since"}


@schemathesis.hook
def map_case(context: Any, case: Any) -> Any:
    """What a request meant to be valid goes without, for what its query's schema cannot state. A
    cursor is opaque: only one a list answered is valid, and no generator can make one (the
    stateful phase follows the lists' real cursors). OpenAPI's parameters can neither exclude nor
    require one another: a search by `q` takes no `sort` (it lists name matches, then email
    matches: core.search.parse_search), and the audit trail's `target_type` and `target_id` go
    together (one record's history); a period's `from` must be on or before its `to` (today when
    absent) and span at most a year (the dashboard), so valid requests give `to` alone. Invalid
    requests keep fuzzing them all."""
    if case.meta is not None and case.meta.generation.mode.is_positive and case.query:
        left_out = OPAQUE_CURSORS | ({"sort"} if "q" in case.query else set()) | {"from"}
        if ("target_type" in case.query) != ("target_id" in case.query):
            left_out |= {"target_type", "target_id"}
        case.query = {name: value for name, value in case.query.items() if name not in left_out}
    if case.meta is not None and case.meta.generation.mode.is_positive and case.operation.label == "GET /v1/graphql":
        # A persisted query is named by its document's hash, opaque as a cursor: a valid request
        # names the one the CRM registers.
        document = (Path(__file__).resolve().parents[2] / "chalicelib" / "crm" / "graphql" / "customer_screen.graphql").read_bytes()
        persisted = {"persistedQuery": {"version": 1, "sha256Hash": hashlib.sha256(document).hexdigest()}}
        case.query = {"extensions": json.dumps(persisted), "variables": json.dumps({"id": "no-such-customer"})}
    if case.meta is not None and case.meta.generation.mode.is_positive and case.operation.label == "POST /v1/graphql":
        # A JSON Schema cannot say "a GraphQL document that parses": a valid request sends one
        # (an unparseable one is 400, as GraphQL over HTTP requires; the negative cases send those).
        case.body = {"query": "{ __typename }"}
    return case


@schemathesis.hook
def before_call(context: Any, case: Any, kwargs: Any) -> None:
    global _journal_length_before_request
    _journal_length_before_request = JOURNAL.stat().st_size


@schemathesis.hook
def after_call(context: Any, case: Any, response: Any) -> None:
    global _requests
    _requests += 1
    REQUEST_COUNT.write_text(str(_requests))
    with JOURNAL.open("rb") as journal:
        journal.seek(_journal_length_before_request)
        _journal_added[id(response)] = (response, journal.read().decode())
    while len(_journal_added) > 64:
        _journal_added.popitem(last=False)


def _item_key(part: dict[str, Any]) -> str:
    return json.dumps(part.get("Key") or part.get("Item"), sort_keys=True)


def _written(entries: list[dict[str, Any]]) -> set[tuple[str, str]]:
    """(table, attribute) pairs the journaled DynamoDB requests wrote ("*": a whole item). An item
    put and deleted again within the request (a claim released: the Idempotency-Key of a refused
    request) left nothing."""
    written: dict[tuple[str, str], set[str]] = {}
    for entry in entries:
        request, action = entry["request"], entry["action"]
        if action == "BatchWriteItem":
            for table in request["RequestItems"]:
                written.setdefault((table, "null"), set()).add("*")
            continue
        if action == "TransactWriteItems":
            parts = [(kind, item[kind]) for item in request["TransactItems"] for kind in item if kind != "ConditionCheck"]
        else:
            parts = [(action.removesuffix("Item"), request)]
        for kind, part in parts:
            table = part["TableName"]
            if kind == "Delete":
                put = next((key for key in written if key[0] == table and _subset(part["Key"], key[1])), None)
                if put is not None and written[put] == {"*"}:
                    del written[put]
                    continue
            # PynamoDB names every attribute of an update through a placeholder.
            attributes = set(part.get("ExpressionAttributeNames", {}).values()) if kind == "Update" else {"*"}
            written.setdefault((table, _item_key(part)), set()).update(attributes)
    return {(table, attribute) for (table, _), attributes in written.items() for attribute in attributes}


def _subset(key: dict[str, Any], item: str) -> bool:
    stored = json.loads(item)
    return isinstance(stored, dict) and all(stored.get(name) == value for name, value in key.items())


@schemathesis.check
def refused_request_writes_nothing(ctx: Any, response: Any, case: Any) -> None:
    """A 4xx leaves every table as it was, except the writes a refusal makes by design."""
    if not 400 <= response.status_code < 500 or id(response) not in _journal_added:
        return
    added = _journal_added[id(response)][1]
    allowed = WRITES_ALLOWED_ON_REFUSAL.get((case.operation.method.upper(), case.operation.path), set())
    if case.operation.path.endswith("/batch") or _declares_rate_limits(case):
        # Batches and the routes whose answers carry RateLimit headers are metered: a use is
        # counted before the view and given back when it refuses (platform/routes/rate_limits.py;
        # the counter item goes when that use created it), so the journal holds those writes while
        # the table ends as it was (tests/api/test_fuzz_routes.py compares the tables themselves).
        allowed = allowed | METERED_COUNTER
    unexpected = set()
    for table, attribute in _written([json.loads(line) for line in added.splitlines() if line.strip()]):
        logical = table.rsplit("-", 1)[-1]  # zebros-<stage>-<table>: table names have no dash
        if logical not in BACKGROUND_TABLES and (logical, attribute) not in allowed:
            unexpected.add(f"{logical}.{attribute}")
    if unexpected:
        raise AssertionError(f"Refused with {response.status_code} but wrote {', '.join(sorted(unexpected))}")


def _declares_rate_limits(case: Any) -> bool:
    operation = case.operation.schema.raw_schema["paths"][case.operation.path][case.operation.method.lower()]
    return any("RateLimit" in (response.get("headers") or {}) for response in operation.get("responses", {}).values())


@schemathesis.check
def schema_valid_body_passes_validation(ctx: Any, response: Any, case: Any) -> None:
    """A 422 to a body generated as valid for its documented schema, which the server's own
    validation refuses too: the document and the validator disagree."""
    if response.status_code != 422 or case.meta is None or not case.meta.generation.mode.is_positive:
        return
    schema = _body_schema(case)
    if schema is None or case.body is NOT_SET:
        return
    try:
        validate(schema, parse_json(json.dumps(case.body)))
    except DomainError as refusal:
        raise AssertionError(f"The documented body schema allows this body; the server's validation refuses it: {refusal}") from None


def _body_schema(case: Any) -> Any:
    key = (case.operation.label, case.media_type)
    if key not in _body_schemas:
        bodies = [body for body in case.operation.body if body.media_type == case.media_type]
        schema = bodies[0].resolved_schema if bodies and "json" in (case.media_type or "") else None
        # A recursive schema (JsonValue) keeps its $ref into the document's components.
        components = case.operation.schema.raw_schema.get("components", {})
        _body_schemas[key] = None if schema is None else {**schema, "components": components}
    return _body_schemas[key]
