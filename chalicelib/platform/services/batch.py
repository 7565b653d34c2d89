"""POST /v1/<resource>/batch: create up to 100 records, each on its own, results in order."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from chalicelib.core.errors import DomainError, ServiceUnavailable
from chalicelib.core.validation import validate
from chalicelib.platform.services.roles import Principal
from chalicelib.platform.tables.base import temporarily_unavailable

MAX_ITEMS = 100
BATCH_SCHEMA = {
    "type": "object",
    "additionalProperties": False,
    "required": ["items"],
    "properties": {"items": {"type": "array", "minItems": 1, "maxItems": MAX_ITEMS}},
}


def create_each(
    principal: Principal, body: Any, create: Callable[[Principal, Any], dict[str, Any]]
) -> dict[str, list[dict[str, Any]]]:
    """Each item is its own write: one that fails validation or a condition fails alone, and so does
    one that DynamoDB could not take after the retries (503: that item alone is sent again, where a
    503 for the whole request would have the client create the items before it a second time)."""
    items = validate(BATCH_SCHEMA, body)["items"]
    results = []
    for item in items:
        try:
            created = create(principal, item)
        except DomainError as error:
            results.append(_failure(error))
        except Exception as error:
            if not temporarily_unavailable(error):
                raise
            results.append(_failure(ServiceUnavailable()))
        else:
            results.append({"status": 201, "id": created["id"]})
    return {"results": results}


def _failure(error: DomainError) -> dict[str, Any]:
    return {"status": error.status, "error": {"title": error.title, "detail": error.detail, **error.extensions}}
