"""CORS (the Fetch standard): which browser origins may read the API's answers.

The allowed origins are a setting per environment, CORS_ALLOWED_ORIGINS: in AWS the env root's
`cors_allowed_origins` (infra/envs/<env>/terraform.tfvars), which also builds API Gateway's
preflight answers, so the two cannot disagree; under `make run` its own local list. An `Origin` on
the list is echoed exactly, never `*`; any other origin gets no CORS header at all, so the browser
keeps the answer from the page. Every answer says `Vary: Origin`.

Preflight (OPTIONS) never reaches the function in AWS: a MOCK integration answers it on every path
(added by infra/chalice_package.py from cors.json); locally local_gateway.py answers it with
`preflight_headers`, the same fields. Tokens travel in `Authorization`, not in cookies, so
`Access-Control-Allow-Credentials` is never sent: a page cannot make the browser send credentials
of its own accord.
"""
from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any

from chalicelib.core.settings import get_settings
from chalicelib.platform.routes.caching import add_vary

PREFLIGHT_STATUS = 204


@lru_cache(maxsize=1)
def cors_rules() -> dict[str, Any]:
    """Headers a browser may send and read, and how long it may keep a preflight answer."""
    return json.loads(Path(__file__).with_name("cors.json").read_text())


def allowed_origin(request_headers: Mapping[str, str]) -> str | None:
    origin = request_headers.get("origin")
    return origin if origin in get_settings().cors_allowed_origins else None


def with_cors(request_headers: Mapping[str, str], headers: dict[str, Any]) -> None:
    """Adds to an answer's `headers` what lets the page of an allowed origin read it."""
    add_vary(headers, "Origin")
    origin = allowed_origin(request_headers)
    if origin is not None:
        headers["Access-Control-Allow-Origin"] = origin
        headers["Access-Control-Expose-Headers"] = ", ".join(cors_rules()["expose_headers"])


def preflight_headers(request_headers: Mapping[str, str], methods: Iterable[str]) -> dict[str, str]:
    """The preflight answer for a path whose routes take `methods`, as API Gateway's MOCK gives it."""
    headers = {"Vary": "Origin"}
    origin = allowed_origin(request_headers)
    if origin is not None:
        headers.update({
            "Access-Control-Allow-Origin": origin,
            "Access-Control-Allow-Methods": allow_methods(methods),
            "Access-Control-Allow-Headers": ", ".join(cors_rules()["allow_headers"]),
            "Access-Control-Max-Age": str(cors_rules()["max_age_seconds"]),
        })  # fmt: skip
    return headers


def allow_methods(methods: Iterable[str]) -> str:
    return ",".join(sorted({method.upper() for method in methods} | {"OPTIONS"}))
