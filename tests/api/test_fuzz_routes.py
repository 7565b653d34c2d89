"""Every route of the route table, driven with hostile and careless input (hypothesis).

The routes come from `app.app.routes`, so a new route is fuzzed without touching this file. Each
starts from the valid request the benchmark scenario makes for it (tests/benchmarks/dynamodb_calls.py
lists one for every route) in a world that scenario built, and varies path ids, query string,
headers and body: deep nesting, NaN / Infinity / 1e400, empty, huge and unicode strings, wrong
types, forged cursors, odd If-Match, Idempotency-Key and Content-Type, missing or bad tokens.

Every answer must hold what the API promises a client:
- never a 5xx;
- every 4xx is application/problem+json with its status in the body;
- a 4xx leaves every table as it was (compared item by item with the table contents before it).
And every route must be reached by at least one generated request, so no route is fuzzed only at
the gateway.
"""
from __future__ import annotations

import base64
import copy
import importlib
import json
import logging
import pkgutil
import re
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from typing import Any
from unittest import mock
from urllib.parse import parse_qsl, quote, urlencode

import pytest
from chalice.test import Client
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from moto import mock_aws
from moto.dynamodb.models import DynamoDBBackend, dynamodb_backends

from app import app
import chalicelib
from chalicelib.observability import logger
from chalicelib.platform.services.records import SearchableRecords
from chalicelib.localdev.s3 import create_buckets
from chalicelib.localdev.usage_plans import create_usage_plans
from chalicelib.tables import create_tables
from tests.benchmarks.dynamodb_calls import NEW_PASSWORD, SCENARIO, ResetTokenCatcher, create_job_state_machines, response_body
from tests.refused_writes import WRITES_ALLOWED_ON_REFUSAL

EXAMPLES_PER_ROUTE = 30
ROUTES = sorted((path, method) for path, methods in app.routes.items() for method in methods)
API_KEY = "test-api-key"  # LOCAL_API_KEYS in tests/conftest.py
OWNER_EMAIL = "owner@fuzz.example.com"
PROBLEM_JSON = "application/problem+json"
GRAPHQL_RESPONSE_JSON = "application/graphql-response+json"


# ---------------------------------------------------------------------------------------------
# Hostile values. JSON text the json module would not write (NaN, 1e400, deep nesting) travels
# through json.dumps as a marked string and is spliced in raw afterwards.

_RAW = "\x00raw\x00"


def raw(text: str) -> str:
    return f"{_RAW}{text}{_RAW}"


def to_json_bytes(document: Any) -> bytes:
    text = json.dumps(document)
    marker = json.dumps(_RAW)[1:-1]
    return re.sub(f'"{re.escape(marker)}(.*?){re.escape(marker)}"', lambda m: json.loads(f'"{m.group(1)}"'), text).encode()


def nested(depth: int) -> str:
    return "[" * depth + "]" * depth


def nested_objects(depth: int) -> str:
    return '{"a":' * depth + "1" + "}" * depth


NON_FINITE = [raw("NaN"), raw("Infinity"), raw("-Infinity"), raw("1e400"), raw("-1e400"), raw("1" + "0" * 400 + ".5")]
ODD_NUMBERS = [raw("1" + "0" * 5000), 10**40, -(2**63), 2**64, 1e308, -0.0, 0.1, -1, 0, 1.5]
DEEP = [raw(nested(33)), raw(nested(1000)), raw(nested_objects(1000)), raw(nested(100_000))]
ODD_STRINGS = ["", " ", "\t\n", "\x00", "\ud800", "x" * 5000, "\U0001f600" * 300, "a#b", "#", ".", "..", "ü", "\u202e", "%00",
               "A" * 2000, "0" * 26, "01ARZ3NDEKTSV4RRFFQ69G5FAV", "owner", "2026-02-30", "9999-12-31T23:59:59Z"]
WRONG_TYPES = [None, True, False, [], {}, [None], [[]], {"a": {"b": {"c": 1}}}, ["x"] * 200]

