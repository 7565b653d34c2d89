"""The routes of a tenant record type, declared once: list, create, batch create, read, replace,
merge-patch, soft delete and restore under one collection path, each with the permission
<resource>:read or :write. A declaration names the operations its record has; a searchable record
(chalicelib/platform/services/records.py) has them all, with search as its list. A resource declares
its own routes beside these (a lead's conversion, an opportunity's stage, a campaign's members)."""
from __future__ import annotations

import re
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from types import ModuleType
from typing import TYPE_CHECKING, Any

from chalice import Response

from chalicelib.core.cursors import parse_page_size
from chalicelib.core.ids import ID_PATTERN
from chalicelib.core.search import FILTERS, SORTS, parse_search
from chalicelib.platform.routes.contracts import Contract, SchemaRef, page_of, record_view
from chalicelib.platform.routes.openapi import COMPONENTS
from chalicelib.platform.routes.record_types import RECORD_TYPES, RecordType
from chalicelib.platform.routes.requests import ApiRequest, etag
from chalicelib.platform.routes.routing import JSON_TYPES, Routes, json_response, no_content
from chalicelib.platform.routes.versions import Versioning, version_path
from chalicelib.platform.services.representations import VERSIONS
from chalicelib.platform.services.roles import READ, WRITE, can

if TYPE_CHECKING:  # the service loads on a request's first use, not when routes register
    from chalicelib.platform.services.records import SearchableRecords

MERGE_PATCH_TYPES = [*JSON_TYPES, "application/merge-patch+json"]
OPERATIONS = ("list", "create", "batch", "get", "replace", "patch", "delete", "restore")
# The service function of an operation ("list", "create", "get", ...), looked up when a request needs it.
ServiceFunctions = Callable[[str], Callable[..., Any]]


def record_response(collection: str, record: dict[str, Any], status: int = 200) -> Response:
    # A built-in role is the one record without a version: nothing to compare, so no ETag.
    headers = {"ETag": etag(record["version"])} if "version" in record else {}
    if status == 201:
        headers["Location"] = f"{collection}/{record['id']}"
    return json_response(record, status=status, headers=headers)


def functions_of(module: ModuleType, one: str, many: str) -> ServiceFunctions:
    """A service module's functions `list_<many>` and `<operation>_<one>` (`create_ticket`,
    `restore_ticket`, ...). The module is a lazy one: it loads when a request first calls it."""
    return lambda operation: getattr(module, f"list_{many}" if operation == "list" else f"{operation}_{one}")


@dataclass(frozen=True)
class RecordSchemas:
    """A record type's contract: the names, in its service module, of the JSON Schemas its
    operations validate with (`create`, `replace`, `patch`), of its list filters (`filters`, the
    tuple the service's `list_filters` takes, or the filter names themselves), of the values some
    filters take (`choices`, the mapping the service's `list_filters` checks them with) and of its
    filters on a date (`dates`, YYYY-MM-DD); and the record's view (`view`: by default the create
    schema's fields as stored, plus the bookkeeping). Looked up only when the OpenAPI document is
    generated (cold start)."""

    service: ModuleType
    create: str
    patch: str
    replace: str | None = None
    filters: str | tuple[str, ...] | None = None
    choices: str | None = None
    dates: str | None = None
    view: SchemaRef | None = None

    def schema(self, name: str) -> Callable[[], Any]:
        return lambda: getattr(self.service, name)

    def filter_parameters(self) -> Callable[[], dict[str, SchemaRef]]:
        def parameters() -> dict[str, SchemaRef]:
            names = self.filters if self.filters is None or isinstance(self.filters, tuple) else getattr(self.service, self.filters)
            choices = getattr(self.service, self.choices) if self.choices else {}
            dates = getattr(self.service, self.dates) if self.dates else ()
            return {name: filter_value(name, choices.get(name), name in dates) for name in names or ()}

        return parameters


def filter_value(name: str, choices: Collection[str] | None = None, date: bool = False) -> dict[str, Any]:
    """A list filter's value: one of its choices, a date, a timestamp (a time filter), or any
    short string (core.search.list_filters)."""
    if choices is not None:
        return {"type": "string", "enum": list(choices)}
    if date:
        return {"type": "string", "format": "date"}
    if name.endswith(("_after", "_before")):
        return {**FILTER_VALUE, "format": "date-time"}
    return FILTER_VALUE


# core.search.list_filters: every filter value is 1 to 200 characters.
FILTER_VALUE = {"type": "string", "minLength": 1, "maxLength": 200}


def search_parameters(filters: tuple[str, ...]) -> dict[str, SchemaRef]:
    """core.search.parse_search's filters as query parameters."""
    parameters = {name: filter_value(name, SORTS if name == "sort" else None) for name in filters}
    if "q" in parameters and "sort" in parameters:
        parameters["sort"] = {**parameters["sort"], "description": "Not with q, which lists name matches, then email matches."}
    return parameters


