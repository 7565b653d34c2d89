"""Running a GraphQL request: parse, validate, refuse what is over the limits (before any data
call), then execute against the generated schema (graphql_schema.py) through the record types'
service functions. Loaded by the first GraphQL request only: graphql-core is imported here, never
by the app's import (cold start, `make bench ONLY=cold_start`).

Reads are batched per level. A page's records are siblings: the first `deal.customer` asked of one
deal of a page loads the customers of every deal of that page in one BatchGetItem (kinds with a
table, platform/kinds.py), as the REST GET would read them (deleted ones are gone, a reader sees
what the kind lets it see). Lists under a record (`customer.deals`) are one Query per parent, which
DynamoDB cannot merge across partitions: the cost limit counts them before anything runs.
"""
from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLSchema,
    InlineFragmentNode,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
    execute,
    get_operation_ast,
    parse,
    validate,
)
from graphql.execution.values import get_variable_values
from graphql.language import IntValueNode, VariableNode

from chalicelib.core.cursors import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, parse_page_size
from chalicelib.core.errors import DomainError, NotFound, ServiceUnavailable
from chalicelib.observability import logger
from chalicelib.platform.kinds import record_kinds
from chalicelib.platform.routes.graphql_schema import build_schema
from chalicelib.platform.routes.problems import problem_body
from chalicelib.platform.routes.record_types import RECORD_TYPES, RecordType
from chalicelib.platform.services import quotas
from chalicelib.platform.services.roles import Principal
from chalicelib.platform.tables.base import temporarily_unavailable
from chalicelib.platform.tables.visibility import hidden

# Abuse limits, checked on the parsed document before it runs (docs/api/graphql.md, Limits).
MAX_DEPTH = 8
MAX_ALIASES = 30
# A field costs 1 for each time it may be resolved: a connection's fields count `first` times
# (the default page size when not given), nested connections multiply. The customer screen costs
# about 400 with pages of 20; `customers(first: 100) { deals(first: 100) { nodes { id } } }` 20,000.
MAX_COST = 5000
INTROSPECTION_PER_MINUTE = 10
INTROSPECTION_FIELDS = frozenset({"__schema", "__type"})


@lru_cache(maxsize=1)
def schema() -> GraphQLSchema:
    return build_schema(RECORD_TYPES)


@dataclass(frozen=True)
class Outcome:
    """The response: `status` 400 for a request that did not run (unparseable, invalid, over a
    limit), 200 once it ran (its field errors in `body["errors"]`)."""

    status: int
    body: dict[str, Any]


def refused(message: str, **extensions: Any) -> Outcome:
    return Outcome(400, {"errors": [{"message": message, **({"extensions": extensions} if extensions else {})}]})


def run(principal: Principal, request: Any) -> Outcome:
    """`request`: the GraphQL-over-HTTP parameters {query, variables, operationName, extensions}."""
    if not isinstance(request, Mapping):
        return refused("The body must be a JSON object with a `query`.")
    query, variables, operation_name = request.get("query"), request.get("variables"), request.get("operationName")
    if not isinstance(query, str) or not query.strip():
        return refused("`query` must be a GraphQL document (a string).")
    if variables is not None and not isinstance(variables, Mapping):
        return refused("`variables` must be an object.")
    if operation_name is not None and not isinstance(operation_name, str):
        return refused("`operationName` must be a string.")
    try:
        document = parse(query, max_tokens=5000)
    except GraphQLError as error:
        return Outcome(400, {"errors": [error.formatted]})
    errors = validate(schema(), document, max_errors=20)
    if errors:
        return Outcome(400, {"errors": [error.formatted for error in errors]})
    operation = get_operation_ast(document, operation_name)
    if operation is None:
        return refused("Name the operation to run (operationName): the document has none or several.")
    coerced = get_variable_values(schema(), operation.variable_definitions or (), variables or {}, max_errors=20)
    if isinstance(coerced, list):  # GraphQL-over-HTTP: variables that do not fit are a request error
        return Outcome(400, {"errors": [error.formatted for error in coerced]})
    over = over_limits(document, operation, coerced.coerced)
    if over is not None:
        return refused(over, code="LIMIT_EXCEEDED")
    if _introspects(operation, _fragments(document)):
        quotas.meter_per_minute(principal, "graphql.introspection", INTROSPECTION_PER_MINUTE)
    result = execute(
        schema(), document, context_value=GraphContext(principal), variable_values=variables, operation_name=operation_name
    )
    if operation.operation == OperationType.QUERY and any(_unavailable(error.original_error) for error in result.errors or ()):
        # As a REST read: 503 with Retry-After, so the client sends the query again. A mutation's
        # answer says instead which of its fields were written.
        raise ServiceUnavailable()
    body: dict[str, Any] = {"data": result.data}
    if result.errors:
        body["errors"] = [_formatted(error) for error in result.errors]
    return Outcome(200, body)


