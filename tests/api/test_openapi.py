"""GET /v1/openapi.json: the OpenAPI 3.1 document generated from the routes' declarations
(platform/routes/openapi.py). It must cover every route of the app, validate as OpenAPI 3.1, resolve
every reference, and hold true of what the API really answers."""
from __future__ import annotations

import inspect
import json
import logging
import re
import subprocess
import sys
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlencode

import pytest
from chalice.test import Client
from jsonschema import Draft202012Validator
from moto import mock_aws
from openapi_spec_validator import validate as validate_openapi
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from app import app
from chalicelib.observability import logger
from chalicelib.platform.routes.contracts import query_of
from chalicelib.platform.routes.openapi import openapi_document, undeclared
from chalicelib.localdev.s3 import create_buckets
from chalicelib.localdev.usage_plans import create_usage_plans
from chalicelib.tables import create_tables
from tests.benchmarks.dynamodb_calls import SCENARIO, ResetTokenCatcher, create_job_state_machines, response_body

API_KEY = "test-api-key"  # LOCAL_API_KEYS in tests/conftest.py
DOCUMENT_URI = "urn:zebros:openapi"


@pytest.fixture(scope="module")
def document() -> dict[str, Any]:
    return openapi_document(app.routes)


@pytest.fixture(scope="module")
def document_v2() -> dict[str, Any]:
    return openapi_document(app.routes, "v2")


