"""The GraphQL schema, generated from the record types `record_routes` declared
(platform/routes/record_types.py): each one's view (its JSON Schema in the OpenAPI document) is an
object type, its list filters an input type, and its operations root fields and mutations calling
the same service functions as its REST routes, with the same permissions. Nothing here names a
resource: a record type declared for REST appears here too.

Conventions (docs/api/graphql.md):
- Query: `<one>(id:)` and `<many>(filter:, first:, after:)`, a connection of `nodes` and
  `page_info { end_cursor has_next_page }` whose cursors are the REST list's.
- A record whose list takes the filter `<one>_id` of another record type is that record's
  connection (`customer { deals(filter: {status: "open"}) }` lists GET /v1/deals?customer_id=...).
- A record's `<one>_id` field naming another record type also gives `<one>` (`deal { customer }`).
- Mutation: `create_<one>(input:)`, `update_<one>(id:, input:, version:)` (a merge patch; `version`
  is the REST If-Match), `delete_<one>(id:, version:)`, `restore_<one>(id:)`.

Field names are the REST bodies' (snake_case), so a record reads the same in both.

Run as a module to print the schema (docs/schema.graphql, checked by tests/api/test_graphql_schema.py):
    .venv/bin/python -m chalicelib.platform.routes.graphql_schema > docs/schema.graphql
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from graphql import (
    GraphQLArgument,
    GraphQLBoolean,
    GraphQLField,
    GraphQLFloat,
    GraphQLID,
    GraphQLInputField,
    GraphQLInputObjectType,
    GraphQLInt,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLResolveInfo,
    GraphQLScalarType,
    GraphQLSchema,
    GraphQLString,
    value_from_ast_untyped,
)

from chalicelib.core.cursors import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE
from chalicelib.platform.routes.record_types import RecordType

JSON = GraphQLScalarType(
    "JSON",
    description="Any JSON value: a free-form field (custom fields), or a mutation's input, which the "
    "service validates with the REST route's JSON Schema.",
    serialize=lambda value: value,
    parse_value=lambda value: value,
    parse_literal=lambda node, variables=None: value_from_ast_untyped(node, variables),
)
PAGE_INFO = GraphQLObjectType(
    "PageInfo",
    {
        "end_cursor": GraphQLField(GraphQLString, description="The REST list's next_cursor: pass it as `after`."),
        "has_next_page": GraphQLField(GraphQLNonNull(GraphQLBoolean)),
    },
)
CONNECTION_ARGUMENTS_DOC = f"`first`: 1 to {MAX_PAGE_SIZE} (default {DEFAULT_PAGE_SIZE}); `after`: a page's end_cursor."


def type_name(singular: str) -> str:
    return "".join(part.title() for part in singular.split("_"))


def build_schema(record_types: Mapping[str, RecordType]) -> GraphQLSchema:
    return _SchemaBuilder(record_types).schema()


class _SchemaBuilder:
    def __init__(self, record_types: Mapping[str, RecordType]) -> None:
        self.records = dict(record_types)
        self.objects: dict[str, GraphQLObjectType] = {}
        self.connections: dict[str, GraphQLObjectType] = {}
        self.filters: dict[str, GraphQLInputObjectType | None] = {}

    def schema(self) -> GraphQLSchema:
        query: dict[str, GraphQLField] = {}
        mutation: dict[str, GraphQLField] = {}
        for record in self.records.values():
            if "get" in record.operations:
                query[record.singular] = GraphQLField(
                    self.object(record), {"id": GraphQLArgument(GraphQLNonNull(GraphQLID))},
                    resolve=_one(record), description=f"One {record.singular} by id ({record.read}); an unknown id is a NOT_FOUND error.",
                )  # fmt: skip
            if "list" in record.operations:
                query[record.plural] = self.connection_field(record, linked_by=None)
            mutation.update(self.mutations(record))
        return GraphQLSchema(
            query=GraphQLObjectType("Query", query), mutation=GraphQLObjectType("Mutation", mutation) if mutation else None
        )

    # Types

    def object(self, record: RecordType) -> GraphQLObjectType:
        name = type_name(record.singular)
        if name not in self.objects:
            self.objects[name] = GraphQLObjectType(name, lambda: self.fields(record), description=f"A {record.singular}.")
        return self.objects[name]

    def fields(self, record: RecordType) -> dict[str, GraphQLField]:
        properties = record.view_schema().get("properties", {})
        fields = {
            name: GraphQLField(GraphQLNonNull(GraphQLID) if name == "id" else _output(schema, type_name(record.singular) + type_name(name), self))
            for name, schema in properties.items()
        }
        for name in properties:  # deal.customer_id -> deal.customer
            referenced = self.records.get(name.removesuffix("_id")) if name.endswith("_id") else None
            if referenced is not None and "get" in referenced.operations and referenced.singular not in fields:
                fields[referenced.singular] = GraphQLField(self.object(referenced), resolve=_reference(referenced, name))
        for other in self.records.values():  # customer.deals: the deals whose customer_id is the customer's id
            link = f"{record.singular}_id"
            if link in other.filters() and other.plural not in fields:
                fields[other.plural] = self.connection_field(other, linked_by=link)
        return fields

    def connection(self, record: RecordType) -> GraphQLObjectType:
        name = f"{type_name(record.singular)}Connection"
        if name not in self.connections:
            self.connections[name] = GraphQLObjectType(
                name,
                {
                    "nodes": GraphQLField(GraphQLNonNull(GraphQLList(GraphQLNonNull(self.object(record))))),
                    "page_info": GraphQLField(GraphQLNonNull(PAGE_INFO)),
                },
            )
        return self.connections[name]

    def filter(self, record: RecordType) -> GraphQLInputObjectType | None:
        if record.singular not in self.filters:
            filters = record.filters()
            self.filters[record.singular] = GraphQLInputObjectType(
                f"{type_name(record.singular)}Filter",
                {name: GraphQLInputField(GraphQLString, description=_describe_filter(schema)) for name, schema in filters.items()},
                description=f"The filters of GET /v1/{record.plural}, as its query parameters take them.",
            ) if filters else None  # fmt: skip
        return self.filters[record.singular]

    def connection_field(self, record: RecordType, linked_by: str | None) -> GraphQLField:
        arguments = {
            "first": GraphQLArgument(GraphQLInt, default_value=DEFAULT_PAGE_SIZE),
            "after": GraphQLArgument(GraphQLString),
        }
        filter_type = self.filter(record)
        if filter_type is not None:
            arguments = {"filter": GraphQLArgument(filter_type), **arguments}
        of = f" whose {linked_by} is this record's id" if linked_by else ""
        return GraphQLField(
            self.connection(record), arguments, resolve=_many(record, linked_by),
            description=f"A page of {record.plural}{of} ({record.read}). {CONNECTION_ARGUMENTS_DOC}",
        )  # fmt: skip

    def mutations(self, record: RecordType) -> dict[str, GraphQLField]:
        one, output = record.singular, self.object(record)
        id_argument = {"id": GraphQLArgument(GraphQLNonNull(GraphQLID))}
        version = {"version": GraphQLArgument(GraphQLInt, description="The version last read (REST If-Match): 412 if it is not current.")}
        body = {"input": GraphQLArgument(GraphQLNonNull(JSON))}
        found: dict[str, GraphQLField] = {}
        if "create" in record.operations:
            found[f"create_{one}"] = GraphQLField(output, body, resolve=_write(record, "create"), description=f"POST /v1/{record.plural}'s body.")
        if "patch" in record.operations:
            found[f"update_{one}"] = GraphQLField(
                output, {**id_argument, **body, **version}, resolve=_write(record, "patch"), description="A JSON merge patch (REST PATCH)."
            )
        if "delete" in record.operations:
            found[f"delete_{one}"] = GraphQLField(GraphQLBoolean, {**id_argument, **version}, resolve=_write(record, "delete"))
        if "restore" in record.operations:
            found[f"restore_{one}"] = GraphQLField(output, id_argument, resolve=_write(record, "restore"))
        return found


def _describe_filter(schema: Mapping[str, Any]) -> str | None:
    if "enum" in schema:
        return "One of: " + ", ".join(schema["enum"]) + "."
    return schema.get("description") or (f"A {schema['format']}." if "format" in schema else None)


def _output(schema: Any, nested_name: str, builder: _SchemaBuilder) -> GraphQLOutputType:
    """A JSON Schema as an output type (nullable: a view shows null for what a record lacks)."""
    if not isinstance(schema, Mapping):
        return JSON
    variants = [variant for variant in schema.get("anyOf", ()) if variant.get("type") != "null"]
    if len(variants) == 1:
        return _output(variants[0], nested_name, builder)
    types = schema.get("type")
    types = [types] if isinstance(types, str) else [name for name in types or () if name != "null"]
    if len(types) != 1:
        return JSON
    kind = types[0]
    if kind == "string":
        return GraphQLString
    if kind == "integer":
        return GraphQLInt
    if kind == "number":
        return GraphQLFloat
    if kind == "boolean":
        return GraphQLBoolean
    if kind == "array":
        return GraphQLList(_output(schema.get("items"), nested_name.removesuffix("s"), builder))
    if kind == "object" and schema.get("properties"):
        if nested_name not in builder.objects:
            builder.objects[nested_name] = GraphQLObjectType(
                nested_name,
                {name: GraphQLField(_output(inner, nested_name + type_name(name), builder)) for name, inner in schema["properties"].items()},
            )
        return builder.objects[nested_name]
    return JSON


# Resolvers: each goes through the record type's service functions with the caller's permissions
# (info.context is a platform/routes/graphql_execution.GraphContext).


def _one(record: RecordType) -> Any:
    def resolve(_: Any, info: GraphQLResolveInfo, id: str) -> Any:
        return info.context.record(record, id)

    return resolve


def _reference(record: RecordType, field: str) -> Any:
    def resolve(parent: Mapping[str, Any], info: GraphQLResolveInfo) -> Any:
        referenced = parent.get(field)
        return None if referenced is None else info.context.record(record, referenced, parent, field)

    return resolve


def _many(record: RecordType, linked_by: str | None) -> Any:
    def resolve(parent: Any, info: GraphQLResolveInfo, first: int, after: str | None = None, filter: Any = None) -> Any:
        filters = dict(filter or {})
        if linked_by is not None:
            filters[linked_by] = parent["id"]
        return info.context.page(record, filters, first, after)

    return resolve


def _write(record: RecordType, operation: str) -> Any:
    def resolve(_: Any, info: GraphQLResolveInfo, **arguments: Any) -> Any:
        return info.context.write(record, operation, **arguments)

    return resolve


def main() -> None:
    """Print the schema in SDL (docs/schema.graphql)."""
    import app  # noqa: F401  (the declarations register with the app's blueprints)
    from graphql import print_schema

    from chalicelib.platform.routes.record_types import RECORD_TYPES

    print(print_schema(build_schema(RECORD_TYPES)))


if __name__ == "__main__":
    main()
