"""DynamoDB faults on ~10% of calls, across every route of the app.

The scenario of `make bench` (tests/benchmarks/dynamodb_calls.py: every route, with the status it
answers) runs against the in-process moto with a seeded fault injector on every DynamoDB client:
ProvisionedThroughputExceededException, ThrottlingException, a transaction conflict and timeouts.
The injector sits on botocore's `before-send`, so botocore's adaptive retry mode really retries
(and the app's own resend of a conflicted transaction really resends); a faulted request never
reaches the table.

The authorizer's own reads are faulted too: in AWS it is another function, whose failure API
Gateway answers with the AUTHORIZER_FAILURE gateway response (503 with Retry-After, configured from
chalicelib/platform/routes/gateway_responses.json and restated locally by the local gateway).

Each request must answer its expected status (after retries) or 503 problem+json with Retry-After,
and a 503 must leave nothing of its write behind. The test then does what Retry-After asks: sends
the same request again until it answers. The merge is the one operation committed in several
transactions; an interrupted merge may stay part-way, and its resend must finish it. At the end,
every record's history in the audit log matches the record.

Only the waiting is taken out: botocore's backoff sleeps are recorded instead of slept, and the
adaptive rate limiter's clock advances 60 s per reading, so its token bucket never blocks.
"""
from __future__ import annotations

import itertools
import json
import logging
import random
import secrets
import time
from urllib.parse import urlencode
from collections import Counter
from io import BytesIO
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
from botocore.awsrequest import AWSResponse
from botocore.exceptions import ConnectTimeoutError, ReadTimeoutError
from botocore.retries import bucket
from chalice.test import Client

from app import app
from chalicelib.platform.tables.base import transaction_connection
from chalicelib.platform.tables.writes import FEED_ATTEMPTS
from chalicelib.tables import ALL_MODELS
from tests.benchmarks import dynamodb_events
from tests.benchmarks.dynamodb_calls import API_KEY, SCENARIO, ResetTokenCatcher, response_body
from tests.refused_writes import WRITES_ALLOWED_ON_REFUSAL

# tests/conftest.py's key for the local gateway, in place of the benchmark's.
TEST_API_KEY = "test-api-key"
SEED = 20260808
FAULT_RATE = 0.10
MAX_RESENDS = 10
SUMMARY_PATH = Path(__file__).resolve().parents[2] / "build" / "faults.json"
# Writes that commit in more than one transaction and resume when sent again (a password reset
# spends its token last, so the same request finishes it).
RESUMABLE = {
    ("POST", "/v1/customers/merge"),
    ("POST", "/v1/auth/password/reset"),
    # Ending a child's sessions (and revoking a device token, deleting a child, which end theirs)
    # is one write per session: a request cut off part-way has ended some, and its resend ends
    # the rest and commits the record (storyverse/families/services).
    ("POST", "/v1/children/{child_id}/sessions/revoke"),
    ("DELETE", "/v1/children/{child_id}/devices/{device_id}"),
    ("DELETE", "/v1/children/{child_id}"),
}
# Bookkeeping a failed request may leave without harm: an Idempotency-Key claim it could not
# release lapses by itself.
BOOKKEEPING_TABLES = {"idempotency_keys"}
THROTTLES = ("ProvisionedThroughputExceededException", "ThrottlingException")
TIMEOUTS = ("ReadTimeoutError", "ConnectTimeoutError")
SINGLE_WRITES = {"PutItem", "UpdateItem", "DeleteItem"}
# Nothing serves this address: a faulted request pointed at it is not applied by moto's
# in-process stub, which botocore calls even when an earlier handler already answered.
NOWHERE = "https://fault-injected.invalid/"


class _Body(BytesIO):
    def stream(self, **_: Any) -> Any:
        yield self.read()