hostile_values = st.one_of(
    st.sampled_from(NON_FINITE),
    st.sampled_from(ODD_NUMBERS),
    st.sampled_from(DEEP),
    st.sampled_from(ODD_STRINGS),
    st.sampled_from(WRONG_TYPES),
    st.text(max_size=30),
    st.integers(),
    st.floats(allow_nan=False, allow_infinity=False),
    st.recursive(
        st.none() | st.booleans() | st.integers() | st.text(max_size=8),
        lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=8), children, max_size=3),
        max_leaves=8,
    ),
)

RAW_BODIES = [b"", b"   ", b"null", b"[]", b'"text"', b"0", b"NaN", b"1e400", b"{", b"\xff\xfe\x00",
              nested(1000).encode(), nested_objects(1000).encode(), nested(100_000).encode(),
              ('{"items": ' + nested(1000) + "}").encode(), b'{"a": 1, "a": 2}', "\ufeff{}".encode()]


def _paths(document: Any, prefix: tuple = ()) -> Iterator[tuple]:
    """Every place in a JSON document a value sits at, the root included."""
    yield prefix
    if isinstance(document, dict):
        for key, value in document.items():
            yield from _paths(value, (*prefix, key))
    elif isinstance(document, list):
        for index, value in enumerate(document):
            yield from _paths(value, (*prefix, index))


def _replace(document: Any, path: tuple, value: Any) -> Any:
    if not path:
        return value
    copied = copy.deepcopy(document)
    target = copied
    for step in path[:-1]:
        target = target[step]
    target[path[-1]] = value
    return copied


def _schema_field_names() -> list[str]:
    """Every property name the services' JSON Schemas declare (budget, amount, quantity, ...), so
    a field the scenario never sends is still sent, and a new schema's fields come with it."""
    names: set[str] = set()
    pending: list[Any] = []
    for module in pkgutil.walk_packages(chalicelib.__path__, "chalicelib."):
        if ".services." in module.name:
            pending.extend(vars(importlib.import_module(module.name)).values())
    while pending:
        value = pending.pop()
        if isinstance(value, dict):
            if isinstance(value.get("properties"), dict):
                names.update(value["properties"])
            pending.extend(value.values())
        elif isinstance(value, list):
            pending.extend(value)
        elif isinstance(value, SearchableRecords):
            pending.append(value.schema)
    return sorted(names)


FIELD_NAMES = _schema_field_names()


@st.composite
def mutated(draw: st.DrawFn, base: Any) -> Any:
    """The valid body with one value replaced, one field dropped or one field added."""
    paths = list(_paths(base))
    choice = draw(st.sampled_from(["replace", "replace", "drop", "add", "add"]))
    if choice == "drop" and isinstance(base, dict) and base:
        key = draw(st.sampled_from(sorted(base)))
        return {name: value for name, value in base.items() if name != key}
    if choice == "add" and isinstance(base, dict):
        name = draw(st.sampled_from(FIELD_NAMES) | st.sampled_from(["id", "version", "org_id", "", "a" * 300]))
        return {**base, name: draw(hostile_values)}
    return _replace(base, draw(st.sampled_from(paths)), draw(hostile_values))


def bodies(base: Any) -> st.SearchStrategy[bytes]:
    generated = st.one_of(st.just(base), mutated(base), mutated(base)) if base is not None else hostile_values
    fields = sorted(base) if isinstance(base, dict) and base else FIELD_NAMES
    return st.one_of(
        generated.map(to_json_bytes),
        st.builds(lambda name, value: to_json_bytes({name: value}),
                  st.sampled_from(fields) | st.sampled_from(FIELD_NAMES), hostile_values),
        st.sampled_from(RAW_BODIES),
    )


