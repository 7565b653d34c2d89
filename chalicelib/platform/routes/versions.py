"""API versions (design note 003; migration notes: docs/api/versions.md).

A versioned route is declared once, with its /v1 path, and registered three times: /v1/<path>,
/v2/<path> and the unversioned /<path>, all calling the same view and the same service. The version
a request gets is the path's, or on the unversioned path the one named by `Zebros-Version: 2` or
`Accept: application/vnd.zebros.v2+json` (v1 when neither names one). A request naming two
different versions, or one that does not exist, is 406; a version that does not exist in the path
is no route at all (404). Responses say which version answered (`Zebros-Version`), and v1's
responses of a superseded shape carry Deprecation (RFC 9745), Sunset (RFC 8594) and a Link to the
migration notes.

Only resources that have more than one version get the v2 and unversioned paths: API Gateway
counts every path segment as a resource against a quota of 300 per REST API, and a header choosing
between identical shapes would only spend that quota (docs/api/versions.md, "Paths")."""
from __future__ import annotations

import re
from dataclasses import dataclass

from chalicelib.core.errors import NotAcceptable
from chalicelib.platform.services.representations import VERSIONS

DEFAULT_VERSION = 1
LATEST_VERSION = VERSIONS[-1]
VERSION_HEADER = "Zebros-Version"
_VENDOR_TYPE = re.compile(r"application/vnd\.zebros\.v([^+;\s]*)\+json", re.IGNORECASE)
_VERSION_PATH = re.compile(r"/v(\d+)(/.*)")
MIGRATION_NOTES = "/docs/versions"
# v1's superseded shapes: deprecated since v2 shipped, removed six months later.
V1_DEPRECATED_AT = 1796083200  # 2026-12-01T00:00:00Z
V1_SUNSET = "Tue, 01 Jun 2027 00:00:00 GMT"
DEPRECATION_HEADERS = {
    "Deprecation": f"@{V1_DEPRECATED_AT}",
    "Sunset": V1_SUNSET,
    "Link": f'<{MIGRATION_NOTES}>; rel="deprecation"; type="text/html", '
    f'<{MIGRATION_NOTES}#sunset>; rel="sunset"; type="text/html"',
}


# The /v2 and unversioned paths registered for versioned routes: the v1 document leaves them out.
ALIAS_PATHS: set[str] = set()


@dataclass(frozen=True)
class Versioning:
    """How a route differs between versions. `reshaped`: its v2 bodies differ from v1's (the
    service takes `version=` and v1 answers with the deprecation headers); otherwise v2 is v1 under
    another prefix, there so a v2 client reaches the whole resource under one prefix."""

    reshaped: bool


RESHAPED = Versioning(reshaped=True)
UNCHANGED = Versioning(reshaped=False)


@dataclass(frozen=True)
class Negotiated:
    version: int
    by_accept: bool


def versioned_paths(v1_path: str) -> list[tuple[str, int | None]]:
    """The paths a versioned route answers on, each with the version its path fixes (None: the
    unversioned path, where headers choose)."""
    unversioned = _VERSION_PATH.fullmatch(v1_path)
    if unversioned is None or unversioned.group(1) != "1":
        raise ValueError(f"A versioned route is declared with its /v1 path, not {v1_path!r}.")
    rest = unversioned.group(2)
    return [*((f"/v{version}{rest}", version) for version in VERSIONS), (rest, None)]


def negotiate(path_version: int | None, headers: dict[str, str]) -> Negotiated:
    """The version of a request: the path's, else the headers', else v1. Every version the
    request names must be the same existing one (406 otherwise)."""
    named = {}
    header = headers.get(VERSION_HEADER.lower())
    if header is not None:
        named[VERSION_HEADER] = _known(header.strip(), VERSION_HEADER)
    accepted = {_known(match.group(1), "Accept") for match in _VENDOR_TYPE.finditer(headers.get("accept") or "")}
    if len(accepted) > 1:
        raise NotAcceptable("Accept names more than one version of the API; name one.", field="Accept")
    if accepted:
        named["Accept"] = accepted.pop()
    if path_version is not None:
        named["path"] = path_version
    if len(set(named.values())) > 1:
        said = ", ".join(f"{source} says {version}" for source, version in named.items())
        raise NotAcceptable(f"The request names different API versions ({said}); name one.", versions=named)
    version = next(iter(named.values()), DEFAULT_VERSION)
    return Negotiated(version, by_accept="Accept" in named)


def response_headers(negotiated: Negotiated, versioning: Versioning, unversioned: bool) -> dict[str, str]:
    """What every response of a versioned route says about its version."""
    headers = {VERSION_HEADER: str(negotiated.version)}
    if unversioned:  # one URL, several representations: caches must key on what chose one
        headers["Vary"] = f"{VERSION_HEADER}, Accept"
    if versioning.reshaped and negotiated.version < LATEST_VERSION:
        headers.update(DEPRECATION_HEADERS)
    return headers


def versioned_alias(v1_path: str, route_path: str) -> str:
    """A /v1 path (what a creation made) as the version of `route_path` (a /v2 or unversioned
    path of a versioned route) names it."""
    if not v1_path.startswith("/v1/"):
        return v1_path
    version = _VERSION_PATH.fullmatch(route_path)
    return f"/v{version.group(1)}{v1_path.removeprefix('/v1')}" if version else v1_path.removeprefix("/v1")


def version_path(v1_path: str, version: int) -> str:
    """A /v1 path (a Location) as the given version names it."""
    return f"/v{version}{v1_path.removeprefix('/v1')}" if v1_path.startswith("/v1/") else v1_path


def vendor_type(version: int) -> str:
    return f"application/vnd.zebros.v{version}+json"


def _known(value: str, source: str) -> int:
    if value.isascii() and value.isdigit() and int(value) in VERSIONS:
        return int(value)
    supported = ", ".join(str(version) for version in VERSIONS)
    raise NotAcceptable(f"{source} names API version {value[:20]!r}, which does not exist; the versions are {supported}.",
                        field=source)
