"""What a route may read from a request, parsed and checked: body, query, preconditions, caller."""
from __future__ import annotations

import re
from urllib.parse import parse_qs
from dataclasses import dataclass
from typing import Any

from chalice.app import Request

from chalicelib.core.documents import parse_json
from chalicelib.core.errors import MalformedRequest, PayloadTooLarge, PreconditionFailed, PreconditionRequired, Unauthorized
from chalicelib.core.settings import get_settings
from chalicelib.platform.services.roles import API_KEY, Principal, principal

# ASCII digits only: str.isdigit() also passes "²" and "٣", which int() then refuses. Versions
# count writes, so 18 digits is more than any record reaches.
_ETAG = re.compile(r'"([0-9]{1,18})"')
# RFC 9110 entity-tags, one or a comma-separated list: [W/]"<visible characters but the quote>".
_ENTITY_TAG = r'(?:W/)?"[\x21\x23-\x7e\x80-\U0010ffff]*"'
_ENTITY_TAGS = re.compile(rf"{_ENTITY_TAG}(?:[ \t]*,[ \t]*{_ENTITY_TAG})*")


@dataclass
class ApiRequest:
    raw: Request
    caller: Principal | None
    # The API version the request was negotiated to (platform/routes/versions.py); 1 on unversioned routes.
    version: int = 1

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
        return parse_json(raw_body)

    def form(self) -> dict[str, list[str]]:
        """An application/x-www-form-urlencoded body's fields, each with every value it was sent with."""
        raw_body = self.raw.raw_body or b""
        if len(raw_body) > get_settings().max_body_bytes:
            raise PayloadTooLarge(f"The body exceeds {get_settings().max_body_bytes} bytes.")
        try:
            return parse_qs(raw_body.decode(), keep_blank_values=True, strict_parsing=bool(raw_body.strip()))
        except (UnicodeDecodeError, ValueError):
            raise MalformedRequest("The body is not an application/x-www-form-urlencoded form.", field="body") from None

    @property
    def query_params(self) -> dict[str, str]:
        return dict(self.raw.query_params or {})

    def query(self, name: str) -> str | None:
        return self.query_params.get(name)

    def header(self, name: str) -> str | None:
        return self.raw.headers.get(name)

    def expected_version(self, required: bool = False) -> int | None:
        """The version named by If-Match (an ETag this API issued), or None when absent or "*". A
        value that is no entity-tag at all (unquoted, cut short) is a malformed request (400); a
        well-formed one that names no version of ours fails the precondition (412)."""
        value = self.header("if-match")
        if value is None:
            if required:
                raise PreconditionRequired("Send If-Match with the ETag you last read, so no change is lost.")
            return None
        value = value.strip()
        if value == "*":
            return None
        version = _ETAG.fullmatch(value)
        if version is None and not _ENTITY_TAGS.fullmatch(value):
            raise MalformedRequest(
                'If-Match must be "*" or an ETag in double quotes as this API sent it, like "3".', field="If-Match"
            )
        if version is None:
            raise PreconditionFailed("If-Match does not name a current version of this resource.")
        return int(version.group(1))


def etag(version: int) -> str:
    return f'"{version}"'


def principal_from_authorizer(context: dict[str, Any]) -> Principal:
    """The authorizer's result as API Gateway passes it to the function (string values)."""
    authorizer = context.get("authorizer") or {}
    if authorizer.get("token_error"):
        raise Unauthorized(authorizer["token_error"], invalid_token=True)
    if authorizer.get("kind") == API_KEY:
        return _api_key_caller(authorizer)
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


def _api_key_caller(authorizer: dict[str, Any]) -> Principal:
    """An API key's caller, once the key itself confirms it is still active: the authorizer found
    it through an eventually consistent index, which may predate a revocation or an expiry."""
    from chalicelib.platform.services.api_keys import confirm_active

    try:
        caller = Principal(
            user_id=authorizer["principalId"], org_id=authorizer["org_id"], role=API_KEY, session_id="",
            permissions=frozenset(authorizer["permissions"].split()), kind=API_KEY,
        )  # fmt: skip
    except KeyError:
        raise Unauthorized("The request carries no verified caller.") from None
    confirm_active(caller.org_id, caller.user_id)
    return caller
