"""The routes of a tenant record type, declared once: list, create, batch create, read, replace,
merge-patch, soft delete and restore under one collection path, each with the permission
<resource>:read or :write. A declaration names the operations its record has; a searchable record
(chalicelib/platform/services/records.py) has them all, with search as its list. A resource declares
its own routes beside these (a lead's conversion, an opportunity's stage, a campaign's members)."""
from __future__ import annotations

import re
from collections.abc import Callable, Collection
from types import ModuleType
from typing import TYPE_CHECKING, Any

from chalice import Response

from chalicelib.core.cursors import parse_page_size
from chalicelib.core.search import FILTERS, parse_search
from chalicelib.platform.routes.requests import ApiRequest, etag
from chalicelib.platform.routes.routing import JSON_TYPES, Routes, json_response, no_content
from chalicelib.platform.routes.versions import Versioning, version_path
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
    versioning: Versioning | None = None,
) -> None:
    """Registers `operations` of the record under `collection` and `{id_name}`, whose shape is
    `id_pattern` when it is not a minted id. `names` (one, many) name the views: list_<many>,
    create_<one>, get_<one>, ... The service's list takes `list_arguments(request)`, then the page
    size and the cursor. With `versioning`, every route also answers on /v2 and unversioned
    (platform/routes/versions.py); a reshaped record's service functions take the request's
    `version=`. Registering touches no service function (cold start)."""
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
    list_.__name__ = f"list_{plural}"
    for view in (create, get, replace, patch, delete, restore):
        view.__name__ = f"{view.__name__}_{singular}"
    versioned = {"versioning": versioning}
    if "list" in operations:
        routes.protected(collection, methods=["GET"], permission=read, **versioned)(list_)
    if "create" in operations:
        routes.protected(collection, methods=["POST"], permission=write, idempotent=True, **versioned)(create)
    if "batch" in operations:
        routes.batch(f"{collection}/batch", create_one, write, **versioned)
    if "get" in operations:
        routes.protected(record_path, methods=["GET"], permission=read, **versioned)(get)
    if "replace" in operations:
        routes.protected(record_path, methods=["PUT"], permission=write, **versioned)(replace)
    if "patch" in operations:
        routes.protected(
            record_path, methods=["PATCH"], permission=write, content_types=MERGE_PATCH_TYPES, **versioned
        )(patch)
    if "delete" in operations:
        routes.protected(record_path, methods=["DELETE"], permission=write, **versioned)(delete)
    if "restore" in operations:
        routes.protected(f"{record_path}/restore", methods=["POST"], permission=write, **versioned)(restore)


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
    a lazy module, so registering these routes imports no service (cold start)."""
    record_routes(
        routes,
        resource,
        f"/v1/{resource}",
        f"{kind}_id",
        (kind, resource),
        lambda operation: getattr(records(), "search" if operation == "list" else operation),
        list_arguments=lambda request: (parse_search(request.query_params, filters),),
        versioning=versioning,
    )