def _cursor(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def cursors(real_cursor: str | None) -> st.SearchStrategy[str]:
    names = sorted(json.loads(base64.urlsafe_b64decode(real_cursor + "==="))) if real_cursor else ["id"]
    forged_positions = st.sampled_from(["", "A" * 2000, "a#b", " ", "\x00"]).map(
        lambda value: {name: value for name in names})
    return st.one_of(
        st.sampled_from([_cursor(nested(5000)), _cursor(nested_objects(5000)), _cursor('{"a": NaN}'), _cursor("1e400"),
                         _cursor("[]"), _cursor("{}"), "!!!", "", "=", "A" * 3000] + ([real_cursor] if real_cursor else [])),
        forged_positions.map(lambda position: _cursor(json.dumps(position))),
        st.builds(lambda name, value: _cursor(f"{{{json.dumps(name)}: {to_json_bytes(value).decode()}}}"),
                  st.sampled_from(names), hostile_values),
        st.text(max_size=40),
    )


QUERY_NAMES = ["limit", "cursor", "status", "owner", "tag", "name_prefix", "email_prefix", "title_prefix", "created_after",
               "created_before", "updated_after", "updated_before", "sort", "entity", "customer_id", "assignee", "priority",
               "stage", "close_from", "close_to", "target_type", "target_id", "q", "period"]
QUERY_VALUES = ["", " ", "0", "-1", "101", "1e400", "NaN", "\u00b2", "\u0661", "9" * 5000, "A" * 2000, "a#b", "2026-02-30",
                "2026-01-31T00:00:00Z", "-created", "customers", "open", "urgent"]


def queries(real_cursor: str | None) -> st.SearchStrategy[dict[str, str]]:
    values = st.one_of(st.sampled_from(QUERY_VALUES), st.text(max_size=20))
    return st.one_of(
        st.just({}),
        st.dictionaries(st.sampled_from(QUERY_NAMES) | st.text(min_size=1, max_size=10), values, max_size=3),
        cursors(real_cursor).map(lambda cursor: {"cursor": cursor}),
    )


IF_MATCH = [None, None, "*", '"1"', '"2"', '"0"', 'W/"1"', '"-1"', '"abc"', "", "1", '"' + "9" * 5000 + '"', '"1e400"',
            '"\u00b2"', '"\u0661"', '"1"x', '"', '""']
IDEMPOTENCY_KEYS = [None, None, "", " ", "k" * 255, "k" * 256, "\x7f", "\u00e9t\u00e9", "fuzz-key-1"]
CONTENT_TYPES = [None, "application/json", "application/json", "application/merge-patch+json", "application/json; charset=utf-8",
                 "text/plain", "", "application/JSON", "multipart/form-data; boundary=x", "*/*"]


@dataclass
class Attempt:
    method: str
    url: str
    headers: dict[str, str]
    body: bytes


@dataclass
class BaseRequest:
    path: dict[str, str] = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)
    body: Any = None
    cursor: str | None = None


def path_ids(valid: str | None) -> st.SearchStrategy[str]:
    hostile = st.one_of(
        st.sampled_from(["", " ", "A" * 2000, "x" * 1025, "0" * 26, "0" * 25, "..", ".", "a.b", "\u00e9" * 600, "%00", "urgent",
                         "customers.size", "EUR", "owner"]),
        st.text(min_size=1, max_size=30),
    )
    if valid is None:
        return hostile
    return st.one_of(st.just(valid), st.just(valid), hostile, st.just(valid.lower()), st.just(valid + "x"))


def _url(path: str, values: dict[str, str], query: dict[str, str]) -> str:
    url = path.format(**{name: quote(value, safe="") for name, value in values.items()})
    return url + "?" + urlencode(query) if query else url


def attempts(path: str, method: str, base: BaseRequest, owner_token: str) -> st.SearchStrategy[Attempt]:
    names = re.findall(r"{(\w+)}", path)

    @st.composite
    def build(draw: st.DrawFn) -> Attempt:
        values = {name: draw(path_ids(base.path.get(name))) for name in names}
        query = draw(queries(base.cursor)) if method == "GET" else draw(st.one_of(st.just({}), queries(None)))
        url = _url(path, values, query)
        headers = {"x-api-key": API_KEY}
        authorization = draw(st.sampled_from(
            [f"Bearer {owner_token}"] * 8 + [None, "Bearer x", "Basic b3duZXI6cHc=", "Bearer " + "a" * 5000]))
        if authorization is not None:
            headers["Authorization"] = authorization
        content_type = draw(st.sampled_from([base.headers.get("Content-Type", "application/json")] * 4 + CONTENT_TYPES))
        if content_type is not None:
            headers["Content-Type"] = content_type
        for name, options in (("If-Match", [base.headers.get("If-Match"), *IF_MATCH]), ("Idempotency-Key", IDEMPOTENCY_KEYS)):
            value = draw(st.sampled_from(options))
            if value is not None:
                headers[name] = value
        if method in ("POST", "PUT", "PATCH"):
            body = draw(bodies(base.body))
        else:
            body = draw(st.sampled_from([b"", b"", b"{}", nested(1000).encode()]))
        return Attempt(method, url, headers, body)

    return build()


