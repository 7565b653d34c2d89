"""Per-request observability, the last word on error format, and CORS on every answer."""
from __future__ import annotations

import json
import time

from chalice import Chalice, Response

from chalicelib.observability import flush_metrics, logger, traced
from chalicelib.platform.routes.cors import with_cors
from chalicelib.platform.routes.problems import GRAPHQL_RESPONSE_JSON, PROBLEM_JSON, problem

_REQUEST_KEYS = ["request_id", "org_id", "user_id"]


def register_middleware(app: Chalice) -> None:
    @app.middleware("http")
    def observe(request, get_response):
        context = request.context or {}
        authorizer = context.get("authorizer") or {}
        logger.append_keys(
            request_id=context.get("requestId"),
            org_id=authorizer.get("org_id"),
            user_id=authorizer.get("principalId"),
        )
        started = time.perf_counter()
        try:
            with traced(f"## {request.method} {context.get('resourcePath')}", org_id=authorizer.get("org_id")):
                response = as_problem(get_response(request))
            with_cors(request.headers, response.headers)
            logger.info(
                "request",
                extra={
                    "method": request.method,
                    "path": context.get("resourcePath"),
                    "status": response.status_code,
                    "duration_ms": round((time.perf_counter() - started) * 1000, 2),
                },
            )
            return response
        finally:
            flush_metrics()
            logger.remove_keys(_REQUEST_KEYS)


def as_problem(response: Response) -> Response:
    """Chalice answers a few errors itself (405, 415, ...) as {"Code", "Message"}; restate them.
    A GraphQL response states its own errors (GraphQL-over-HTTP: a 400 with `errors`)."""
    if response.status_code < 400 or response.headers.get("Content-Type") in (PROBLEM_JSON, GRAPHQL_RESPONSE_JSON):
        return response
    body = response.body
    if isinstance(body, str):
        try:
            body = json.loads(body)
        except ValueError:
            body = {}
    detail = body.get("Message") if isinstance(body, dict) else None
    titles = {405: "Method Not Allowed", 415: "Unsupported Media Type", 400: "Bad Request"}
    headers = {name: value for name, value in response.headers.items() if name.lower() != "content-type"}
    return problem(
        response.status_code,
        titles.get(response.status_code, "Error"),
        detail or "The request could not be processed.",
        headers,
    )
