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
from chalicelib.platform.routes.idempotency import replay_or_run
from chalicelib.platform.routes.problems import problem, problem_from_error
from chalicelib.platform.routes.requests import ApiRequest, principal_from_authorizer
from chalicelib.platform.routes.versions import (
    DEFAULT_VERSION,
    Negotiated,
    Versioning,
    negotiate,
    response_headers,
    vendor_type,
    versioned_paths,
)

JSON_TYPES = ["application/json"]
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
        self, path: str, create: Callable[..., dict[str, Any]], permission: str, versioning: Versioning | None = None
    ) -> None:
        """POST <path>: {"items": [...]} -> {"results": [...]}, one `create(request, item)` each
        (the request gives the caller and the API version)."""
        from chalicelib.platform.services.batch import create_each

        def create_many(request: ApiRequest) -> Response:
            return json_response(create_each(request.principal, request.json(), lambda _, item: create(request, item)))

        create_many.__name__ = f"batch_{path.strip('/').replace('/', '_')}"
        self._register(path, ["POST"], permission=permission, idempotent=True, versioning=versioning)(create_many)

    def _register(
        self,
        path: str,
        methods: Iterable[str],
        permission: str | None,
        idempotent: bool = False,
        content_types: list[str] | None = None,
        api_key_required: bool = False,
        versioning: Versioning | None = None,
    ) -> Callable[[View], View]:
        """`versioning`: the route, declared with its /v1 path, also answers on /v2 and unversioned
        (platform/routes/versions.py); the view reads the chosen version as `request.version`."""
        blueprint = self.blueprint

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
                    return response

                handler.__name__ = name
                blueprint.route(
                    route_path,
                    methods=list(methods),
                    authorizer=self.authorizer if permission is not None else None,
                    content_types=content_types or JSON_TYPES,
                    api_key_required=api_key_required,
                )(handler)
                handler.permission = permission  # type: ignore[attr-defined]

            if versioning is None:
                register(path, None, view.__name__)
            else:
                for route_path, path_version in versioned_paths(path):
                    suffix = "" if path_version == 1 else f"_v{path_version}" if path_version else "_unversioned"
                    register(route_path, path_version, f"{view.__name__}{suffix}")
            return view

        return decorator

    def _check_path_ids(self, path_params: dict[str, str]) -> None:
        for name, value in path_params.items():
            if not self.path_ids.get(name, _MINTED_ID).fullmatch(value):
                raise NotFound(f"No {name.removesuffix('_id').replace('_', ' ')} with this id.")


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