def operations(document: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    for path, methods in document["paths"].items():
        for method, operation in methods.items():
            yield path, method.upper(), operation


def test_the_document_is_served_publicly_cacheable_and_the_same_each_time(api):
    first = api.get("/v1/openapi.json")
    assert first.status == 200
    assert first.header("content-type") == "application/json"
    assert re.fullmatch(r"public, max-age=[1-9][0-9]*", first.header("cache-control"))
    assert first.json["openapi"] == "3.1.0"
    assert first.json["jsonSchemaDialect"] == "https://spec.openapis.org/oas/3.1/dialect/base"
    assert api.get("/v1/openapi.json").json == first.json
    assert first.json == openapi_document(app.routes)


def test_every_get_declares_its_etag_and_the_304_that_if_none_match_earns(api, document):
    first = api.get("/v1/openapi.json")
    again = api.get("/v1/openapi.json", headers={"If-None-Match": first.header("etag")})
    assert again.status == 304
    for path, method, operation in operations(document):
        if method == "GET":
            assert "304" in operation["responses"], path
            assert any(p["name"] == "If-None-Match" for p in operation["parameters"]), path


def test_the_served_document_is_valid_openapi_3_1(api):
    validate_openapi(api.get("/v1/openapi.json").json)


def test_every_route_of_the_app_is_declared_and_documented(document, document_v2):
    assert undeclared(app.routes) == [], "declare these routes through Routes (platform/routes/routing.py)"
    v1 = {(path, method) for path, method, _ in operations(document)}
    v2 = {(path, method) for path, method, _ in operations(document_v2)}
    assert not v1 & v2, "a route is in one version's document"
    assert v1 | v2 == {(path, method) for path, methods in app.routes.items() for method in methods}


def _views() -> Iterator[tuple[str, str, Any, Any]]:
    """Each route's declaration and the view it wraps (Routes keeps it as the handler's __wrapped__)."""
    for path, methods in app.routes.items():
        for method, entry in methods.items():
            yield path, method, entry.view_function.declarations[method], entry.view_function.__wrapped__


def _source(view: Any) -> str:
    return inspect.getsource(view)


def test_each_declaration_says_what_its_view_reads_and_answers():
    """What a view reads (a body, If-Match, a page, the query string) must be in its contract, and
    the contract must claim nothing the view does not read."""
    problems = []
    for path, method, declared, view in _views():
        contract, source = declared.contract, _source(view)
        route = f"{method} {path}"
        if not contract.responses:
            problems.append(f"{route}: no responses")
        if ("request.json(" in source or "request.form(" in source) != (contract.body is not None):
            problems.append(f"{route}: reads a body {'without' if contract.body is None else 'but has no'} body schema")
        reads_if_match = "expected_version(" in source
        if reads_if_match != (contract.if_match is not None):
            problems.append(f"{route}: If-Match read {reads_if_match}, declared {contract.if_match}")
        if contract.if_match == "required" and "required=True" not in source:
            problems.append(f"{route}: If-Match declared required but optional")
        # A page size goes with a list's cursor (pages) or with a cursor of its own (GET /v1/sync's `since`).
        declares_limit = contract.pages or "limit" in query_of(contract)
        if ("parse_page_size(" in source) != declares_limit:
            problems.append(f"{route}: page size read {'parse_page_size(' in source}, declared {declares_limit}")
        if "query_params" in source or "list_arguments(" in source:
            if not contract.pages and not contract.query:
                problems.append(f"{route}: reads the query string but declares no query parameter")
    assert problems == []


def test_operation_ids_are_unique_and_every_operation_says_its_permission(document):
    ids = [operation["operationId"] for _, _, operation in operations(document)]
    assert len(ids) == len(set(ids)), sorted(i for i in ids if ids.count(i) > 1)
    for path, method, operation in operations(document):
        declared = app.routes[path][method].view_function.declarations[method]
        assert operation.get("x-permission") == declared.permission
        if declared.permission is None:
            assert all("bearerAuth" not in requirement for requirement in operation["security"])
        else:
            assert operation["security"][0]["bearerAuth"] == [declared.permission]
            assert {"401", "403"} <= set(operation["responses"])
        if declared.idempotent:
            assert "Idempotency-Key" in {parameter["name"] for parameter in operation["parameters"]}


def _references(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref":
                yield value
            else:
                yield from _references(value)
    elif isinstance(node, list):
        for item in node:
            yield from _references(item)


def _pointer(document: Any, reference: str) -> Any:
    assert reference.startswith("#/"), reference
    node = document
    for part in reference[2:].split("/"):
        node = node[part.replace("~1", "/").replace("~0", "~")]
    return node


def test_every_reference_and_link_resolves(document):
    references = set(_references(document))
    assert references
    for reference in references:
        _pointer(document, reference)
    ids = {operation["operationId"] for _, _, operation in operations(document)}
    linked = 0
    for _, _, operation in operations(document):
        for response in operation["responses"].values():
            for link in response.get("links", {}).values():
                assert link["operationId"] in ids
                linked += 1
    assert linked


def test_each_creation_links_to_what_it_created(document):
    links = document["paths"]["/v1/customers"]["post"]["responses"]["201"]["links"]
    # The record's own operations, and those of what hangs under it (a customer's notes, ...).
    assert {"get_customer", "replace_customer", "patch_customer", "delete_customer", "restore_customer"} <= set(links)
    assert {"add_customer_note", "list_customer_deals"} <= set(links)
    assert links["get_customer"]["parameters"] == {"customer_id": "$response.body#/id"}
    member = document["paths"]["/v1/campaigns/{campaign_id}/members"]["post"]["responses"]["201"]["links"]
    assert member["get_campaign_member"]["parameters"] == {
        "campaign_id": "$request.path.campaign_id", "member_id": "$response.body#/member_id",
    }  # fmt: skip


def test_generating_the_document_happens_after_import_not_during_it():
    """Importing the app loads no service (cold start): the contracts reference schemas lazily."""
    code = (
        "import sys, app; "
        "print(sorted(m for m in sys.modules if '.services.' in m and not m.startswith('chalicelib.platform.services.')))"
    )
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert loaded.strip() == "[]"


# ---------------------------------------------------------------------------------------------
# The document is true of what the API answers: every response of the benchmark scenario (a
# request per route, and variants that fail on purpose) has a declared status, content type and a
# body that validates against the declared schema.


def _operation_of(document: dict[str, Any], route: str, method: str) -> dict[str, Any]:
    return document["paths"][route][method.lower()]


def _validator(document: dict[str, Any], schema: Any) -> Draft202012Validator:
    resource = Resource.from_contents({"components": document["components"]}, default_specification=DRAFT202012)
    registry = Registry().with_resource(DOCUMENT_URI, resource)
    rooted = json.loads(json.dumps(schema).replace('"#/components/', f'"{DOCUMENT_URI}#/components/'))
    return Draft202012Validator(rooted, registry=registry)


def test_the_scenario_s_responses_hold_to_the_document(document, document_v2):
    answered = []
    with mock_aws():
        create_tables()
        create_buckets()
        create_job_state_machines()
        create_usage_plans()
        with Client(app) as client:
            state: dict[str, Any] = {"email": "owner@openapi.example.com", "idempotency_key": "scenario-key"}
            catcher = ResetTokenCatcher(state)
            logging.getLogger(logger.name).addHandler(catcher)
            try:
                for step in SCENARIO:
                    request = step.request(state)
                    path = step.route.format(**({"customer_id": state.get("customer_id", "")} | request.get("path", {})))
                    if request.get("query"):
                        path += "?" + urlencode(request["query"])
                    headers = {**request.get("headers", {}), "x-api-key": API_KEY}
                    reply = client.http.request(step.method, path, headers=headers, body=request.get("body", b""))
                    body = response_body(reply)
                    if reply.status_code == step.status:
                        step.after(state, body)
                    answered.append((step, reply, body))
            finally:
                logging.getLogger(logger.name).removeHandler(catcher)
    findings = []
    for step, reply, body in answered:
        label = f"{step.method} {step.route} {step.variant or ''} -> {reply.status_code}"
        shown_in = document_v2 if step.route in document_v2["paths"] else document
        responses = _operation_of(shown_in, step.route, step.method)["responses"]
        declared = responses.get(str(reply.status_code))
        if declared is None:
            findings.append(f"{label}: status not declared")
            continue
        content = declared.get("content")
        if content is None:
            if reply.body:
                findings.append(f"{label}: a body where none is declared")
            continue
        content_type = {name.lower(): value for name, value in reply.headers.items()}.get("content-type")
        if content_type not in content:
            findings.append(f"{label}: content type {content_type} not declared")
            continue
        for error in _validator(shown_in, content[content_type]["schema"]).iter_errors(body):
            findings.append(f"{label}: {'/'.join(map(str, error.absolute_path))}: {error.message[:200]}")
    assert findings == [], "\n".join(findings)
    assert {(step.route, step.method) for step, _, _ in answered} == {
        (path, method) for path, methods in app.routes.items() for method in methods
    }
