"""DynamoDB calls per request, for every route of the app, by operation name.

Runs in a child process (`python -m tests.benchmarks.dynamodb_calls RESULT_PATH INPUT_PATH`)
against the moto server, through chalice.test.Client with real access tokens: the local gateway
runs the JWT authorizer on every request, as API Gateway does on a cache miss. Calls the authorizer makes are
counted apart from the route's own, because in AWS the authorizer is a separate function whose
answer API Gateway caches for five minutes.

Every route in `app.app.routes` must be exercised by SCENARIO with the status it is expected to
answer; a route without a step is reported, and fails the run, so a new route cannot go unmeasured.
A step for a route the app does not declare (yet, or any more) is skipped and reported.
"""
from __future__ import annotations

import json
import logging
import secrets
from dataclasses import dataclass, field
from typing import Any, Callable

from tests.benchmarks import dynamodb_events
from tests.benchmarks.dynamodb_events import CallCounter
from tests.benchmarks.local_aws import child_main

PASSWORD = "correct horse battery staple"
NEW_PASSWORD = "a brand new passphrase 2"
API_KEY = "bench-api-key"
LOCAL_ENVIRONMENT = {"LOCAL_API_KEYS": API_KEY, "NOTIFIER": "log"}
AUTHORIZER_PHASE = "authorizer"
ROUTE_PHASE = "route"


@dataclass
class Step:
    """One request of the scenario. `variant` names a second request to an already listed route."""

    method: str
    route: str
    status: int
    request: Callable[[dict[str, Any]], dict[str, Any]]
    variant: str = ""
    after: Callable[[dict[str, Any], Any], None] = field(default=lambda state, body: None)


def _json(body: Any) -> bytes:
    return json.dumps(body).encode()


def _bearer(state: dict[str, Any], extra: dict[str, str] | None = None) -> dict[str, str]:
    return {"Authorization": f"Bearer {state['access_token']}", "Content-Type": "application/json", **(extra or {})}


def _remember(**names: str) -> Callable[[dict[str, Any], Any], None]:
    """Keep fields of the response body (state name -> body key) for later steps."""

    def after(state: dict[str, Any], body: Any) -> None:
        for state_name, body_key in names.items():
            value = body
            for part in body_key.split("."):
                value = value[part]
            state[state_name] = value

    return after


def _customer(number: int) -> bytes:
    return _json({"name": f"Customer {number}", "email": f"c{number}@example.com", "tags": ["vip"]})