def known_hostile(path: str, method: str, base: BaseRequest, owner_token: str) -> list[Attempt]:
    """What broke in issue 8, sent to every route on every run whatever the generator draws: empty,
    2,000-character and multi-byte path ids, bodies nested 1,000 deep, NaN and 1e400 in each number
    of the valid body, a deeply nested cursor, a limit and an If-Match of non-ASCII or 5,000 digits."""
    valid = {name: base.path.get(name, "0" * 26) for name in re.findall(r"{(\w+)}", path)}
    headers = {"x-api-key": API_KEY, "Authorization": f"Bearer {owner_token}",
               "Content-Type": base.headers.get("Content-Type", "application/json")}
    if "If-Match" in base.headers:
        headers["If-Match"] = base.headers["If-Match"]
    body = to_json_bytes(base.body) if base.body is not None else b""

    def attempt(values: dict[str, str] = valid, query: dict[str, str] | None = None, extra: dict[str, str] | None = None,
                content: bytes = body) -> Attempt:
        return Attempt(method, _url(path, values, query or {}), {**headers, **(extra or {})}, content)

    found = [attempt({**valid, name: odd}) for name in valid for odd in ("", "A" * 2000, "\u00e9" * 600)]
    found += [attempt(extra={"If-Match": '"' + "9" * 5000 + '"'}), attempt(extra={"If-Match": '"\u00b2"'})]
    if method == "GET":
        found += [attempt(query={"cursor": _cursor(nested(5000))}), attempt(query={"limit": "\u00b2"})]
    else:
        found += [attempt(content=nested(1000).encode()), attempt(content=nested_objects(1000).encode())]
        numbers = [location for location in _paths(base.body) if isinstance(_at(base.body, location), (int, float))
                   and not isinstance(_at(base.body, location), bool)]
        found += [attempt(content=to_json_bytes(_replace(base.body, location, raw(literal))))
                  for location in numbers for literal in ("NaN", "1e400")]
    return found


def _at(document: Any, location: tuple) -> Any:
    for step in location:
        document = document[step]
    return document


# ---------------------------------------------------------------------------------------------
# The world: one scenario run per test module (per xdist worker), restored before each route.


class WriteWatch:
    """Copies every table the first time a request writes (moto in-process: no extra API calls),
    so a refused request can be compared item by item with the tables before it."""

    WRITES = ("put_item", "update_item", "delete_item", "transact_write_items")

    def __init__(self) -> None:
        self.before: dict[str, Any] | None = None

    @staticmethod
    def backend() -> DynamoDBBackend:
        return dynamodb_backends["123456789012"]["us-east-1"]

    def copy_items(self) -> dict[str, Any]:
        return {name: copy.deepcopy(table.items) for name, table in self.backend().tables.items()}

    def restore(self, items: dict[str, Any]) -> None:
        for name, table in self.backend().tables.items():
            table.items = copy.deepcopy(items[name])

    @contextmanager
    def installed(self) -> Iterator[None]:
        with ExitStack() as stack:
            for name in self.WRITES:
                original = getattr(DynamoDBBackend, name)
                stack.enter_context(mock.patch.object(DynamoDBBackend, name, self._watching(original)))
            yield

    def _watching(self, original: Any) -> Any:
        watch = self

        def write(backend: Any, *args: Any, **kwargs: Any) -> Any:
            if watch.before is None:
                watch.before = watch.copy_items()
            return original(backend, *args, **kwargs)

        return write

    def changes(self) -> set[tuple[str, str]]:
        """(table, attribute) pairs that differ from before the request's first write."""
        if self.before is None:
            return set()
        changed: set[tuple[str, str]] = set()
        for name, table in self.backend().tables.items():
            logical = name.removeprefix("zebros-test-")
            old, new = _flatten(self.before[name]), _flatten(table.items)
            for key in old.keys() | new.keys():
                before, after = old.get(key, {}), new.get(key, {})
                changed |= {(logical, attribute) for attribute in before.keys() | after.keys()
                            if before.get(attribute) != after.get(attribute)}
        return changed