def _formatted(error: GraphQLError) -> dict[str, Any]:
    formatted = error.formatted
    original = error.original_error
    if _unavailable(original) and not isinstance(original, DomainError):
        logger.warning("DynamoDB unavailable after retries", exc_info=original)
        original = ServiceUnavailable()
    if isinstance(original, DomainError):
        problem = problem_body(original)
        formatted["message"] = problem.pop("detail")
        problem.pop("title", None)
        formatted["extensions"] = problem
    elif original is not None and not isinstance(original, GraphQLError):
        # A bug: logged with its trace, answered without it (as a REST 500 is).
        logger.exception("GraphQL resolver failed", exc_info=original)
        formatted["message"] = "Internal error."
        formatted["extensions"] = {"status": 500}
    return formatted


def _unavailable(error: BaseException | None) -> bool:
    return isinstance(error, ServiceUnavailable) or (
        isinstance(error, Exception) and not isinstance(error, (DomainError, GraphQLError)) and temporarily_unavailable(error)
    )


# Limits


def _fragments(document: DocumentNode) -> dict[str, FragmentDefinitionNode]:
    return {node.name.value: node for node in document.definitions if isinstance(node, FragmentDefinitionNode)}


def _fields(selection_set: SelectionSetNode | None, fragments: Mapping[str, FragmentDefinitionNode]) -> list[FieldNode]:
    """The fields a selection set selects, through its fragments (validation refused cycles)."""
    found: list[FieldNode] = []
    for selection in selection_set.selections if selection_set else ():
        if isinstance(selection, FieldNode):
            found.append(selection)
        elif isinstance(selection, InlineFragmentNode):
            found.extend(_fields(selection.selection_set, fragments))
        elif isinstance(selection, FragmentSpreadNode) and selection.name.value in fragments:
            found.extend(_fields(fragments[selection.name.value].selection_set, fragments))
    return found


def _page_size(node: FieldNode, variables: Mapping[str, Any]) -> int | None:
    """`first` of a connection field (the default page size when not given); None for another field."""
    arguments = {argument.name.value: argument.value for argument in node.arguments or ()}
    if "first" not in arguments and "after" not in arguments:
        return None
    value = arguments.get("first")
    if isinstance(value, VariableNode):
        value = variables.get(value.name.value, DEFAULT_PAGE_SIZE)
    elif isinstance(value, IntValueNode):
        value = int(value.value)
    # At least 1: a `first` the list refuses must not lower the cost of the fields beside it.
    return max(1, min(value, MAX_PAGE_SIZE)) if isinstance(value, int) else DEFAULT_PAGE_SIZE if value is None else MAX_PAGE_SIZE


def over_limits(document: DocumentNode, operation: OperationDefinitionNode, variables: Mapping[str, Any]) -> str | None:
    """Why the operation may not run (depth, aliases, cost), or None."""
    fragments = _fragments(document)
    deepest, aliases, cost = 0, 0, 0

    def walk(selection_set: SelectionSetNode | None, depth: int, times: int) -> None:
        nonlocal deepest, aliases, cost
        for node in _fields(selection_set, fragments):
            if node.name.value.startswith("__"):  # introspection has its own rate
                continue
            deepest = max(deepest, depth)
            aliases += node.alias is not None
            cost += times
            size = _page_size(node, variables)
            walk(node.selection_set, depth + 1, times * size if size is not None else times)

    walk(operation.selection_set, 1, 1)
    if deepest > MAX_DEPTH:
        return f"The query is {deepest} fields deep; at most {MAX_DEPTH}."
    if aliases > MAX_ALIASES:
        return f"The query has {aliases} aliases; at most {MAX_ALIASES}."
    if cost > MAX_COST:
        return f"The query costs {cost} (each field times the pages it is listed in, `first` each); at most {MAX_COST}."
    return None