SCENARIO: list[Step] = [
    Step(
        "POST",
        "/v1/auth/register",
        201,
        lambda s: {
            "body": _json({"email": s["email"], "password": PASSWORD, "name": "Owner", "organization": "Bench"})
        },
    ),
    Step(
        "POST",
        "/v1/auth/login",
        200,
        lambda s: {"body": _json({"email": s["email"], "password": PASSWORD})},
        after=_remember(access_token="access_token", refresh_token="refresh_token"),
    ),
    Step(
        "POST",
        "/v1/auth/login",
        401,
        lambda s: {"body": _json({"email": s["email"], "password": "not the password at all"})},
        variant="wrong password",
    ),
    Step("GET", "/v1/health", 200, lambda s: {}),
    Step("GET", "/.well-known/jwks.json", 200, lambda s: {}),
    Step(
        "POST",
        "/api/abc/hello",
        200,
        lambda s: {"headers": {"x-api-key": API_KEY}, "body": _json({"name": "bench"})},
    ),
    Step(
        "POST",
        "/v1/customers",
        201,
        lambda s: {"headers": _bearer(s), "body": _customer(1)},
        after=_remember(customer_id="id"),
    ),
    Step(
        "POST",
        "/v1/customers",
        201,
        lambda s: {"headers": _bearer(s, {"Idempotency-Key": s["idempotency_key"]}), "body": _customer(2)},
        variant="Idempotency-Key, first",
        after=_remember(second_customer_id="id"),
    ),
    Step(
        "POST",
        "/v1/customers",
        201,
        lambda s: {"headers": _bearer(s, {"Idempotency-Key": s["idempotency_key"]}), "body": _customer(2)},
        variant="Idempotency-Key, replayed",
    ),
    Step(
        "POST",
        "/v1/customers/batch",
        200,
        lambda s: {"headers": _bearer(s), "body": _json({"items": [{"name": "Batch One"}, {"name": "Batch Two"}]})},
    ),
    Step("GET", "/v1/customers", 200, lambda s: {"headers": _bearer(s)}),
    Step("GET", "/v1/customers/{customer_id}", 200, lambda s: {"headers": _bearer(s)}),
    Step(
        "GET",
        "/v1/customers/{customer_id}",
        404,
        lambda s: {"headers": _bearer(s), "path": {"customer_id": "0" * 26}},
        variant="unknown id",
    ),
    Step(
        "PUT",
        "/v1/customers/{customer_id}",
        200,
        lambda s: {"headers": _bearer(s, {"If-Match": '"1"'}), "body": _customer(3)},
    ),
    Step(
        "PATCH",
        "/v1/customers/{customer_id}",
        200,
        lambda s: {
            "headers": _bearer(s, {"If-Match": '"2"', "Content-Type": "application/merge-patch+json"}),
            "body": _json({"company": "Example Trading"}),
        },
    ),
    Step(
        "PATCH",
        "/v1/customers/{customer_id}",
        412,
        lambda s: {
            "headers": _bearer(s, {"If-Match": '"1"', "Content-Type": "application/merge-patch+json"}),
            "body": _json({"company": "Stale"}),
        },
        variant="stale If-Match",
    ),
    Step(
        "POST",
        "/v1/customers/{customer_id}/notes",
        201,
        lambda s: {"headers": _bearer(s), "body": _json({"body": "Called, wants a demo."})},
    ),
    Step("GET", "/v1/customers/{customer_id}/notes", 200, lambda s: {"headers": _bearer(s)}),
    Step(
        "POST",
        "/v1/customers/{customer_id}/activities",
        201,
        lambda s: {"headers": _bearer(s), "body": _json({"type": "call", "subject": "Intro call"})},
    ),
    Step("GET", "/v1/customers/{customer_id}/activities", 200, lambda s: {"headers": _bearer(s)}),
    Step(
        "DELETE",
        "/v1/customers/{customer_id}",
        204,
        lambda s: {"headers": _bearer(s), "path": {"customer_id": s["second_customer_id"]}},
    ),
    Step(
        "POST",
        "/v1/customers/{customer_id}/restore",
        200,
        lambda s: {"headers": _bearer(s), "path": {"customer_id": s["second_customer_id"]}},
    ),
    Step("GET", "/v1/audit-logs", 200, lambda s: {"headers": _bearer(s)}),
    Step("GET", "/v1/settings", 200, lambda s: {"headers": _bearer(s)}),
    Step(
        "PUT",
        "/v1/settings",
        200,
        lambda s: {"headers": _bearer(s, {"If-Match": '"0"'}), "body": _json({"currency": "EUR"})},
    ),
    Step(
        "PATCH",
        "/v1/settings",
        200,
        lambda s: {"headers": _bearer(s), "body": _json({"stage_probabilities": {"lead": 15}})},
    ),
    Step("GET", "/v1/dashboard", 200, lambda s: {"headers": _bearer(s)}),
    Step(
        "POST",
        "/v1/roles",
        201,
        lambda s: {"headers": _bearer(s), "body": _json({"name": "Bench role", "permissions": ["customers:read"]})},
        after=_remember(role_id="id"),
    ),
    Step("GET", "/v1/roles", 200, lambda s: {"headers": _bearer(s)}),
    Step("GET", "/v1/roles/{role_id}", 200, lambda s: {"headers": _bearer(s), "path": {"role_id": s["role_id"]}}),
    Step(
        "PUT",
        "/v1/roles/{role_id}",
        200,
        lambda s: {
            "headers": _bearer(s, {"If-Match": '"1"'}),
            "path": {"role_id": s["role_id"]},
            "body": _json({"name": "Bench role 2", "permissions": ["customers:read", "tickets:read"]}),
        },
    ),
    Step(
        "PATCH",
        "/v1/roles/{role_id}",
        200,
        lambda s: {"headers": _bearer(s), "path": {"role_id": s["role_id"]}, "body": _json({"description": "Bench"})},
    ),
    Step(
        "POST",
        "/v1/users/invite",
        201,
        lambda s: {
            "headers": _bearer(s),
            "body": _json({"email": f"invitee.{s['email']}", "name": "Invitee", "role": s["role_id"]}),
        },
        after=_remember(invited_user_id="id"),
    ),
    Step("GET", "/v1/users", 200, lambda s: {"headers": _bearer(s)}),
    Step(
        "GET", "/v1/users/{user_id}", 200, lambda s: {"headers": _bearer(s), "path": {"user_id": s["invited_user_id"]}}
    ),
    Step(
        "POST",
        "/v1/auth/invitations/accept",
        200,
        lambda s: {"body": _json({"token": s["invitation_token"], "password": NEW_PASSWORD})},
    ),
    Step(
        "PUT",
        "/v1/users/{user_id}/role",
        200,
        lambda s: {"headers": _bearer(s), "path": {"user_id": s["invited_user_id"]}, "body": _json({"role": "viewer"})},
    ),
    Step(
        "POST",
        "/v1/users/{user_id}/deactivate",
        200,
        lambda s: {"headers": _bearer(s), "path": {"user_id": s["invited_user_id"]}},
    ),
    Step(
        "POST",
        "/v1/users/{user_id}/reactivate",
        200,
        lambda s: {"headers": _bearer(s), "path": {"user_id": s["invited_user_id"]}},
    ),
    Step("DELETE", "/v1/roles/{role_id}", 204, lambda s: {"headers": _bearer(s), "path": {"role_id": s["role_id"]}}),
    Step(
        "POST",
        "/v1/auth/refresh",
        200,
        lambda s: {"body": _json({"refresh_token": s["refresh_token"]})},
        after=_remember(access_token="access_token", refresh_token="refresh_token"),
    ),
    Step("POST", "/v1/auth/logout", 204, lambda s: {"headers": _bearer(s)}),
    Step("POST", "/v1/auth/password/forgot", 202, lambda s: {"body": _json({"email": s["email"]})}),
    Step(
        "POST",
        "/v1/auth/password/reset",
        204,
        lambda s: {"body": _json({"token": s["reset_token"], "password": NEW_PASSWORD})},
    ),
]


