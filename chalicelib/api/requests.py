"""What a route may read from a request, parsed and checked: body, query, preconditions, caller."""
from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from chalice.app import Request

from chalicelib.core.errors import MalformedRequest, PayloadTooLarge, PreconditionFailed, PreconditionRequired, Unauthorized
from chalicelib.core.settings import get_settings
from chalicelib.services.roles import Principal, principal


@dataclass
class ApiRequest:
    raw: Request
    caller: Principal | None

    @property
    def principal(self) -> Principal:
        if self.caller is None:
            raise Unauthorized("This route needs an access token.")
        return self.caller

    def json(self, required: bool = True) -> Any:
        raw_body = self.raw.raw_body or b""
        if len(raw_body) > get_settings().max_body_bytes:
            raise PayloadTooLarge(f"The body exceeds {get_settings().max_body_bytes} bytes.")
        if not raw_body.strip():
            if required:
                raise MalformedRequest("A JSON body is required.", field="body")
            return {}
        try:
            return json.loads(raw_body)
        except (ValueError, UnicodeDecodeError) as error:
            raise MalformedRequest(f"The body is not valid JSON: {error}.", field="body") from None

    @property
    def query_params(self) -> dict[str, str]:
        return dict(self.raw.query_params or {})

    def query(self, name: str) -> str | None:
        return self.query_params.get(name)

    def header(self, name: str) -> str | None:
        return self.raw.headers.get(name)

    def expected_version(self, required: bool = False) -> int | None:
        """The version named by If-Match (an ETag this API issued), or None when absent."""
        value = self.header("if-match")
        if value is None:
            if required:
                raise PreconditionRequired("Send If-Match with the ETag you last read, so no change is lost.")
            return None
        value = value.strip()
        if value == "*":
            return None
        if not (value.startswith('"') and value.endswith('"') and value[1:-1].isdigit()):
            raise PreconditionFailed("If-Match does not name a current version of this resource.")
        return int(value[1:-1])


def etag(version: int) -> str:
    return f'"{version}"'


def principal_from_authorizer(context: dict[str, Any]) -> Principal:
    """The authorizer's result as API Gateway passes it to the function (string values)."""
    authorizer = context.get("authorizer") or {}
    try:
        custom = authorizer.get("permissions")
        return principal(
            authorizer["principalId"],
            authorizer["org_id"],
            authorizer["role"],
            authorizer["session_id"],
            custom.split() if custom else None,
        )
    except (KeyError, ValueError):
        raise Unauthorized("The request carries no verified caller.") from None
