"""Idempotency-Key for POST: a retried request gets the first response instead of a second record."""
from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable

from chalice import Response

from chalicelib.core import clock
from chalicelib.core.errors import Conflict, MalformedRequest, ValidationFailed
from chalicelib.core.lazy import lazy_module
from chalicelib.observability import logger
from chalicelib.platform.routes.requests import ApiRequest

idempotency = lazy_module("chalicelib.platform.tables.idempotency")
data_base = lazy_module("chalicelib.platform.tables.base")
MAX_KEY_LENGTH = 255
# A key is a String of the IETF Idempotency-Key header (visible ASCII and spaces), not starting or
# ending with a space (HTTP drops them); declared in the OpenAPI document as is.
KEY_PATTERN = rf"^[!-~](?:[ -~]{{0,{MAX_KEY_LENGTH - 2}}}[!-~])?$"
REPLAYED_HEADERS = ("Content-Type", "Location", "ETag")


def replay_or_run(request: ApiRequest, run: Callable[[], Response]) -> Response:
    key = request.header("idempotency-key")
    if key is None:
        return run()
    if not re.fullmatch(KEY_PATTERN, key):
        raise MalformedRequest(
            f"Idempotency-Key must be 1 to {MAX_KEY_LENGTH} printable ASCII characters, not starting or ending with a space.",
            field="Idempotency-Key",
        )
    principal = request.principal
    scope_key = _digest(f"{principal.org_id}|{principal.user_id}|{request.raw.method}|{request.raw.path}|{key}")
    fingerprint = _digest((request.raw.raw_body or b"").decode("utf-8", "replace"))
    existing = idempotency.claim(scope_key, fingerprint, clock.epoch_seconds())
    if existing is not None:
        if existing.fingerprint != fingerprint:
            raise ValidationFailed(
                "This Idempotency-Key was already used with a different request body.",
                [{"field": "Idempotency-Key", "message": "reused with a different body"}],
            )
        if existing.response_status is None:
            conflict = Conflict("A request with this Idempotency-Key is still being processed.")
            conflict.headers["Retry-After"] = "1"
            raise conflict
        headers = dict(existing.response_headers.as_dict()) if existing.response_headers else {}
        return Response(
            body=existing.response_body or "",
            status_code=int(existing.response_status),
            headers={**headers, "Idempotent-Replayed": "true"},
        )
    try:
        response = run()
    except Exception:
        _release(scope_key)
        raise
    if response.status_code >= 400:
        # Only successes are remembered: a rejected request may be corrected and retried with its key.
        _release(scope_key)
        return response
    body = response.body if isinstance(response.body, str) else json.dumps(response.body)
    stored_headers = {name: response.headers[name] for name in REPLAYED_HEADERS if name in response.headers}
    try:
        idempotency.complete(scope_key, response.status_code, body, stored_headers)
    except Exception as error:
        if not data_base.temporarily_unavailable(error):
            raise
        # The write is committed; a 503 now would have the client send it again and create it twice.
        # Only the replay is lost: the claim stays in progress (409) until it lapses.
        logger.warning("Idempotency-Key response not stored", exc_info=error)
    return response


def _release(scope_key: str) -> None:
    """Give the key back after a failure. When DynamoDB cannot take even that, the failure that
    matters is the request's own: the claim lapses by itself (CLAIM_TIMEOUT_SECONDS)."""
    try:
        idempotency.release(scope_key)
    except Exception as error:
        if not data_base.temporarily_unavailable(error):
            raise
        logger.warning("Idempotency-Key claim not released", exc_info=error)


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()
