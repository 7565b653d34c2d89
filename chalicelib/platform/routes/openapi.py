"""The OpenAPI 3.1 document of the API, generated from the route table: each route's declaration
(`Routes` and its `Contract`, platform/routes/contracts.py) and the schemas its services validate
with. Served at GET /v1/openapi.json, generated once per process.

A version of the API is a `DocumentView` of the same routes: which paths it shows, under which
prefix, and how it transforms each schema (a /v2 view of a resource shows its v2 shapes). `VIEWS`
holds the views by version; `openapi_document(routes, version)` builds one.
"""
from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from chalice import Blueprint, Response

from chalicelib.core.cursors import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE
from chalicelib.core.documents import NUMBER_LIMITS
from chalicelib.core.ids import ID_PATTERN
from chalicelib.platform.routes.caching import public
from chalicelib.platform.routes.contracts import FREE_FORM, Contract, Declaration, query_of, resolve
from chalicelib.platform.routes.idempotency import KEY_PATTERN, MAX_KEY_LENGTH
from chalicelib.platform.routes.problems import PROBLEM_JSON
from chalicelib.platform.routes.routing import Routes
from chalicelib.platform.routes.versions import ALIAS_PATHS, LATEST_VERSION, VERSION_HEADER
from chalicelib.platform.services.roles import API_KEY_PERMISSIONS

OPENAPI_VERSION = "3.1.0"
# OpenAPI 3.1's own dialect: JSON Schema 2020-12 plus the OpenAPI vocabulary, so the services'
# 2020-12 schemas mean the same under it. Stated explicitly, and not 2020-12's URI, because Swagger
# UI (GET /docs) renders other dialects with a warning that they are not supported.
JSON_SCHEMA_DIALECT = "https://spec.openapis.org/oas/3.1/dialect/base"
# The document changes only with a deployment; a day's caching spares every docs page load a request.
A_DAY = public(max_age=86400)

# Any JSON value a request body may hold, where a body takes any (a batch's items, each refused on
# its own): core.documents.parse_json refuses, for the whole request, a number DynamoDB cannot store.
JSON_VALUE: dict[str, Any] = {
    "type": ["object", "array", "string", "number", "boolean", "null"],
    **NUMBER_LIMITS,
    "items": {"$ref": "#/components/schemas/JsonValue"},
    "additionalProperties": {"$ref": "#/components/schemas/JsonValue"},
}
PROBLEM: dict[str, Any] = {
    "type": "object",
    "description": "RFC 9457 problem details. `errors` lists every invalid field of a refused body at once.",
    "required": ["type", "title", "status", "detail"],
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer", "minimum": 400, "maximum": 599},
        "detail": {"type": "string"},
        "field": {"type": "string"},
        "errors": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["field", "message"],
                "properties": {"field": {"type": "string"}, "message": {"type": "string"}},
            },
        },
    },
    "additionalProperties": True,
}
SECURITY_SCHEMES = {
    "bearerAuth": {
        "type": "http",
        "scheme": "bearer",
        "bearerFormat": "JWT",
        "description": "An access token from POST /v1/auth/login (ES256, 15 minutes). Scopes name the permission.",
    },
    "apiKey": {
        "type": "apiKey", "in": "header", "name": "x-api-key",
        "description": "An API key of a usage plan, or an organization's API key (zk_..., POST /v1/api-keys), which "
                       "stands for a bearer token on every route whose permission a key may hold.",
    },
}
REASONS = {
    400: "The request is malformed (body, query parameter, header).",
    401: "No valid access token.",
    403: "The caller's role lacks the permission, or the API key is missing or unknown.",
    404: "Nothing with this id in the caller's organization.",
    409: "The request conflicts with the resource's state.",
    412: "If-Match names no current version.",
    413: "The body is too large.",
    415: "The body is not JSON.",
    422: "The body is well-formed but invalid; `errors` names each field.",
    428: "If-Match is required.",
    429: "Rate limit or quota exceeded.",
    503: "Briefly unavailable; send the request again (Retry-After).",
}
# Every successful GET answers one (platform/routes/caching.py): a record's version, else a hash of the body.
ETAG = {"schema": {"type": "string"}, "description": "The entity tag to send back in If-None-Match (or If-Match)."}
_PATH_PARAMETER = re.compile(r"{([^}]+)}")


