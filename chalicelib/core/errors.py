"""Domain errors. Each carries the HTTP status it maps to; one handler turns them into problem+json."""
from __future__ import annotations

from typing import Any


class DomainError(Exception):
    status = 400
    title = "Bad Request"

    def __init__(self, detail: str, **extensions: Any) -> None:
        super().__init__(detail)
        self.detail = detail
        self.extensions = extensions
        self.headers: dict[str, str] = {}


class ValidationFailed(DomainError):
    status = 422
    title = "Unprocessable Content"

    def __init__(self, detail: str, errors: list[dict[str, str]]) -> None:
        super().__init__(detail, errors=errors)


class MalformedRequest(DomainError):
    status = 400
    title = "Bad Request"


# The protection space of every bearer challenge (RFC 6750); API Gateway's UNAUTHORIZED response
# (platform/routes/gateway_responses.json) names the same.
REALM = "zebros"


class Unauthorized(DomainError):
    """401 with a Bearer challenge (RFC 6750). `invalid_token`: credentials were presented and are
    not valid (expired, revoked, malformed), which tells a client to refresh or log in again; a
    request without usable credentials gets the bare challenge, without an error code."""

    status = 401
    title = "Unauthorized"

    def __init__(self, detail: str, invalid_token: bool = False) -> None:
        super().__init__(detail)
        self.invalid_token = invalid_token
        self.headers["WWW-Authenticate"] = bearer_challenge(detail if invalid_token else None)


def bearer_challenge(invalid_token_description: str | None = None) -> str:
    challenge = f'Bearer realm="{REALM}"'
    if invalid_token_description is None:
        return challenge
    # error_description allows printable ASCII but the double quote and the backslash.
    description = "".join(c for c in invalid_token_description if " " <= c <= "~" and c not in '"\\')
    return f'{challenge}, error="invalid_token", error_description="{description}"'


class Forbidden(DomainError):
    status = 403
    title = "Forbidden"


class NotFound(DomainError):
    status = 404
    title = "Not Found"


class NotAcceptable(DomainError):
    status = 406
    title = "Not Acceptable"


class Conflict(DomainError):
    status = 409
    title = "Conflict"


class PreconditionFailed(DomainError):
    status = 412
    title = "Precondition Failed"


class PayloadTooLarge(DomainError):
    status = 413
    title = "Payload Too Large"


class PreconditionRequired(DomainError):
    status = 428
    title = "Precondition Required"


class TooManyRequests(DomainError):
    status = 429
    title = "Too Many Requests"

    def __init__(self, detail: str, retry_after_seconds: int) -> None:
        super().__init__(detail)
        self.headers["Retry-After"] = str(max(1, retry_after_seconds))


class ServiceUnavailable(DomainError):
    """A dependency stayed throttled, timed out or in conflict after the client's retries. Each
    write commits whole or not at all, so the client sends the same request again."""

    status = 503
    title = "Service Unavailable"
    RETRY_AFTER_SECONDS = 1

    def __init__(self, detail: str = "The service is briefly overloaded; send the request again.") -> None:
        super().__init__(detail)
        self.headers["Retry-After"] = str(self.RETRY_AFTER_SECONDS)
