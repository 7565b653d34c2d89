"""The record types `record_routes` declared, by their singular name: what the GraphQL API
(platform/routes/graphql_schema.py) is generated from, so a resource declared once for REST is
also a GraphQL type, with the same service functions, permissions, filters and view."""
from __future__ import annotations

import re
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from typing import Any

from chalicelib.platform.routes.contracts import Contract, resolve
from chalicelib.platform.services.roles import READ, WRITE, can


@dataclass(frozen=True)
class RecordType:
    """`functions(operation)` is the service function of "list", "get", "create", ... (as the REST
    views call it); `list_arguments(request)` what its list takes before the page size and cursor
    (read from `request.query_params`); `contracts` the v1 contract of each operation, "view" the
    record's view."""

    resource: str
    singular: str
    plural: str
    functions: Callable[[str], Callable[..., Any]]
    operations: Collection[str]
    list_arguments: Callable[[Any], tuple[Any, ...]]
    contracts: Mapping[str, Contract]
    # What an id looks like (REST answers 404 for another shape without a data call).
    id_shape: re.Pattern[str]

    @property
    def read(self) -> str:
        return can(self.resource, READ)

    @property
    def write(self) -> str:
        return can(self.resource, WRITE)

    def view_schema(self) -> Any:
        return resolve(self.contracts["view"].responses[200])

    def filters(self) -> dict[str, Any]:
        """The list's filters (query parameter -> schema), as the REST list takes them."""
        if "list" not in self.operations:
            return {}
        query = self.contracts["list"].query
        return {name: resolve(schema) for name, schema in (query() if callable(query) else query).items()}


RECORD_TYPES: dict[str, RecordType] = {}
