"""/v1/sync: offline sync for mobile clients. GET pulls what changed since a cursor (or a snapshot
to start from) of the kinds the caller may read; see platform/services/sync.py and docs/sync.md.

Any signed-in member may sync: each kind is filtered by its own read permission, which the service
checks, so the route declares the permission every member holds."""
from __future__ import annotations

import re
from datetime import datetime
from typing import Any
from email.utils import format_datetime, parsedate_to_datetime

from chalice import Blueprint, Response

from chalicelib.core.cursors import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, parse_page_size
from chalicelib.core.lazy import lazy_module
from chalicelib.platform.routes.authorizer import jwt_authorizer
from chalicelib.platform.routes.contracts import FREE_FORM, Contract
from chalicelib.platform.routes.routing import Routes, json_response
from chalicelib.platform.services.roles import SESSION

kinds = lazy_module("chalicelib.platform.kinds")
sync = lazy_module("chalicelib.platform.services.sync")
sync_blueprint = Blueprint(__name__)
routes = Routes(sync_blueprint, jwt_authorizer)
CHANGE = {
    "type": "object",
    "required": ["kind", "id", "op", "version", "record"],
    "properties": {
        "kind": {"type": "string", "description": "The record's REST collection (`customers`, `kb/articles`)."},
        "id": {"type": "string"},
        "op": {"enum": ["upsert", "delete"]},
        "version": {"type": "integer"},
        "record": {"oneOf": [FREE_FORM, {"type": "null"}], "description": "As its REST GET answers it; null for a delete."},
    },
}
PULLED = {
    "type": "object",
    "required": ["changes", "next_cursor", "has_more"],
    "properties": {
        "changes": {"type": "array", "items": CHANGE},
        "next_cursor": {"type": "string", "description": "Where to go on from: the next request's `since`."},
        "has_more": {"type": "boolean"},
    },
}


def pull_query() -> dict[str, Any]:
    """The pull's parameters; `kinds` names the registered kinds (loaded with the document, not at import)."""
    one_kind = "|".join(re.escape(name) for name in kinds.record_kinds())
    return {
        "since": {"type": "string", "description": "The previous page's next_cursor; none for a snapshot."},
        "kinds": {
            "type": "string", "pattern": f"^(?:{one_kind})(?:,(?:{one_kind}))*$",
            "description": "Comma-separated collections; all the caller may read by default.",
        },
        "limit": {"type": "integer", "minimum": 1, "maximum": MAX_PAGE_SIZE, "default": DEFAULT_PAGE_SIZE},
    }  # fmt: skip


@routes.protected(
    "/v1/sync", methods=["GET"], permission=SESSION,
    contract=Contract(query=pull_query, responses={200: PULLED}, errors=(410,), response_headers={"Last-Modified": "When the feed last moved."}),
)  # fmt: skip
def pull_changes(request):
    pulled = sync.pull(
        request.principal,
        request.query("since"),
        request.query("kinds"),
        parse_page_size(request.query("limit")),
        _http_date(request.header("If-Modified-Since")),
    )
    headers = {}
    if pulled.last_modified is not None:
        headers["Last-Modified"] = format_datetime(pulled.last_modified.replace(microsecond=0), usegmt=True)
    if pulled.page is None:
        return Response(body="", status_code=304, headers=headers)
    return json_response(pulled.page, headers=headers)


def _http_date(value: str | None) -> datetime | None:
    """An If-Modified-Since that is not a valid HTTP date is ignored (RFC 9110, 13.1.3)."""
    if not value:
        return None
    try:
        parsed = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return parsed if parsed.tzinfo is not None else None