def _flatten(items: dict[Any, Any]) -> dict[Any, dict[str, Any]]:
    flat = {}
    for hash_key, value in items.items():
        for range_key, item in value.items() if isinstance(value, dict) else [(None, value)]:
            flat[(hash_key, range_key)] = item.to_json()["Attributes"]
    return flat


@dataclass
class World:
    client: Client
    state: dict[str, Any]
    watch: WriteWatch
    baseline: dict[str, Any]
    bases: dict[tuple[str, str], BaseRequest]


def _run(client: Client, state: dict[str, Any], steps: list[Any]) -> None:
    catcher = ResetTokenCatcher(state)
    logging.getLogger(logger.name).addHandler(catcher)
    try:
        for step in steps:
            request = step.request(state)
            headers = {**request.get("headers", {}), "x-api-key": API_KEY}
            path = step.route.format(**({"customer_id": state.get("customer_id", "")} | request.get("path", {})))
            reply = client.http.request(step.method, path, headers=headers, body=request.get("body", b""))
            if reply.status_code == step.status:
                step.after(state, response_body(reply))
    finally:
        logging.getLogger(logger.name).removeHandler(catcher)


def _seed(client: Client) -> dict[str, Any]:
    state: dict[str, Any] = {"email": OWNER_EMAIL, "idempotency_key": "scenario-key"}
    _run(client, state, SCENARIO)
    # The scenario ends by logging out and resetting the password: log in again for the fuzzing.
    login = client.http.post("/v1/auth/login", headers={"Content-Type": "application/json"},
                             body=json.dumps({"email": OWNER_EMAIL, "password": NEW_PASSWORD}).encode())
    assert login.status_code == 200, login.body
    state.update(access_token=json.loads(login.body)["access_token"], refresh_token=json.loads(login.body)["refresh_token"])
    # The scenario also deletes, converts and consumes what it made: create a fresh one of each
    # (a lead not yet converted, a role, an invitation not yet accepted, ...) for the fuzzing.
    creations = [step for step in SCENARIO if step.status == 201 and not step.variant
                 and not step.route.startswith("/v1/auth/") and not step.route.endswith("/convert")]
    _run(client, state, creations)
    return state


def _decoded(body: bytes, content_type: str | None) -> Any:
    """A valid body as the document the mutations start from; a form's (the token endpoint's)
    fields as an object, whose mutations then reach the route as JSON text: a malformed form."""
    if content_type == "application/x-www-form-urlencoded":
        return dict(parse_qsl(body.decode(), keep_blank_values=True))
    return json.loads(body)


def _base_requests(client: Client, state: dict[str, Any]) -> dict[tuple[str, str], BaseRequest]:
    """Per route, the scenario's valid request (its last main step) as of the seeded world, and for
    lists a cursor the route really issued."""
    bases: dict[tuple[str, str], BaseRequest] = {}
    for step in SCENARIO:
        if step.variant and (step.route, step.method) in bases:
            continue
        request = step.request(state)
        body = request.get("body")
        headers = request.get("headers", {})
        bases[(step.route, step.method)] = BaseRequest(
            path=({"customer_id": state["customer_id"]} if "{customer_id}" in step.route else {}) | request.get("path", {}),
            # The scenario's ETags are stale by now; "*" lets the valid request through.
            headers={**headers, "If-Match": "*"} if "If-Match" in headers else headers,
            body=_decoded(body, headers.get("Content-Type")) if body else None,
        )
    for (path, method), base in bases.items():
        if method == "GET":
            reply = client.http.get(path.format(**base.path) + "?limit=1",
                                    headers={"Authorization": f"Bearer {state['access_token']}"})
            if reply.status_code == 200 and isinstance(listed := response_body(reply), dict):
                base.cursor = listed.get("next_cursor")
    return bases


