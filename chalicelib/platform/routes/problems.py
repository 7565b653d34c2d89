"""Every error response is application/problem+json (RFC 9457)."""
from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any

from chalice import Response

from chalicelib.core.errors import DomainError

PROBLEM_JSON = "application/problem+json"


def problem(status: int, title: str, detail: str, headers: dict[str, str] | None = None, **extensions: Any) -> Response:
    body = {"type": "about:blank", "title": title, "status": status, "detail": detail, **extensions}
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
    Terraform configures the same file as the stage's gateway responses."""
    return json.loads((Path(__file__).with_name("gateway_responses.json")).read_text())


def gateway_problem_body(response_type: str, status: int) -> dict[str, Any]:
    spec = gateway_responses()[response_type]
    return {"type": "about:blank", "title": spec["title"], "status": spec["status"] or status, "detail": spec["detail"]}


def gateway_problem_headers(response_type: str) -> dict[str, str]:
    return {**gateway_responses()[response_type].get("headers", {}), "Content-Type": PROBLEM_JSON}