def component_name(kind: str, version: int = 1) -> str:
    """A record view's component: `Ticket`; a version's own view of it `CustomerV2`."""
    return "".join(part.title() for part in kind.split("_")) + (f"V{version}" if version > 1 else "")


def query_parameters(request: ApiRequest) -> tuple[Any, ...]:
    """The list arguments of a service that parses its own filters from the query string."""
    return (request.query_params,)


def record_routes(
    routes: Routes,
    resource: str,
    collection: str,
    id_name: str,
    names: tuple[str, str],
    functions: ServiceFunctions,
    operations: Collection[str] = OPERATIONS,
    list_arguments: Callable[[ApiRequest], tuple[Any, ...]] = lambda request: (),
    id_pattern: str | None = None,
    schemas: RecordSchemas | None = None,
    contracts: Mapping[str, Contract] | Callable[[int], Mapping[str, Contract]] | None = None,
    versioning: Versioning | None = None,
) -> None:
    """Registers `operations` of the record under `collection` and `{id_name}`, whose shape is
    `id_pattern` when it is not a minted id. `names` (one, many) name the views: list_<many>,
    create_<one>, get_<one>, ... The service's list takes `list_arguments(request)`, then the page
    size and the cursor. With `versioning`, every route also answers on /v2 and unversioned
    (platform/routes/versions.py); a reshaped record's service functions take the request's
    `version=`. Registering touches no service function (cold start).

    The contract of each operation (contracts.py) comes from `schemas` (the service's schemas,
    by name), or whole from `contracts` (operation -> Contract, searchable_record_routes'; or a
    function of the API version giving them, for a reshaped record); the record's view is the
    document's component named after the kind (`ticket` -> `Ticket`, `CustomerV2` in v2)."""
    unknown = set(operations) - set(OPERATIONS)
    if unknown:  # a misspelt operation would otherwise leave its route out without a word
        raise ValueError(f"Unknown record operations {sorted(unknown)}; they are {OPERATIONS}.")
    record_path = f"{collection}/{{{id_name}}}"
    read, write = can(resource, READ), can(resource, WRITE)
    if id_pattern is not None:
        routes.path_ids[id_name] = re.compile(id_pattern)

    def respond(request: ApiRequest, record: dict[str, Any], status: int = 200) -> Response:
        return record_response(version_path(collection, request.version), record, status)

    def shaped(request: ApiRequest) -> dict[str, int]:
        return {"version": request.version} if versioning is not None and versioning.reshaped else {}

    def list_(request: ApiRequest) -> Response:
        arguments = list_arguments(request)
        limit = parse_page_size(request.query("limit"))
        page = functions("list")(request.principal, *arguments, limit, request.query("cursor"), **shaped(request))
        return json_response(page)

    def create(request: ApiRequest) -> Response:
        return respond(request, functions("create")(request.principal, request.json(), **shaped(request)), status=201)

    def get(request: ApiRequest, **ids: str) -> Response:
        return respond(request, functions("get")(request.principal, ids[id_name], **shaped(request)))

    def replace(request: ApiRequest, **ids: str) -> Response:
        version = request.expected_version(required=True)
        record = functions("replace")(request.principal, ids[id_name], request.json(), version, **shaped(request))
        return respond(request, record)

    def patch(request: ApiRequest, **ids: str) -> Response:
        version = request.expected_version()
        record = functions("patch")(request.principal, ids[id_name], request.json(), version, **shaped(request))
        return respond(request, record)

    def delete(request: ApiRequest, **ids: str) -> Response:
        functions("delete")(request.principal, ids[id_name], request.expected_version())
        return no_content()

    def restore(request: ApiRequest, **ids: str) -> Response:
        return respond(request, functions("restore")(request.principal, ids[id_name], **shaped(request)))

    def create_one(request: ApiRequest, item: Any) -> dict[str, Any]:
        return functions("create")(request.principal, item, **shaped(request))

    singular, plural = names
    # A reshaped record's contracts differ per version (its bodies and its view, `CustomerV2`).
    per_version = callable(contracts)
    by_version = {
        version: contracts(version) if callable(contracts) else contracts or _contracts(schemas, record_path, component_name(singular))
        for version in (VERSIONS if per_version else (1,))
    }
    for version, contract in by_version.items():
        component = component_name(singular, version)
        if component in COMPONENTS:
            raise ValueError(f"Two record types declare the view {component}.")
        COMPONENTS[component] = contract["view"].responses[200]

    if singular in RECORD_TYPES:
        raise ValueError(f"Two record types are named {singular}.")
    RECORD_TYPES[singular] = RecordType(
        resource, singular, plural, functions, tuple(op for op in OPERATIONS if op in operations), list_arguments,
        by_version[1], re.compile(id_pattern or ID_PATTERN),
    )  # fmt: skip

    def of(operation: str) -> Contract | Callable[[int], Contract]:
        return (lambda version: by_version[version][operation]) if per_version else by_version[1][operation]
    list_.__name__ = f"list_{plural}"
    for view in (create, get, replace, patch, delete, restore):
        view.__name__ = f"{view.__name__}_{singular}"
    versioned = {"versioning": versioning}
    if "list" in operations:
        routes.protected(collection, methods=["GET"], permission=read, contract=of("list"), **versioned)(list_)
    if "create" in operations:
        routes.protected(
            collection, methods=["POST"], permission=write, idempotent=True, contract=of("create"), **versioned
        )(create)
    if "batch" in operations:
        routes.batch(
            f"{collection}/batch", create_one, write, item=by_version[1]["create"].body or {},
            item_of_version=(lambda version: by_version[version]["create"].body or {}) if per_version else None,
            operation_id=f"batch_create_{plural}", **versioned,
        )  # fmt: skip
    if "get" in operations:
        routes.protected(record_path, methods=["GET"], permission=read, contract=of("get"), **versioned)(get)
    if "replace" in operations:
        routes.protected(record_path, methods=["PUT"], permission=write, contract=of("replace"), **versioned)(replace)
    if "patch" in operations:
        routes.protected(
            record_path, methods=["PATCH"], permission=write, content_types=MERGE_PATCH_TYPES, contract=of("patch"),
            **versioned,
        )(patch)  # fmt: skip
    if "delete" in operations:
        routes.protected(record_path, methods=["DELETE"], permission=write, contract=of("delete"), **versioned)(delete)
    if "restore" in operations:
        routes.protected(
            f"{record_path}/restore", methods=["POST"], permission=write, contract=of("restore"), **versioned
        )(restore)