def _introspects(operation: OperationDefinitionNode, fragments: Mapping[str, FragmentDefinitionNode]) -> bool:
    return any(node.name.value in INTROSPECTION_FIELDS for node in _fields(operation.selection_set, fragments))


# Resolution through the services


@dataclass
class _Arguments:
    """What a record type's `list_arguments` reads of a request: its filters as query parameters."""

    query_params: dict[str, str]

    def query(self, name: str) -> str | None:
        return self.query_params.get(name)


@dataclass
class GraphContext:
    """One request's caller and what it has read: records by (type, id), and which records came
    in one page (siblings), so a reference asked of one is loaded for all of them at once."""

    principal: Principal
    records: dict[tuple[str, str], dict[str, Any] | None] = field(default_factory=dict)
    siblings: dict[int, list[dict[str, Any]]] = field(default_factory=dict)

    def record(self, record: RecordType, record_id: str, parent: dict[str, Any] | None = None, link: str = "") -> Any:
        """One record by id: NotFound (another organization's, deleted, missing alike) when asked
        at the root; a reference (`parent[link]`) to no readable record is null."""
        self.principal.require(record.read)
        key = (record.singular, record_id)
        if key not in self.records:
            wanted = {record_id}
            if parent is not None:
                wanted |= {sibling[link] for sibling in self.siblings.get(id(parent), ()) if isinstance(sibling.get(link), str)}
            self._load(record, [one for one in wanted if (record.singular, one) not in self.records])
        found = self.records[key]
        if found is None and parent is None:
            raise NotFound(f"No {record.singular.replace('_', ' ')} with this id.")
        return found

    def _load(self, record: RecordType, ids: list[str]) -> None:
        shaped = [one for one in ids if record.id_shape.fullmatch(one)]
        for one in ids:
            self.records[(record.singular, one)] = None
        kind = record_kinds().get(record.plural)
        if kind is not None and kind.read == record.read:
            org_id = self.principal.org_id
            items = kind.table.model.batch_get([(org_id, one) for one in shaped]) if shaped else []
            # A BatchGetItem passes by base.find: the caller's team visibility is applied here.
            loaded = [
                kind.view(item) for item in items
                if getattr(item, "deleted_at", None) is None and kind.visible(self.principal, item) and not hidden(item)
            ]  # fmt: skip
        else:
            loaded = []
            for one in shaped:
                try:
                    loaded.append(record.functions("get")(self.principal, one))
                except NotFound:
                    pass
        for view in loaded:
            self.records[(record.singular, view["id"])] = view
            self.siblings[id(view)] = loaded

    def page(self, record: RecordType, filters: Mapping[str, str], first: int, after: str | None) -> dict[str, Any]:
        self.principal.require(record.read)
        limit = parse_page_size(str(first))
        found = record.functions("list")(self.principal, *record.list_arguments(_Arguments(dict(filters))), limit, after)
        items = found["items"]
        for item in items:
            self.siblings[id(item)] = items
        cursor = found.get("next_cursor")
        return {"nodes": items, "page_info": {"end_cursor": cursor, "has_next_page": cursor is not None}}

    def write(self, record: RecordType, operation: str, **arguments: Any) -> Any:
        self.principal.require(record.write)
        if "id" in arguments and not record.id_shape.fullmatch(arguments["id"]):
            raise NotFound(f"No {record.singular.replace('_', ' ')} with this id.")
        function = record.functions(operation)
        if operation == "create":
            return function(self.principal, arguments["input"])
        if operation == "patch":
            return function(self.principal, arguments["id"], arguments["input"], arguments.get("version"))
        if operation == "delete":
            function(self.principal, arguments["id"], arguments.get("version"))
            return True
        return function(self.principal, arguments["id"])


def parse_get_parameters(query_params: Mapping[str, str]) -> dict[str, Any]:
    """A GET request's GraphQL parameters (the query string's JSON values decoded)."""
    parameters: dict[str, Any] = {}
    for name in ("variables", "extensions"):
        if name in query_params:
            try:
                parameters[name] = json.loads(query_params[name])
            except ValueError:
                parameters[name] = query_params[name]  # refused by run() as not an object
    if "operationName" in query_params:
        parameters["operationName"] = query_params["operationName"]
    return parameters