@dataclass(frozen=True)
class DocumentView:
    """One version's document: the routes it shows (`includes(path)`), the prefix they are shown
    under (`/v1` -> `prefix`), and a transform of every schema it shows (`transform(schema, name)`,
    with `name` the component's name or None for an inline schema)."""

    version: str
    title: str = "Zebros API"
    prefix: str = "/v1"
    includes: Callable[[str], bool] = lambda path: True
    transform: Callable[[Any, str | None], Any] = lambda schema, name: schema
    # Components every view shows (a record's view, by name), filled in by record_routes.
    components: Mapping[str, Any] = field(default_factory=dict)


# Record views and other shared schemas by component name, registered where routes are declared
# (record_routes) and resolved only when a document is generated.
COMPONENTS: dict[str, Any] = {}


def _in_version_2(schema: Any, name: str | None) -> Any:
    """v2 shows a reshaped record's own view (`Customer` -> `CustomerV2`) wherever v1 shows its
    v1 view: in pages, in other routes' responses (merge, a company's contacts)."""
    text = json.dumps(schema)
    for component in COMPONENTS:
        if f"{component}V2" in COMPONENTS:
            text = text.replace(f'"#/components/schemas/{component}"', f'"#/components/schemas/{component}V2"')
    return json.loads(text)


# One document per API version (platform/routes/versions.py): v1 shows the /v1 paths and the
# routes that have no other version; v2 the /v2 paths, and the unversioned ones with the
# `Zebros-Version: 2` that makes them v2.
VIEWS: dict[str, DocumentView] = {
    "v1": DocumentView("v1", includes=lambda path: path not in ALIAS_PATHS and not path.startswith("/v2/")),
    "v2": DocumentView(
        "v2", prefix="/v2", includes=lambda path: path in ALIAS_PATHS or path.startswith("/v2/"), transform=_in_version_2
    ),
}


def declarations(routes: Mapping[str, Mapping[str, Any]]) -> list[Declaration]:
    """The declaration of each route of a Chalice route table (`app.routes`), in path order. A
    route registered without `Routes` (make run's mailbox) has none and is not part of the API."""
    found = []
    for path in sorted(routes):
        for method, entry in sorted(routes[path].items()):
            declared = getattr(entry.view_function, "declarations", {}).get(method)
            if declared is not None:
                found.append(declared)
    return found


def undeclared(routes: Mapping[str, Mapping[str, Any]]) -> list[str]:
    return sorted(
        f"{method} {path}"
        for path, methods in routes.items()
        for method, entry in methods.items()
        if method not in getattr(entry.view_function, "declarations", {})
    )


def openapi_document(routes: Mapping[str, Mapping[str, Any]], version: str = "v1") -> dict[str, Any]:
    view = VIEWS[version]
    paths: dict[str, dict[str, Any]] = {}
    for declared in declarations(routes):
        if not view.includes(declared.path):
            continue
        shown_path = _shown_path(declared.path, view)
        paths.setdefault(shown_path, {})[declared.method.lower()] = _operation(declared, view)
    _add_links(paths)
    components = {"Problem": PROBLEM, "JsonValue": JSON_VALUE, **{name: resolve(schema) for name, schema in COMPONENTS.items()}}
    document = {
        "openapi": OPENAPI_VERSION,
        "jsonSchemaDialect": JSON_SCHEMA_DIALECT,
        "info": {
            "title": view.title,
            "version": view.version,
            "description": "The Zebros API, generated from the routes' declarations (docs/architecture.md, API contract).",
        },
        "servers": [{"url": "/", "description": "This deployment"}],
        "tags": [{"name": tag} for tag in sorted({op["tags"][0] for ops in paths.values() for op in ops.values()})],
        "paths": paths,
        "components": {
            "schemas": {name: view.transform(schema, name) for name, schema in components.items()},
            "securitySchemes": SECURITY_SCHEMES,
        },
    }
    # Service schemas hold tuples (enums) and may share objects: the JSON round trip makes the
    # document plain data, as served.
    return json.loads(json.dumps(document))