ETAG_HEADER = {"ETag": "The record's version, for If-Match."}


def record_contracts(
    record_path: str,
    component: str,
    create: SchemaRef,
    patch: SchemaRef,
    replace: SchemaRef | None = None,
    filters: Mapping[str, SchemaRef] | Callable[[], Mapping[str, SchemaRef]] | None = None,
    view: SchemaRef | None = None,
) -> dict[str, Contract]:
    """The contract of each record operation; "view" holds the record's view as its 200."""
    record = f"#{component}"
    writes = (409,)  # a closed, converted or concurrently written record
    return {
        "view": Contract(responses={200: view or record_view(create)}),
        "list": Contract(pages=True, query=filters or {}, responses={200: page_of(record)}),
        "create": Contract(
            body=create, responses={201: record}, errors=writes, created=record_path,
            response_headers={**ETAG_HEADER, "Location": "The created record's path."},
        ),
        "get": Contract(responses={200: record}, response_headers=ETAG_HEADER),
        "replace": Contract(
            body=replace or create, responses={200: record}, if_match="required", errors=writes, response_headers=ETAG_HEADER
        ),
        "patch": Contract(body=patch, responses={200: record}, if_match="optional", errors=writes, response_headers=ETAG_HEADER),
        "delete": Contract(responses={204: None}, if_match="optional", errors=writes),
        "restore": Contract(responses={200: record}, errors=writes, response_headers=ETAG_HEADER),
    }


def _contracts(schemas: RecordSchemas | None, record_path: str, component: str) -> dict[str, Contract]:
    if schemas is None:
        raise ValueError(f"{record_path}: a record type declares its schemas (RecordSchemas), for its contract.")
    return record_contracts(
        record_path, component, schemas.schema(schemas.create), schemas.schema(schemas.patch),
        schemas.schema(schemas.replace) if schemas.replace else None, schemas.filter_parameters(), schemas.view,
    )  # fmt: skip


def searchable_record_routes(
    routes: Routes,
    resource: str,
    kind: str,
    records: Callable[[], SearchableRecords[Any]],
    filters: tuple[str, ...] = FILTERS,
    versioning: Versioning | None = None,
) -> None:
    """A searchable record's routes: every operation, its list a search by `filters`. `records`
    returns the SearchableRecords service when a request needs it: the blueprint reaches it through
    a lazy module, so registering these routes imports no service (cold start). A reshaped
    record's contracts differ per API version (its service's `representation`)."""

    def contracts_of(version: int) -> dict[str, Contract]:
        return _searchable_contracts(resource, kind, records, filters, version)

    record_routes(
        routes,
        resource,
        f"/v1/{resource}",
        f"{kind}_id",
        (kind, resource),
        lambda operation: getattr(records(), "search" if operation == "list" else operation),
        list_arguments=lambda request: (parse_search(request.query_params, filters),),
        contracts=contracts_of if versioning is not None and versioning.reshaped else contracts_of(1),
        versioning=versioning,
    )


def _searchable_contracts(
    resource: str, kind: str, records: Callable[[], SearchableRecords[Any]], filters: tuple[str, ...], version: int
) -> dict[str, Contract]:
    """A searchable record's contracts in `version`, from its service's schemas and view."""
    return record_contracts(
        f"/v1/{resource}/{{{kind}_id}}", component_name(kind, version),
        create=lambda: records().schemas[version], patch=lambda: records().patch_schemas[version],
        filters=search_parameters(filters),
        view=record_view(
            lambda: records().representation.view_properties(records().schema["properties"], version),
            shown=lambda: records().view_fields, optional=lambda: records().optional_fields,
        ),
    )  # fmt: skip
