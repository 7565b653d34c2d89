"""The GraphQL schema is generated from the record routes: docs/schema.graphql is its printed form,
and a new record type appears in it (and in the OpenAPI document) from its REST declaration alone."""
from __future__ import annotations

from pathlib import Path

from graphql import print_schema

from app import app  # noqa: F401  (the routes' declarations register the record types)
from chalicelib.platform.routes.graphql_schema import build_schema, type_name
from chalicelib.platform.routes.openapi import openapi_document
from chalicelib.platform.routes.record_types import RECORD_TYPES

PRINTED = Path(__file__).resolve().parents[2] / "docs" / "schema.graphql"


def test_docs_schema_graphql_is_the_generated_schema():
    assert PRINTED.read_text() == print_schema(build_schema(RECORD_TYPES)) + "\n", (
        "docs/schema.graphql differs from the routes: run `make graphql-schema` and commit the file"
    )


def test_every_record_type_of_the_rest_contract_is_a_graphql_type_with_the_same_fields():
    schema = build_schema(RECORD_TYPES)
    components = openapi_document(app.routes)["components"]["schemas"]
    for record in RECORD_TYPES.values():
        name = type_name(record.singular)
        graphql_type = schema.get_type(name)
        assert graphql_type is not None, name
        assert set(components[name]["properties"]) <= set(graphql_type.fields), name
        query = schema.query_type.fields
        assert ("get" in record.operations) == (record.singular in query), name
        assert ("list" in record.operations) == (record.plural in query), name
        if "list" in record.operations and record.filters():
            assert set(schema.get_type(f"{name}Filter").fields) == set(record.filters()), name


def test_importing_the_app_loads_no_graphql_code():
    """Cold start: graphql-core and the generated schema load on the first GraphQL request only."""
    import subprocess
    import sys

    probe = ("import sys, app; print(sorted(m for m in sys.modules if m == 'graphql' or m.startswith(("
             "'graphql.', 'chalicelib.platform.routes.graphql_schema', 'chalicelib.platform.routes.graphql_execution'))))")  # fmt: skip
    loaded = subprocess.run([sys.executable, "-c", probe], cwd=PRINTED.parents[1], capture_output=True, text=True, check=True)
    assert loaded.stdout.strip() == "[]"