class ResetTokenCatcher(logging.Handler):
    """The local notifier logs reset and invitation tokens; the scenario reads them from the log record."""

    def __init__(self, state: dict[str, Any]) -> None:
        super().__init__()
        self.state = state

    def emit(self, record: logging.LogRecord) -> None:
        token = getattr(record, "reset_token", None)
        if token:
            self.state["reset_token"] = token
        invitation = getattr(record, "invitation_token", None)
        if invitation:
            self.state["invitation_token"] = invitation


def _count_authorizer_apart(counter: CallCounter) -> None:
    """Mark calls made while the local gateway runs the authorizer."""
    from chalice import local

    authorize = local.LocalGatewayAuthorizer.authorize

    def counted_authorize(self: Any, *args: Any, **kwargs: Any) -> Any:
        phase, counter.phase = counter.phase, AUTHORIZER_PHASE
        try:
            return authorize(self, *args, **kwargs)
        finally:
            counter.phase = phase

    local.LocalGatewayAuthorizer.authorize = counted_authorize


def measure(inputs: dict[str, Any]) -> dict[str, Any]:
    dynamodb_events.install()
    counter = CallCounter()

    import app as zebros
    from chalice.test import Client
    from chalicelib.observability import logger

    _count_authorizer_apart(counter)
    state: dict[str, Any] = {
        "email": f"owner-{secrets.token_hex(4)}@bench.example.com",
        "idempotency_key": secrets.token_hex(8),
    }
    logging.getLogger(logger.name).addHandler(ResetTokenCatcher(state))

    rows: list[dict[str, Any]] = []
    failures: list[str] = []
    skipped: list[str] = []
    exercised: set[tuple[str, str]] = set()
    declared = {(path, method) for path, methods in zebros.app.routes.items() for method in methods}
    with Client(zebros.app) as client:
        for step in SCENARIO:
            if (step.route, step.method) not in declared:
                skipped.append(f"{step.method} {step.route}" + (f" [{step.variant}]" if step.variant else ""))
                continue
            try:
                request = step.request(state)
            except KeyError as missing:
                label = f"{step.method} {step.route} ({step.variant or 'main'})"
                failures.append(f"{label}: no {missing} from an earlier step")
                continue
            path_parameters = {"customer_id": state.get("customer_id", "")} | request.get("path", {})
            path = step.route.format(**path_parameters)
            counter.take()
            counter.phase = ROUTE_PHASE
            response = client.http.request(
                step.method, path, headers=request.get("headers"), body=request.get("body", b"")
            )
            counter.phase = "setup"
            calls = counter.take()
            body = json.loads(response.body) if response.body else None
            if response.status_code != step.status:
                failures.append(
                    f"{step.method} {step.route} ({step.variant or 'main'}) answered {response.status_code}, "
                    f"expected {step.status}: {response.body[:300]!r}"
                )
            else:
                if not step.variant:
                    exercised.add((step.route, step.method))
                step.after(state, body)
            rows.append(
                {
                    "method": step.method,
                    "route": step.route,
                    "variant": step.variant,
                    "status": response.status_code,
                    "calls": calls.get(ROUTE_PHASE, {}),
                    "authorizer_calls": calls.get(AUTHORIZER_PHASE, {}),
                }
            )

    unexercised = sorted(f"{method} {path}" for path, method in declared - exercised)
    scans = sorted(
        f"{row['method']} {row['route']}" + (f" ({row['variant']})" if row["variant"] else "")
        for row in rows
        if row["calls"].get("Scan") or row["authorizer_calls"].get("Scan")
    )
    return {
        "client": "chalice.test.Client with bearer tokens (local gateway runs the authorizer)",
        "rows": rows,
        "routes_declared": len(declared),
        "routes_exercised": len(declared & exercised),
        "unexercised_routes": unexercised,
        "failures": failures,
        "skipped_steps": skipped,
        "scans": scans,
    }


if __name__ == "__main__":
    child_main(measure)
