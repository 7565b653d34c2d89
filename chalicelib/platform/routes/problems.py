"""Every error response is application/problem+json (RFC 9457)."""
from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any

from chalice import Response

from chalicelib.core.errors import DomainError

PROBLEM_JSON = "application/problem+json"
# GraphQL-over-HTTP's response, whose `errors` say what a 4xx refused (routes/graphql_endpoint.py).
GRAPHQL_RESPONSE_JSON = "application/graphql-response+json"

# Problem types are sections of the errors page the API serves (platform/routes/docs.py renders
# docs/errors.md there); a relative reference resolves against the API's own origin (RFC 9457,
# section 3.1.1). The anchors are the page's headings, as GitHub makes them for docs/errors.md.
ERRORS_PAGE = "/docs/errors"
_STATUS_SECTIONS = {
    400: "400-bad-request",
    401: "401-unauthorized",
    403: "403-forbidden",
    404: "404-not-found",
    405: "405-method-not-allowed",
    406: "406-not-acceptable",
    409: "409-conflict",
    410: "410-gone",
    412: "412-precondition-failed",
    413: "413-payload-too-large",
    415: "415-unsupported-media-type",
    422: "422-unprocessable-content",
    428: "428-precondition-required",
    429: "429-too-many-requests",
    500: "500-internal-server-error",
    503: "503-service-unavailable",
}
OTHER_STATUSES_SECTION = "other-statuses"


def problem_type(status: int | None) -> str:
    return f"{ERRORS_PAGE}#{_STATUS_SECTIONS.get(status, OTHER_STATUSES_SECTION)}"


def problem(status: int, title: str, detail: str, headers: dict[str, str] | None = None, **extensions: Any) -> Response:
    """`extensions` may name a more specific `type` (a section of the same page)."""
    body = {"type": problem_type(status), "title": title, "status": status, "detail": detail, **extensions}
    return Response(body=body, status_code=status, headers={**(headers or {}), "Content-Type": PROBLEM_JSON})


def problem_from_error(error: DomainError) -> Response:
    return problem(error.status, error.title, error.detail, error.headers, **error.extensions)


def problem_body(error: DomainError) -> dict[str, Any]:
    """The problem document `problem_from_error` answers, for one part of a larger answer (a
    rejected change of a sync push)."""
    body = problem_from_error(error).body
    assert isinstance(body, dict)
    return body


@lru_cache(maxsize=1)
def gateway_responses() -> dict[str, dict[str, Any]]:
    """The bodies API Gateway answers with on its own (bad token, API key, throttling).
    Terraform configures the same file as the stage's gateway responses; each names its `type`
    (Terraform cannot call problem_type), and a test checks it is problem_type(status)."""
    return json.loads((Path(__file__).with_name("gateway_responses.json")).read_text())


def gateway_problem_body(response_type: str, status: int) -> dict[str, Any]:
    spec = gateway_responses()[response_type]
    return {"type": spec["type"], "title": spec["title"], "status": spec["status"] or status, "detail": spec["detail"]}


def gateway_problem_headers(response_type: str) -> dict[str, str]:
    return {**gateway_responses()[response_type].get("headers", {}), "Content-Type": PROBLEM_JSON}
