"""Limits declared on a route: `@limited_per_address("auth.login")` under `routes.public(...)`
counts each request against its client address, `@metered("records.batch")` under
`routes.protected(...)` against the caller's daily quota of the action (platform/services/quotas.py),
before the view runs; either puts `RateLimit-Policy` and `RateLimit` on the answer, whatever its
status (the 429 included). A refused request never reaches the view, so it writes nothing.

The address is the one API Gateway saw the connection come from (`requestContext.identity.sourceIp`;
chalice local and `make run` give 127.0.0.1), never a header such as X-Forwarded-For, which any
client can write."""
from __future__ import annotations

import functools
from typing import Any

from chalice import Response

from chalicelib.core.errors import DomainError
from chalicelib.core.lazy import lazy_module
from chalicelib.platform.routes.requests import ApiRequest

quotas = lazy_module("chalicelib.platform.services.quotas")

# For the contract of a metered or rate-limited route (Contract.response_headers).
RATE_LIMIT_HEADERS = {
    "RateLimit-Policy": 'The limit that applies, as the IETF RateLimit fields draft writes it: `"per-minute";q=30;w=60`.',
    "RateLimit": 'What is left of it and the seconds until it resets: `"per-minute";r=29;t=42`.',
}


def source_address(request: ApiRequest) -> str:
    return (request.raw.context.get("identity") or {}).get("sourceIp") or "unknown"


def limited_per_address(action: str) -> Any:
    """Every attempt counts, a failed one (a wrong password) first of all."""

    def decorator(view: Any) -> Any:
        @functools.wraps(view)
        def limited(request: ApiRequest, **path_params: str) -> Response:
            usage = quotas.meter_address(source_address(request), action)
            try:
                response = view(request, **path_params)
            except DomainError as error:
                error.headers.update(usage.headers())
                raise
            response.headers.update(usage.headers())
            return response

        return limited

    return decorator


def metered(action: str, per: str = "user") -> Any:
    """A use of a metered action: one of the caller's per-user daily quota (the plan's, plus a
    running burst grant), or of the organization's when `per="organization"` (a family's daily
    stories, whichever member asks). A request the view fails (a 4xx for bad input, a 5xx) is given
    back, so only what was served counts and a refused request leaves the counters as they were."""

    def decorator(view: Any) -> Any:
        @functools.wraps(view)
        def counted(request: ApiRequest, **path_params: str) -> Response:
            usage = quotas.meter_daily(request.principal, action, per)
            try:
                response = view(request, **path_params)
            except Exception as error:
                usage = quotas.give_back(usage)
                if isinstance(error, DomainError):
                    error.headers.update(usage.headers())
                raise
            if response.status_code >= 400:
                usage = quotas.give_back(usage)
            response.headers.update(usage.headers())
            return response

        return counted

    return decorator