@pytest.fixture(scope="module")
def world() -> Iterator[World]:
    with mock_aws():
        create_tables()
        create_buckets()
        create_job_state_machines()  # a route that starts a job answers 202; moto records the execution
        create_usage_plans()
        with Client(app) as client:
            state = _seed(client)
            bases = _base_requests(client, state)
            watch = WriteWatch()
            with watch.installed():
                yield World(client, state, watch, watch.copy_items(), bases)


# ---------------------------------------------------------------------------------------------


@contextmanager
def counting_calls(path: str, method: str) -> Iterator[list[int]]:
    """How many requests reached the route's own function (past gateway, authorizer and routing)."""
    entry = app.routes[path][method]
    calls = [0]
    original = entry.view_function

    def counted(*args: Any, **kwargs: Any) -> Any:
        calls[0] += 1
        return original(*args, **kwargs)

    with mock.patch.object(entry, "view_function", counted):
        yield calls


def _describe(attempt: Attempt, status: int, body: bytes) -> str:
    headers = {name: value[:80] for name, value in attempt.headers.items() if name != "Authorization"}
    return f"{attempt.method} {attempt.url[:300]} headers={headers} body={attempt.body[:200]!r} -> {status} {body[:300]!r}"


def check(world: World, path: str, attempt: Attempt) -> None:
    world.watch.before = None
    reply = world.client.http.request(attempt.method, attempt.url, headers=attempt.headers, body=attempt.body)
    status, content_type = reply.status_code, reply.headers.get("Content-Type") or reply.headers.get("content-type")
    assert status < 500, _describe(attempt, status, reply.body)
    if status >= 400 and content_type == GRAPHQL_RESPONSE_JSON:
        # GraphQL over HTTP: a request that did not run is a 400 stating its errors, and wrote nothing.
        assert status == 400 and path == "/v1/graphql", _describe(attempt, status, reply.body)
        errors = json.loads(reply.body)["errors"]
        assert errors and all(error["message"] for error in errors), _describe(attempt, status, reply.body)
        assert not world.watch.changes(), "refused but wrote: " + _describe(attempt, status, reply.body)
    elif status >= 400:
        assert content_type == PROBLEM_JSON, _describe(attempt, status, reply.body)
        problem = json.loads(reply.body)
        assert problem["status"] == status and problem["title"] and problem["detail"], _describe(attempt, status, reply.body)
        unexpected = world.watch.changes() - WRITES_ALLOWED_ON_REFUSAL.get((attempt.method, path), set())
        assert not unexpected, f"refused but wrote {sorted(unexpected)}: " + _describe(attempt, status, reply.body)


@pytest.mark.parametrize("route", ROUTES, ids=[f"{method} {path}" for path, method in ROUTES])
def test_route_answers_hostile_input_with_a_4xx_problem_and_writes_nothing(world: World, route: tuple[str, str]) -> None:
    path, method = route
    world.watch.restore(world.baseline)
    base = world.bases.get(route, BaseRequest())

    @settings(max_examples=EXAMPLES_PER_ROUTE, derandomize=True, database=None, deadline=None,
              suppress_health_check=list(HealthCheck))
    @given(attempts(path, method, base, world.state["access_token"]))
    def fuzz(attempt: Attempt) -> None:
        check(world, path, attempt)

    for attempt in known_hostile(path, method, base, world.state["access_token"]):
        fuzz = example(attempt)(fuzz)
    with counting_calls(path, method) as calls:
        fuzz()
    assert calls[0] > 0, f"no generated request reached {method} {path}"


def test_every_route_starts_from_a_valid_request(world: World) -> None:
    """Without the scenario's valid request a route is fuzzed only with generic bodies and ids."""
    missing = [f"{method} {path}" for path, method in ROUTES if (path, method) not in world.bases]
    assert not missing, f"add a step for these routes to SCENARIO in tests/benchmarks/dynamodb_calls.py: {missing}"