def _shown_path(path: str, view: DocumentView) -> str:
    return view.prefix + path.removeprefix("/v1") if path.startswith("/v1/") else path


def _operation(declared: Declaration, view: DocumentView) -> dict[str, Any]:
    contract = declared.contract
    operation: dict[str, Any] = {
        "operationId": contract.operation_id or declared.view_name,
        "tags": [contract.tag or _resource_of(declared.path)],
    }
    if contract.summary:
        operation["summary"] = contract.summary
    parameters = _parameters(declared)
    if parameters:
        operation["parameters"] = parameters
    if contract.body is not None:
        schema = view.transform(resolve(contract.body), None)
        operation["requestBody"] = {
            "required": contract.body_required,
            "content": {content_type: {"schema": schema} for content_type in declared.content_types},
        }
    operation["responses"] = _responses(declared, view)
    if declared.permission is not None:
        operation["x-permission"] = declared.permission
        requirement = {"bearerAuth": [declared.permission]}
        operation["security"] = [{**requirement, "apiKey": []} if declared.api_key_required else requirement]
        if declared.permission in API_KEY_PERMISSIONS:
            operation["security"].append({"apiKey": []})  # an organization's API key instead of a token
    else:
        operation["security"] = [{"apiKey": []}] if declared.api_key_required else []
    operation["x-idempotent"] = declared.idempotent or declared.method in ("GET", "PUT", "DELETE")
    if contract.created:
        operation["x-created"] = (_shown_path(contract.created, view), contract.created_id)
    return operation


def _resource_of(path: str) -> str:
    parts = [part for part in path.split("/") if part]
    return parts[1] if parts[0] == "v1" and len(parts) > 1 else parts[0]


def _parameters(declared: Declaration) -> list[dict[str, Any]]:
    contract = declared.contract
    parameters = []
    for name in _PATH_PARAMETER.findall(declared.path):
        pattern = declared.path_ids[name].pattern if name in declared.path_ids else ID_PATTERN
        shape = {"type": "string", "pattern": f"^(?:{pattern})$"}
        parameters.append({"name": name, "in": "path", "required": True, "schema": shape})
    if contract.pages:
        parameters += [
            {
                "name": "limit", "in": "query",
                "schema": {"type": "integer", "minimum": 1, "maximum": MAX_PAGE_SIZE, "default": DEFAULT_PAGE_SIZE},
            },
            {"name": "cursor", "in": "query", "schema": {"type": "string"}, "description": "The previous page's next_cursor."},
        ]
    for name, schema in query_of(contract).items():
        parameter = {"name": name, "in": "query", "schema": resolve(schema)}
        parameters.append({**parameter, "required": True} if name in contract.required_query else parameter)
    if contract.if_match:
        parameters.append({
            "name": "If-Match", "in": "header", "required": contract.if_match == "required",
            "schema": {"type": "string"}, "description": 'The ETag last read ("3"), or "*".',
        })  # fmt: skip
    if declared.method == "GET":
        parameters.append({
            "name": "If-None-Match", "in": "header", "required": False, "schema": {"type": "string"},
            "description": 'ETags the client holds ("3"); 304 with no body when one is still current.',
        })  # fmt: skip
    if declared.path in ALIAS_PATHS and not declared.path.startswith("/v"):
        parameters.append({
            "name": VERSION_HEADER, "in": "header", "required": True, "schema": {"type": "string", "enum": [str(LATEST_VERSION)]},
            "description": "The API version of an unversioned path (or Accept: application/vnd.zebros.v2+json).",
        })  # fmt: skip
    if declared.idempotent:
        parameters.append({
            "name": "Idempotency-Key", "in": "header", "required": False,
            "schema": {"type": "string", "minLength": 1, "maxLength": MAX_KEY_LENGTH, "pattern": KEY_PATTERN},
            "description": "A retried request with the same key and body gets the first response, not a second write.",
        })  # fmt: skip
    return parameters


