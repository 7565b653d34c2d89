"""The routes of a searchable record type (chalicelib/platform/services/records.py), declared once:
list with search, create, batch create, read, replace, merge-patch, soft delete and restore under
/v1/<resource>, each with the permission <resource>:read or :write. A resource declares its own
routes beside these (a lead's conversion, a company's contacts)."""
from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from chalice import Response

from chalicelib.core.cursors import parse_page_size
from chalicelib.core.search import FILTERS, parse_search
from chalicelib.platform.routes.requests import ApiRequest, etag
from chalicelib.platform.routes.routing import JSON_TYPES, Routes, json_response, no_content
from chalicelib.platform.services.roles import READ, WRITE, can

if TYPE_CHECKING:  # the service loads on a request's first use, not when routes register
    from chalicelib.platform.services.records import SearchableRecords

MERGE_PATCH_TYPES = [*JSON_TYPES, "application/merge-patch+json"]


def record_response(resource: str, record: dict[str, Any], status: int = 200) -> Response:
    headers = {"ETag": etag(record["version"])}
    if status == 201:
        headers["Location"] = f"/v1/{resource}/{record['id']}"
    return json_response(record, status=status, headers=headers)


def searchable_record_routes(
    routes: Routes,
    resource: str,
    kind: str,
    records: Callable[[], SearchableRecords[Any]],
    filters: tuple[str, ...] = FILTERS,
) -> None:
    """`records` returns the SearchableRecords service when a request needs it: the blueprint
    reaches it through a lazy module, so registering these routes imports no service (cold start)."""
    collection, one = f"/v1/{resource}", f"/v1/{resource}/{{{kind}_id}}"
    read, write = can(resource, READ), can(resource, WRITE)

    def respond(record: dict[str, Any], status: int = 200) -> Response:
        return record_response(resource, record, status)

    def search(request: ApiRequest) -> Response:
        spec = parse_search(request.query_params, filters)
        limit = parse_page_size(request.query("limit"))
        return json_response(records().search(request.principal, spec, limit, request.query("cursor")))

    def create(request: ApiRequest) -> Response:
        return respond(records().create(request.principal, request.json()), status=201)

    def get(request: ApiRequest, **ids: str) -> Response:
        return respond(records().get(request.principal, ids[f"{kind}_id"]))

    def replace(request: ApiRequest, **ids: str) -> Response:
        version = request.expected_version(required=True)
        return respond(records().replace(request.principal, ids[f"{kind}_id"], request.json(), version))

    def patch(request: ApiRequest, **ids: str) -> Response:
        version = request.expected_version()
        return respond(records().patch(request.principal, ids[f"{kind}_id"], request.json(), version))

    def delete(request: ApiRequest, **ids: str) -> Response:
        records().delete(request.principal, ids[f"{kind}_id"], request.expected_version())
        return no_content()

    def restore(request: ApiRequest, **ids: str) -> Response:
        return respond(records().restore(request.principal, ids[f"{kind}_id"]))

    for view, name in ((search, f"list_{resource}"), (create, f"create_{kind}")):
        view.__name__ = name
    for view in (get, replace, patch, delete, restore):
        view.__name__ = f"{view.__name__}_{kind}"
    routes.protected(collection, methods=["GET"], permission=read)(search)
    routes.protected(collection, methods=["POST"], permission=write, idempotent=True)(create)
    routes.batch(f"{collection}/batch", lambda principal, item: records().create(principal, item), permission=write)
    routes.protected(one, methods=["GET"], permission=read)(get)
    routes.protected(one, methods=["PUT"], permission=write)(replace)
    routes.protected(one, methods=["PATCH"], permission=write, content_types=MERGE_PATCH_TYPES)(patch)
    routes.protected(one, methods=["DELETE"], permission=write)(delete)
    routes.protected(f"{one}/restore", methods=["POST"], permission=write)(restore)
