"""Route declaration. A route states its path, methods, the permission it needs and how it may be
cached in one line; the wrapper checks the permission and the path ids, maps domain errors to
problem+json, never leaks a trace, and sets the caching headers (caching.py)."""
from __future__ import annotations

import dataclasses
import functools
import re
from collections.abc import Callable, Iterable
from contextlib import AbstractContextManager, nullcontext
from typing import Any

from chalice import Blueprint, Response

from chalicelib.core.errors import DomainError, NotFound, ServiceUnavailable
from chalicelib.core.ids import ID_PATTERN
from chalicelib.core.lazy import lazy_module
from chalicelib.observability import count, logger
from chalicelib.platform.routes.contracts import FREE_FORM, Contract, Declaration, SchemaRef, resolve
from chalicelib.platform.routes.caching import NO_STORE, TENANT_DATA, CachePolicy, cached
from chalicelib.platform.routes.idempotency import replay_or_run
from chalicelib.platform.routes.rate_limits import RATE_LIMIT_HEADERS, metered
from chalicelib.platform.routes.problems import problem, problem_from_error
from chalicelib.platform.routes.requests import ApiRequest, principal_from_authorizer
from chalicelib.platform.routes.versions import (
    ALIAS_PATHS,
    DEFAULT_VERSION,
    LATEST_VERSION,
    Negotiated,
    Versioning,
    negotiate,
    response_headers,
    vendor_type,
    versioned_alias,
    versioned_paths,
)

JSON_TYPES = ["application/json"]
# The schema of one batch response (platform/services/batch.py): a result per item, in order.
BATCH_RESULTS = {
    "type": "object",
    "required": ["results"],
    "properties": {
        "results": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["status"],
                "properties": {
                    "status": {"type": "integer"},
                    "id": {"type": "string"},
                    "error": {"type": "object", "required": ["title", "detail"], "additionalProperties": True},
                },
            },
        }
    },
}
View = Callable[..., Response]
_MINTED_ID = re.compile(ID_PATTERN)
_teams = lazy_module("chalicelib.platform.services.teams")


def _record_visibility(caller: Any) -> AbstractContextManager[None]:
    """What the caller's teams let them see (services/teams.py); nothing to narrow on a public route."""
    return nullcontext() if caller is None else _teams.record_visibility(caller)