def _error_statuses(declared: Declaration) -> set[int]:
    """The statuses a route can answer besides its successes, from what the route reads."""
    contract = declared.contract
    statuses = {415, 429, 503, *contract.errors}  # Chalice checks Content-Type on every route
    if declared.permission is not None:
        statuses |= {401, 403}
    if declared.api_key_required:
        statuses.add(403)
    if "{" in declared.path:
        statuses.add(404)
    if contract.body is not None:
        statuses |= {400, 413, 422}
    if contract.pages or query_of(contract):
        statuses.add(400)
    if declared.idempotent:
        statuses |= {400, 409, 422}
    if contract.if_match:
        statuses |= {400, 412}
    if contract.if_match == "required":
        statuses.add(428)
    return statuses


def _responses(declared: Declaration, view: DocumentView) -> dict[str, Any]:
    contract = declared.contract
    responses: dict[str, Any] = {}
    for status, schema in (contract.responses or {200: FREE_FORM}).items():
        response: dict[str, Any] = {"description": "Success."}
        if schema is not None:
            shown = view.transform(resolve(schema), None)
            response["content"] = {media_type: {"schema": shown} for media_type in contract.media_types}
        headers = {name: {"schema": {"type": "string"}, "description": text} for name, text in contract.response_headers.items()}
        if declared.method == "GET":
            headers["ETag"] = ETAG
        if headers and schema is not None:
            response["headers"] = headers
        responses[str(status)] = response
    if declared.method == "GET":
        responses["304"] = {"description": "Not modified: If-None-Match names the current ETag.", "headers": {"ETag": ETAG}}
    problem = {PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/Problem"}}}
    for status in sorted(_error_statuses(declared)):
        # A refusal the route states in a body of its own as well (a GraphQL request error) keeps it.
        own = responses.get(str(status), {}).get("content", {})
        responses[str(status)] = {"description": REASONS.get(status, "Refused."), "content": {**problem, **own}}
    return responses


def _add_links(paths: dict[str, dict[str, Any]]) -> None:
    """From each creation to every operation on what it created: the created id is a field of the
    response (`id`), the other path ids those of the creating request (stateful fuzzing chains these)."""
    for path, operations in paths.items():
        for operation in operations.values():
            created, created_id_field = operation.pop("x-created", (None, None))
            if created is None:
                continue
            created_id = _PATH_PARAMETER.findall(created)[-1]
            known = {created_id, *_PATH_PARAMETER.findall(path)}
            links = {}
            for target_path, targets in paths.items():
                if target_path != created and not target_path.startswith(created + "/"):
                    continue
                if not set(_PATH_PARAMETER.findall(target_path)) <= known:
                    continue  # it needs an id the creation neither made nor was given (a campaign's member)
                for target in targets.values():
                    parameters = {
                        name: f"$response.body#/{created_id_field}" if name == created_id else f"$request.path.{name}"
                        for name in _PATH_PARAMETER.findall(target_path)
                    }
                    links[target["operationId"]] = {"operationId": target["operationId"], "parameters": parameters}
            success = next(status for status in operation["responses"] if status.startswith("2"))
            operation["responses"][success]["links"] = links


openapi_blueprint = Blueprint(__name__)
routes = Routes(openapi_blueprint)
_documents: dict[str, str] = {}


def served_document(version: str) -> Response:
    """The document of `version`, generated on its first request and kept for the process."""
    if version not in _documents:
        _documents[version] = json.dumps(openapi_document(openapi_blueprint.current_app.routes, version))
    return Response(
        body=_documents[version],
        status_code=200,
        headers={"Content-Type": "application/json"},
    )


@routes.public("/v1/openapi.json", cache=A_DAY, contract=Contract(responses={200: FREE_FORM}, tag="meta", summary="This document."))
def openapi_json(request):
    return served_document("v1")


@routes.public("/v2/openapi.json", cache=A_DAY, contract=Contract(responses={200: FREE_FORM}, tag="meta", summary="API v2's document."))
def openapi_json_v2(request):
    return served_document("v2")