class FaultInjector:
    """A fault on `rate` of the attempts botocore sends, chosen by a seeded generator."""

    def __init__(self, seed: int, rate: float) -> None:
        self.random = random.Random(seed)
        self.rate = rate
        self.active = False
        self.calls = 0
        self.attempts = 0
        self.injected: Counter[str] = Counter()
        self.injected_this_request = 0
        # (operation, n) -> the fault every attempt of the n-th such call gets (counted while active).
        self.persistent: dict[tuple[str, int], str] = {}
        self._calls_by_operation: Counter[str] = Counter()

    def attach(self, client: Any) -> None:
        client.meta.events.register("before-call.dynamodb", self._count_call)
        client.meta.events.register_first("before-send.dynamodb", self._before_send)

    def _count_call(self, model: Any, **_: Any) -> None:
        if self.active:
            self.calls += 1
            self._calls_by_operation[model.name] += 1

    def _before_send(self, request: Any, event_name: str, **_: Any) -> AWSResponse | None:
        if not self.active:
            return None
        self.attempts += 1
        operation = event_name.rsplit(".", 1)[-1]
        kind = self.persistent.get((operation, self._calls_by_operation[operation]))
        if kind is None:
            if self.random.random() >= self.rate:
                return None
            kinds = [*THROTTLES, "timeout"]
            if operation == "TransactWriteItems" or operation in SINGLE_WRITES:
                kinds.append("TransactionConflict")
            kind = self.random.choice(kinds)
            if kind == "timeout":
                kind = self.random.choice(TIMEOUTS)
        self.injected[kind] += 1
        self.injected_this_request += 1
        url, request.url = request.url, NOWHERE
        if kind == "ReadTimeoutError":
            raise ReadTimeoutError(endpoint_url=url)
        if kind == "ConnectTimeoutError":
            raise ConnectTimeoutError(endpoint_url=url)
        if kind == "TransactionConflict":
            return _error_response(url, *_conflict(operation, request.body))
        return _error_response(url, kind, {"message": "Injected: the request rate is too high."})