class Routes:
    def __init__(
        self,
        blueprint: Blueprint,
        authorizer: Any = None,
        path_ids: dict[str, str] | None = None,
        cache: CachePolicy | None = None,
    ) -> None:
        """Every path parameter is an id new_id() minted unless `path_ids` gives its shape (a regular
        expression), e.g. {"currency": "[A-Z]{3}"}. A value of another shape cannot name anything, so
        it is a 404 before any data call (an empty or 2,000-character id would otherwise reach
        DynamoDB as a key it refuses).

        `cache` is how the blueprint's routes may be cached unless a route says otherwise
        (`cache=` on `public`/`protected`). Without either, a protected route is tenant data
        (`private, no-cache`) and a public one is not stored (`no-store`): a public route that may
        be cached says so, e.g. `cache=caching.public(max_age=300)`."""
        self.blueprint = blueprint
        self.authorizer = authorizer
        self.path_ids = {name: re.compile(pattern) for name, pattern in (path_ids or {}).items()}
        self.cache = cache

    def public(self, path: str, methods: Iterable[str] = ("GET",), **options: Any) -> Callable[[View], View]:
        return self._register(path, methods, permission=None, **options)

    def protected(
        self, path: str, methods: Iterable[str], permission: str, **options: Any
    ) -> Callable[[View], View]:
        return self._register(path, methods, permission=permission, **options)

    def batch(
        self, path: str, create: Callable[..., dict[str, Any]], permission: str, item: SchemaRef = FREE_FORM,
        operation_id: str | None = None, versioning: Versioning | None = None,
        item_of_version: Callable[[int], SchemaRef] | None = None,
    ) -> None:
        """POST <path>: {"items": [...]} -> {"results": [...]}, one `create(request, item)` each
        (the request gives the caller and the API version); `item` is the schema of one item (the
        creation's body), or `item_of_version(version)` where it differs between versions. Each
        batch is one use of the caller's daily `records.batch` quota (a replay of it is not)."""
        from chalicelib.platform.services.batch import create_each

        @metered("records.batch")
        def create_many(request: ApiRequest) -> Response:
            return json_response(create_each(request.principal, request.json(), lambda _, item: create(request, item)))

        create_many.__name__ = f"batch_{path.strip('/').replace('/', '_')}"

        def contract(version: int) -> Contract:
            shape = item_of_version(version) if item_of_version is not None else item
            return Contract(
                body=batch_body(shape), responses={200: BATCH_RESULTS}, operation_id=operation_id,
                response_headers=RATE_LIMIT_HEADERS,
            )  # fmt: skip

        self._register(
            path, ["POST"], permission=permission, idempotent=True, contract=contract, versioning=versioning
        )(create_many)

    def _register(
        self,
        path: str,
        methods: Iterable[str],
        permission: str | None,
        idempotent: bool = False,
        content_types: list[str] | None = None,
        api_key_required: bool = False,
        contract: Contract | Callable[[int], Contract] | None = None,
        versioning: Versioning | None = None,
        cache: CachePolicy | None = None,
    ) -> Callable[[View], View]:
        """`contract`: what the route takes and gives beyond what these arguments say (contracts.py),
        or a function of the API version giving it; the OpenAPI documents are generated from both.
        `versioning`: the route, declared with its /v1 path, also answers on /v2 and unversioned
        (platform/routes/versions.py); the view reads the chosen version as `request.version`."""
        blueprint = self.blueprint
        policy = cache or self.cache or (NO_STORE if permission is None else TENANT_DATA)

        def decorator(view: View) -> View:
            def register(route_path: str, path_version: int | None, name: str) -> None:
                @functools.wraps(view)
                def handler(**path_params: str) -> Response:
                    raw = blueprint.current_request
                    negotiated = None
                    try:
                        if versioning is not None:
                            negotiated = negotiate(path_version, raw.headers)
                        caller = None
                        if permission is not None:
                            caller = principal_from_authorizer(raw.context)
                            caller.require(permission)
                        self._check_path_ids(path_params)
                        request = ApiRequest(raw, caller, negotiated.version if negotiated else DEFAULT_VERSION)
                        # Team-owned records the caller may not see are missing to every route.
                        with _record_visibility(caller):
                            if idempotent:
                                response = replay_or_run(request, lambda: view(request, **path_params))
                            else:
                                response = view(request, **path_params)
                    except DomainError as error:
                        response = problem_from_error(error)
                    except Exception as error:
                        response = problem_from_unexpected(error)
                    if negotiated is not None:
                        _say_version(response, negotiated, versioning, unversioned=path_version is None)
                    return cached(policy, raw.method, raw.headers, response, authenticated=permission is not None)

                handler.__name__ = name
                blueprint.route(
                    route_path,
                    methods=list(methods),
                    authorizer=self.authorizer if permission is not None else None,
                    content_types=content_types or JSON_TYPES,
                    api_key_required=api_key_required,
                )(handler)
                handler.permission = permission  # type: ignore[attr-defined]
                # The unversioned path is documented in the latest version's document.
                shown = contract_of(path_version or LATEST_VERSION, route_path, name)
                handler.declarations = {  # type: ignore[attr-defined]
                    method: Declaration(
                        route_path, method, name, permission, idempotent, api_key_required,
                        tuple(content_types or JSON_TYPES), self.path_ids, shown,
                    )
                    for method in methods
                }  # fmt: skip
                handler.cache = policy  # type: ignore[attr-defined]

            def contract_of(version: int, route_path: str, name: str) -> Contract:
                declared = (contract(version) if callable(contract) else contract) or Contract()
                if route_path == path:
                    return declared
                # Another version's path: its own operationId, and links to what it created there.
                suffix = name.removeprefix(view.__name__)
                return dataclasses.replace(
                    declared,
                    operation_id=declared.operation_id and declared.operation_id + suffix,
                    created=declared.created and versioned_alias(declared.created, route_path),
                )

            if versioning is None:
                register(path, 1, view.__name__)  # one version: v1's contract, and no negotiation
            else:
                for route_path, path_version in versioned_paths(path):
                    suffix = "" if path_version == 1 else f"_v{path_version}" if path_version else "_unversioned"
                    register(route_path, path_version, f"{view.__name__}{suffix}")
                    if route_path != path:
                        ALIAS_PATHS.add(route_path)
            return view

        return decorator

    def _check_path_ids(self, path_params: dict[str, str]) -> None:
        for name, value in path_params.items():
            if not self.path_ids.get(name, _MINTED_ID).fullmatch(value):
                raise NotFound(f"No {name.removesuffix('_id').replace('_', ' ')} with this id.")


def batch_body(item: SchemaRef) -> Callable[[], dict[str, Any]]:
    """{"items": [...]}, as BATCH_SCHEMA takes it (platform/services/batch.py). An item that is not a
    valid creation body is refused alone, in its result, so the body schema takes any JSON value
    for an item (the OpenAPI document's JsonValue); `x-item-schema` says what a creation takes."""

    def schema() -> dict[str, Any]:
        from chalicelib.platform.services.batch import BATCH_SCHEMA

        items = {**BATCH_SCHEMA["properties"]["items"], "items": {**resolve("#JsonValue"), "x-item-schema": resolve(item)}}
        return {**BATCH_SCHEMA, "properties": {"items": items}}

    return schema


def problem_from_unexpected(error: Exception) -> Response:
    """503 with Retry-After when DynamoDB stayed throttled or unreachable through the retries;
    anything else is a bug: logged, and a plain 500 without internals."""
    from chalicelib.platform.tables.base import temporarily_unavailable

    if temporarily_unavailable(error):
        logger.warning("DynamoDB unavailable after retries", exc_info=error)
        count("DynamoDBUnavailable")
        return problem_from_error(ServiceUnavailable())
    logger.exception("Unhandled error")
    return problem(500, "Internal Server Error", "The server failed to process the request.")


def _say_version(response: Response, negotiated: Negotiated, versioning: Versioning, unversioned: bool) -> None:
    response.headers.update(response_headers(negotiated, versioning, unversioned))
    if negotiated.by_accept and response.headers.get("Content-Type") == "application/json":
        response.headers["Content-Type"] = vendor_type(negotiated.version)


def json_response(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return Response(body=body, status_code=status, headers={"Content-Type": "application/json", **(headers or {})})


def no_content() -> Response:
    return Response(body="", status_code=204)
