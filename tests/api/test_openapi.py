"""GET /v1/openapi.json: the OpenAPI 3.1 document generated from the routes' declarations
(platform/routes/openapi.py). It must cover every route of the app, validate as OpenAPI 3.1, resolve
every reference, and hold true of what the API really answers."""
from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import pytest
from openapi_spec_validator import validate as validate_openapi

from app import app
from chalicelib.platform.routes.openapi import declarations, openapi_document, undeclared

WRITE_METHODS = {"POST", "PUT", "PATCH"}


@pytest.fixture(scope="module")
def document() -> dict[str, Any]:
    return openapi_document(app.routes)


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
    assert first.json["jsonSchemaDialect"] == "https://json-schema.org/draft/2020-12/schema"
    assert api.get("/v1/openapi.json").json == first.json
    assert first.json == openapi_document(app.routes)


def test_the_served_document_is_valid_openapi_3_1(api):
    validate_openapi(api.get("/v1/openapi.json").json)


def test_every_route_of_the_app_is_declared_and_documented(document):
    assert undeclared(app.routes) == [], "declare these routes through Routes (platform/routes/routing.py)"
    documented = {(path, method) for path, method, _ in operations(document)}
    assert documented == {(path, method) for path, methods in app.routes.items() for method in methods}
