"""HTTP caching, declared with each route (`cache=` on `Routes.public/protected`, or a blueprint's
default on `Routes(...)`): the Cache-Control, Vary and validator (ETag) of every answer, and
If-None-Match answered 304 without a body (RFC 9110 13.1.2, 15.4.5; RFC 9111).

A record's ETag is its version (`requests.etag`), which If-Match names on writes; any other GET
(lists, the dashboard, the signing keys) gets a strong hash of the exact body it sends. A 304 costs
what the 200 costs in DynamoDB calls (the record's GetItem, the list's Query) and saves the body.
"""
from __future__ import annotations

import base64
import hashlib
import json
import re
from dataclasses import dataclass
from typing import Any

from chalice import Response
from chalice.app import handle_extra_types


@dataclass(frozen=True)
class CachePolicy:
    cache_control: str
    also: tuple[tuple[str, str], ...] = ()


# Tenant data: any cache may keep it only for the caller (private) and must ask again each time
# (no-cache), which costs a 304 when nothing changed.
TENANT_DATA = CachePolicy("private, no-cache")
# Tokens, sessions, password resets: never kept anywhere (RFC 6749 5.1 asks Pragma too, for old caches).
NO_STORE = CachePolicy("no-store", (("Pragma", "no-cache"),))


def public(max_age: int, immutable: bool = False) -> CachePolicy:
    """The same for every caller (signing keys, the API's description, docs assets): shared caches
    and CDNs may keep it `max_age` seconds, then revalidate with its ETag; `immutable` (RFC 8246)
    when what a URL names never changes (an asset whose name carries its digest)."""
    return CachePolicy(f"public, max-age={max_age}" + (", immutable" if immutable else ""))


# What a response varies on besides its URL: its encoding (API Gateway, or make run, compresses by
# Accept-Encoding) and, for a route behind the authorizer, the caller.
_VARY_ALWAYS = ("Accept-Encoding",)
_VARY_AUTHENTICATED = ("Authorization",)
# Fields a 304 carries (RFC 9110 15.4.5); the rest of the 200's header section is left out.
_NOT_MODIFIED_FIELDS = ("Cache-Control", "Content-Location", "Date", "ETag", "Expires", "Vary", "Pragma")
_ENTITY_TAG = r'(?:W/)?"[\x21\x23-\x7e\x80-\U0010ffff]*"'
_ENTITY_TAG_LIST = re.compile(rf"[ \t]*{_ENTITY_TAG}(?:[ \t]*,[ \t]*{_ENTITY_TAG})*[ \t]*")


def cached(
    policy: CachePolicy, method: str, request_headers: Any, response: Response, authenticated: bool
) -> Response:
    """`response` with the route's caching headers; a successful GET gets its ETag and, when
    If-None-Match names it, becomes a 304. An error is never stored: it says nothing lasting."""
    headers = response.headers
    if response.status_code >= 400:
        headers["Cache-Control"] = NO_STORE.cache_control
    else:
        headers["Cache-Control"] = policy.cache_control
        headers.update(policy.also)
    add_vary(headers, *_VARY_ALWAYS, *(_VARY_AUTHENTICATED if authenticated else ()))
    if method != "GET" or response.status_code != 200:
        return response
    if "ETag" not in headers:
        response.body = serialized(response.body)
        headers["ETag"] = body_etag(response.body)
    if none_match(request_headers.get("if-none-match"), headers["ETag"]):
        kept = {name: headers[name] for name in _NOT_MODIFIED_FIELDS if name in headers}
        return Response(body="", status_code=304, headers=kept)
    return response


def serialized(body: Any) -> str | bytes:
    """The body as Chalice would send it (same separators, same encoder), so what is hashed is sent."""
    if isinstance(body, (str, bytes)):
        return body
    return json.dumps(body, separators=(",", ":"), default=handle_extra_types)


def body_etag(body: str | bytes) -> str:
    data = body.encode() if isinstance(body, str) else body
    digest = hashlib.sha256(data).digest()[:16]
    return '"' + base64.urlsafe_b64encode(digest).rstrip(b"=").decode() + '"'


def none_match(if_none_match: str | None, current: str) -> bool:
    """RFC 9110 13.1.2: "*" or any listed entity-tag weakly equal to `current`. A value that is no
    entity-tag list is ignored, as if absent: the client gets the full answer."""
    if if_none_match is None:
        return False
    if if_none_match.strip() == "*":
        return True
    if not _ENTITY_TAG_LIST.fullmatch(if_none_match):
        return False
    opaque = current.removeprefix("W/")
    return any(tag.removeprefix("W/") == opaque for tag in re.findall(_ENTITY_TAG, if_none_match))


def add_vary(headers: dict[str, Any], *names: str) -> None:
    """Adds `names` to the Vary field, keeping what is there (another layer's Origin, a version header)."""
    present = [part.strip() for part in str(headers.get("Vary", "")).split(",") if part.strip()]
    lowered = {part.lower() for part in present}
    present += [name for name in names if name.lower() not in lowered]
    headers["Vary"] = ", ".join(present)
