"""Route declaration. A route states its path, methods and the permission it needs in one line;
the wrapper checks the permission and the path ids, maps domain errors to problem+json and never
leaks a trace."""
from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterable
from typing import Any

from chalice import Blueprint, Response

from chalicelib.core.errors import DomainError, NotFound, ServiceUnavailable
from chalicelib.core.ids import ID_PATTERN
from chalicelib.observability import count, logger
from chalicelib.platform.routes.contracts import FREE_FORM, Contract, Declaration, SchemaRef, resolve
from chalicelib.platform.routes.idempotency import replay_or_run
from chalicelib.platform.routes.problems import problem, problem_from_error
from chalicelib.platform.routes.requests import ApiRequest, principal_from_authorizer

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


class Routes:
    def __init__(self, blueprint: Blueprint, authorizer: Any = None, path_ids: dict[str, str] | None = None) -> None:
        """Every path parameter is an id new_id() minted unless `path_ids` gives its shape (a regular
        expression), e.g. {"currency": "[A-Z]{3}"}. A value of another shape cannot name anything, so
        it is a 404 before any data call (an empty or 2,000-character id would otherwise reach
        DynamoDB as a key it refuses)."""
        self.blueprint = blueprint
        self.authorizer = authorizer
        self.path_ids = {name: re.compile(pattern) for name, pattern in (path_ids or {}).items()}

    def public(self, path: str, methods: Iterable[str] = ("GET",), **options: Any) -> Callable[[View], View]:
        return self._register(path, methods, permission=None, **options)

    def protected(
        self, path: str, methods: Iterable[str], permission: str, **options: Any
    ) -> Callable[[View], View]:
        return self._register(path, methods, permission=permission, **options)

    def batch(
        self, path: str, create: Callable[..., dict[str, Any]], permission: str, item: SchemaRef = FREE_FORM,
        operation_id: str | None = None,
    ) -> None:
        """POST <path>: {"items": [...]} -> {"results": [...]}, one `create(principal, item)` each;
        `item` is the schema of one item (the creation's body)."""
        from chalicelib.platform.services.batch import create_each

        def create_many(request: ApiRequest) -> Response:
            return json_response(create_each(request.principal, request.json(), create))

        create_many.__name__ = f"batch_{path.strip('/').replace('/', '_')}"
        contract = Contract(body=batch_body(item), responses={200: BATCH_RESULTS}, operation_id=operation_id)
        self._register(path, ["POST"], permission=permission, idempotent=True, contract=contract)(create_many)

    def _register(
        self,
        path: str,
        methods: Iterable[str],
        permission: str | None,
        idempotent: bool = False,
        content_types: list[str] | None = None,
        api_key_required: bool = False,
        contract: Contract | None = None,
    ) -> Callable[[View], View]:
        """`contract`: what the route takes and gives beyond what these arguments say (contracts.py);
        the OpenAPI document is generated from both."""
        blueprint = self.blueprint

        def decorator(view: View) -> View:
            @functools.wraps(view)
            def handler(**path_params: str) -> Response:
                raw = blueprint.current_request
                try:
                    caller = None
                    if permission is not None:
                        caller = principal_from_authorizer(raw.context)
                        caller.require(permission)
                    self._check_path_ids(path_params)
                    request = ApiRequest(raw, caller)
                    if idempotent:
                        return replay_or_run(request, lambda: view(request, **path_params))
                    return view(request, **path_params)
                except DomainError as error:
                    return problem_from_error(error)
                except Exception as error:
                    return problem_from_unexpected(error)

            blueprint.route(
                path,
                methods=list(methods),
                authorizer=self.authorizer if permission is not None else None,
                content_types=content_types or JSON_TYPES,
                api_key_required=api_key_required,
            )(handler)
            handler.permission = permission  # type: ignore[attr-defined]
            handler.declarations = {  # type: ignore[attr-defined]
                method: Declaration(
                    path, method, view.__name__, permission, idempotent, api_key_required,
                    tuple(content_types or JSON_TYPES), self.path_ids, contract or Contract(),
                )
                for method in methods
            }
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


def json_response(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return Response(body=body, status_code=status, headers={"Content-Type": "application/json", **(headers or {})})


def no_content() -> Response:
    return Response(body="", status_code=204)