def _conflict(operation: str, body: bytes) -> tuple[str, dict[str, Any]]:
    if operation != "TransactWriteItems":
        return "TransactionConflictException", {"message": "Injected: transaction is ongoing for the item."}
    items = json.loads(body)["TransactItems"]
    reasons = [{"Code": "None"} for _ in items]
    reasons[len(items) // 2] = {"Code": "TransactionConflict", "Message": "Injected: transaction is ongoing for the item."}
    codes = ", ".join(reason["Code"] for reason in reasons)
    return "TransactionCanceledException", {
        "Message": f"Transaction cancelled, please refer cancellation reasons for specific reasons [{codes}]",
        "CancellationReasons": reasons,
    }


def _error_response(url: str, code: str, fields: dict[str, Any]) -> AWSResponse:
    body = json.dumps({"__type": f"com.amazonaws.dynamodb.v20120810#{code}", **fields}).encode()
    headers = {"Content-Type": "application/x-amz-json-1.0", "x-amzn-RequestId": secrets.token_hex(8)}
    return AWSResponse(url, 400, headers, _Body(body))


def _models_with_tables() -> set[type]:
    from pynamodb.models import Model

    found, pending = set(), [Model]
    while pending:
        for subclass in pending.pop().__subclasses__():
            pending.append(subclass)
            if hasattr(subclass, "Meta") and hasattr(subclass.Meta, "table_name"):
                found.add(subclass)
    return found | set(ALL_MODELS)


@pytest.fixture
def injector(aws, monkeypatch):
    """Every DynamoDB client made fresh, with the injector on it; waits recorded, not slept."""
    injector = FaultInjector(SEED, FAULT_RATE)
    dynamodb_events.install()
    dynamodb_events.client_listeners.append(injector.attach)
    # Every model's, those sharing a table too (the feed's heads): a connection kept from an earlier
    # test would keep its adaptive rate limiter, whose clock that test's virtual one ran hours ahead.
    for model in _models_with_tables():
        monkeypatch.setattr(model, "_connection", None)
    transaction_connection.cache_clear()
    injector.slept = []
    monkeypatch.setattr(time, "sleep", injector.slept.append)
    virtual_clock = itertools.count(time.time(), 60.0)
    monkeypatch.setattr(bucket.Clock, "current_time", lambda self: next(virtual_clock))
    try:
        yield injector
    finally:
        dynamodb_events.client_listeners.remove(injector.attach)
        transaction_connection.cache_clear()


def _stored() -> dict[tuple[str, str], str]:
    """Every item of every table, as moto holds it: (table, key) -> attributes."""
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.dynamodb.models import dynamodb_backends

    stored = {}
    for name, table in dynamodb_backends[DEFAULT_ACCOUNT_ID]["us-east-1"].tables.items():
        for hash_key, value in table.items.items():
            items = value.items() if table.has_range_key else [(None, value)]
            for range_key, item in items:
                stored[(name, f"{hash_key}|{range_key}")] = json.dumps(item.to_json()["Attributes"], sort_keys=True)
    return stored


def _changed(before: dict[tuple[str, str], str], after: dict[tuple[str, str], str]) -> list[tuple[str, str]]:
    return sorted(key for key in before.keys() | after.keys() if before.get(key) != after.get(key))


def _logical(table_name: str) -> str:
    return table_name.removeprefix("zebros-test-")


def _is_unavailable(response: Any) -> bool:
    return (
        response.status_code == 503
        and response.headers.get("Content-Type") == "application/problem+json"
        and int(response.headers.get("Retry-After", "0")) >= 1
        and json.loads(response.body)["status"] == 503
    )


def _tenant_tables() -> dict[str, Any]:
    """Physical table name -> its TenantTable (kind and id attribute of its records)."""
    import sys

    from chalicelib.platform.tables.tenant_table import TenantTable

    found = {}
    for module in {sys.modules[model.__module__] for model in ALL_MODELS}:
        for value in vars(module).values():
            if isinstance(value, TenantTable):
                found[value.model.Meta.table_name] = value
    return found


def _audit_matches_records(stored: dict[tuple[str, str], str]) -> list[str]:
    """Each record has one audit entry per version it went through, and each audit entry names a
    record that exists or was deleted for good by its last entry: no write without its trail, no
    trail without its write."""
    history: dict[tuple[str, str, str], list[tuple[str, str]]] = {}
    for (table, _), raw in stored.items():
        if _logical(table) == "audit_logs":
            item = json.loads(raw)
            target = (item["org_id"]["S"], item["target_type"]["S"], item["target_id"]["S"])
            history.setdefault(target, []).append((item["entry_id"]["S"], item["action"]["S"]))
    tables = _tenant_tables()
    versions: dict[tuple[str, str, str], int] = {}
    for (table, _), raw in stored.items():
        if table in tables:
            item = json.loads(raw)
            versions[(item["org_id"]["S"], tables[table].kind, item[tables[table].id_attribute]["S"])] = int(item["version"]["N"])
    kinds = {tenant_table.kind for tenant_table in tables.values()}
    mismatches = []
    for record in sorted(versions.keys() | {target for target in history if target[1] in kinds}):
        entries = sorted(history.get(record, []))
        if record not in versions:
            if not entries or entries[-1][1] != "deleted":
                mismatches.append(f"{record}: no record, audit history {[action for _, action in entries]}")
        elif len(entries) != versions[record]:
            mismatches.append(f"{record}: version {versions[record]}, audit history {[action for _, action in entries]}")
    return mismatches


def test_every_route_survives_dynamodb_faults(injector):
    from chalicelib.observability import logger

    state: dict[str, Any] = {
        "email": f"owner-{secrets.token_hex(4)}@faults.example.com",
        "idempotency_key": secrets.token_hex(8),
    }
    catcher = ResetTokenCatcher(state)
    logging.getLogger(logger.name).addHandler(catcher)
    declared = {(path, method) for path, methods in app.routes.items() for method in methods}
    requests = succeeded_after_retry = unavailable = 0
    failures: list[str] = []
    half_applied: list[str] = []
    exercised: set[tuple[str, str]] = set()
    try:
        with Client(app) as client:
            for step in SCENARIO:
                if (step.route, step.method) not in declared:
                    continue
                request = step.request(state)
                headers = {**request.get("headers", {})}
                if headers.get("x-api-key") == API_KEY:
                    headers["x-api-key"] = TEST_API_KEY
                path = step.route.format(**({"customer_id": state.get("customer_id", "")} | request.get("path", {})))
                if request.get("query"):  # as the benchmark sends it (a filter, a persisted query)
                    path += "?" + urlencode(request["query"])
                label = f"{step.method} {step.route}" + (f" [{step.variant}]" if step.variant else "")
                for _ in range(MAX_RESENDS):
                    before = _stored()
                    injector.injected_this_request = 0
                    injector.active = True
                    response = client.http.request(step.method, path, headers=headers, body=request.get("body", b""))
                    injector.active = False
                    requests += 1
                    if not _is_unavailable(response):
                        break
                    unavailable += 1
                    # A 503 is a refusal: what any refusal of the route writes by design may stay.
                    by_design = BOOKKEEPING_TABLES | {t for t, _ in WRITES_ALLOWED_ON_REFUSAL.get((step.method, step.route), ())}
                    left = [key for key in _changed(before, _stored()) if _logical(key[0]) not in by_design]
                    if left and (step.method, step.route) not in RESUMABLE:
                        half_applied.append(f"{label} answered 503 but committed {left}")
                if response.status_code != step.status:
                    failures.append(f"{label}: {response.status_code}, expected {step.status}: {response.body[:300]!r}")
                    break
                if injector.injected_this_request:
                    succeeded_after_retry += 1
                exercised.add((step.route, step.method))
                step.after(state, response_body(response))
    finally:
        logging.getLogger(logger.name).removeHandler(catcher)

    half_applied += _audit_matches_records(_stored())
    summary = {
        "seed": SEED,
        "fault_rate": FAULT_RATE,
        "requests": requests,
        "dynamodb_calls": injector.calls,
        "attempts": injector.attempts,
        "injected": dict(sorted(injector.injected.items())),
        "retries": injector.attempts - injector.calls,
        "requests_succeeded_after_retry": succeeded_after_retry,
        "answered_503": unavailable,
        "half_applied": len(half_applied),
        "backoff_requested_seconds": round(sum(injector.slept), 2),
        "routes_exercised": len(exercised),
        "routes_declared": len(declared),
    }
    SUMMARY_PATH.parent.mkdir(exist_ok=True)
    SUMMARY_PATH.write_text(json.dumps(summary, indent=2) + "\n")
    print("dynamodb faults:", json.dumps(summary))
    assert failures == [], failures
    assert half_applied == [], half_applied
    assert exercised == declared, sorted(declared - exercised)
    assert sum(injector.injected.values()) >= 0.05 * injector.attempts, summary
    assert set(injector.injected) == {*THROTTLES, *TIMEOUTS, "TransactionConflict"}, summary
    assert succeeded_after_retry > 0 and unavailable > 0, summary


def _only(injector: FaultInjector, faults: dict[tuple[str, int], str]) -> None:
    """No random faults from here on; only these, on every attempt of the calls named."""
    injector.rate = 0
    injector.persistent = faults
    injector._calls_by_operation.clear()


def test_a_merge_cut_off_between_chunks_is_consistent_and_finished_by_resending(api, owner, injector):
    target = api.post("/v1/customers", {"name": "Target"}, as_=owner).json["id"]
    source = api.post("/v1/customers", {"name": "Source"}, as_=owner).json["id"]
    from chalicelib.crm.contact_management.services.merge import MOVES_PER_TRANSACTION

    notes = MOVES_PER_TRANSACTION + 5  # two chunks of moves
    for number in range(notes):
        assert api.post(f"/v1/customers/{source}/notes", {"body": f"note {number}"}, as_=owner).status == 201
    # 1st transaction marks the merge, 2nd moves a full chunk, 3rd the last 5: it stays throttled.
    _only(injector, {("TransactWriteItems", 3): "ThrottlingException"})
    injector.active = True
    cut_off = api.post("/v1/customers/merge", {"target_id": target, "source_ids": [source]}, as_=owner)
    injector.active = False

    assert cut_off.status == 503 and cut_off.header("retry-after") == "1", cut_off.body
    assert cut_off.header("content-type") == "application/problem+json"
    moved = len(api.get(f"/v1/customers/{target}/notes?limit=100", as_=owner).json["items"])
    assert moved == MOVES_PER_TRANSACTION
    assert _audit_matches_records(_stored()) == []

    resent = api.post("/v1/customers/merge", {"target_id": target, "source_ids": [source]}, as_=owner)
    assert resent.status == 200, resent.body
    assert len(api.get(f"/v1/customers/{target}/notes?limit=100", as_=owner).json["items"]) == notes
    assert api.get(f"/v1/customers/{source}", as_=owner).status == 404
    assert _audit_matches_records(_stored()) == []


def test_a_batch_item_dynamodb_cannot_take_fails_alone(api, owner, injector):
    _only(injector, {("TransactWriteItems", 2): "ProvisionedThroughputExceededException"})
    injector.active = True
    reply = api.post("/v1/customers/batch", {"items": [{"name": "One"}, {"name": "Two"}, {"name": "Three"}]}, as_=owner)
    injector.active = False

    assert reply.status == 200, reply.body
    assert [result["status"] for result in reply.json["results"]] == [201, 503, 201]
    names = sorted(item["name"] for item in api.get("/v1/customers", as_=owner).json["items"])
    assert names == ["One", "Three"]
    assert _audit_matches_records(_stored()) == []


@pytest.mark.parametrize("kind", [*THROTTLES, *TIMEOUTS, "TransactionConflict"])
def test_a_lead_conversion_that_runs_out_of_retries_writes_nothing(api, owner, injector, kind):
    lead = api.post("/v1/leads", {"name": "Lead", "email": "lead@example.com"}, as_=owner).json["id"]
    body = {"create_opportunity": True, "opportunity_name": "Deal", "amount": 100}
    before = _stored()
    # The app sends a transaction cancelled by a conflict again itself (a write of a synced record as
    # often as its feed allows): every send of it conflicts.
    sends = FEED_ATTEMPTS if kind == "TransactionConflict" else 3
    _only(injector, {("TransactWriteItems", call): kind for call in range(1, sends + 1)})
    injector.active = True
    reply = api.post(f"/v1/leads/{lead}/convert", body, as_=owner)
    injector.active = False

    assert reply.status == 503 and reply.header("retry-after") == "1", reply.body
    assert reply.header("content-type") == "application/problem+json"
    assert _changed(before, _stored()) == []
    assert api.post(f"/v1/leads/{lead}/convert", body, as_=owner).status == 201
    assert _audit_matches_records(_stored()) == []


def test_an_authorizer_that_cannot_read_the_session_answers_503_and_the_route_never_runs(api, owner, injector):
    from chalicelib.platform.routes.problems import gateway_responses

    # The authorizer's session read is the request's first GetItem; both its attempts are throttled.
    _only(injector, {("GetItem", 1): "ThrottlingException"})
    injector.active = True
    reply = api.get("/v1/customers", as_=owner)
    injector.active = False

    assert reply.status == 503 and reply.header("retry-after") == "1", reply.body
    assert reply.header("content-type") == "application/problem+json"
    assert reply.json["detail"] == gateway_responses()["AUTHORIZER_FAILURE"]["detail"]
    assert injector.injected["ThrottlingException"] == 2
    assert api.get("/v1/customers", as_=owner).status == 200


def test_forgot_password_for_an_account_whose_reset_cannot_be_stored_answers_as_for_no_account(api, owner, injector):
    # Only an existing account stores a reset code (PutItem): were that failure a 503, it would
    # tell which emails have accounts.
    _only(injector, {("PutItem", 1): "ProvisionedThroughputExceededException"})
    injector.active = True
    known = api.post("/v1/auth/password/forgot", {"email": owner.email})
    unknown = api.post("/v1/auth/password/forgot", {"email": "nobody@example.com"})
    injector.active = False

    assert injector.injected["ProvisionedThroughputExceededException"] == 2
    assert (known.status, known.body) == (unknown.status, unknown.body) == (202, unknown.body)
