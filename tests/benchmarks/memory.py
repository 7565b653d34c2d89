"""Peak memory of one API process after 1,000 mixed requests through the Lambda handler.

Runs in a fresh child process (`python -m tests.benchmarks.memory RESULT_PATH INPUT_PATH`) with
the deployed stage's environment, so the peak is the app's own: the moto server and the benchmark
driver live in other processes, and another process (tests.benchmarks.world) created the tables
and the tenant beforehand. "Before" is right after `import app`, where a cold Lambda starts.
Logins sign tokens with the stage's key, read from Secrets Manager (the moto server) as in AWS;
each login also verifies an argon2 hash (19 MiB), the largest single allocation.
"""
from __future__ import annotations

import random
import resource
import time
from collections import Counter
from typing import Any

from tests.benchmarks import dynamodb_events, world
from tests.benchmarks.lambda_runtime import proxy_event
from tests.benchmarks.local_aws import child_main

REQUESTS = 1000
SEED = 20240601
CHECKPOINTS = frozenset({1, 10, 50, 100, 250, 500, 750, 1000})
# Relative weights: a CRM is read far more than written; logins are occasional. Customer list pages
# are kept to 25 items because the moto server answers a Query in time proportional to the whole
# partition (0.1 s and more at a hundred customers), which would dominate the run.
MIX = {
    "list_customers": 12,
    "get_customer": 31,
    "create_customer": 12,
    "patch_customer": 12,
    "add_note": 10,
    "list_notes": 10,
    "add_activity": 5,
    "list_activities": 6,
    "login": 2,
}


def _status_kib(field: str) -> int:
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise RuntimeError(f"/proc/self/status has no {field}")


def peak_rss_mib() -> float:
    """VmHWM: the peak resident set of this process image.

    ru_maxrss would do on its own, but Linux carries the parent's peak over fork and execve into
    it, so in a child of a larger process it reports the parent's size until the child outgrows it.
    """
    return round(_status_kib("VmHWM") / 1024, 1)


def current_rss_mib() -> float:
    return round(_status_kib("VmRSS") / 1024, 1)


def ru_maxrss_mib() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def _request(
    kind: str, tenant: world.Tenant, customers: list[str], rng: random.Random, number: int
) -> tuple[dict[str, Any], int]:
    """The event for one request of `kind`, and the status it must be answered with."""
    caller = tenant.caller()
    customer = {"customer_id": rng.choice(customers)}
    customer_route, notes_route = "/v1/customers/{customer_id}", "/v1/customers/{customer_id}/notes"
    activities_route = "/v1/customers/{customer_id}/activities"
    if kind == "list_customers":
        return proxy_event("GET", "/v1/customers", query={"limit": "25"}, authorizer=caller), 200
    if kind == "get_customer":
        return proxy_event("GET", customer_route, customer, authorizer=caller), 200
    if kind == "create_customer":
        return proxy_event("POST", "/v1/customers", body=world.customer_body(number), authorizer=caller), 201
    if kind == "patch_customer":
        body = {"company": f"Company {number}", "tags": ["vip", f"t{number % 7}"]}
        headers = {"Content-Type": "application/merge-patch+json"}
        return proxy_event("PATCH", customer_route, customer, body=body, headers=headers, authorizer=caller), 200
    if kind == "add_note":
        body = {"body": f"Note {number}: " + "follow up next week. " * 5}
        return proxy_event("POST", notes_route, customer, body=body, authorizer=caller), 201
    if kind == "list_notes":
        return proxy_event("GET", notes_route, customer, authorizer=caller), 200
    if kind == "add_activity":
        body = {"type": "task", "subject": f"Task {number}", "due_at": "2030-01-01T09:00:00Z"}
        return proxy_event("POST", activities_route, customer, body=body, authorizer=caller), 201
    if kind == "list_activities":
        return proxy_event("GET", activities_route, customer, authorizer=caller), 200
    if kind == "login":
        return proxy_event("POST", "/v1/auth/login", body={"email": tenant.email, "password": world.PASSWORD}), 200
    raise ValueError(kind)


def _clients_by_service() -> dict[str, dict[str, int]]:
    services: dict[str, dict[str, Any]] = {}
    for service, session in dynamodb_events.clients_created:
        entry = services.setdefault(service, {"clients": 0, "sessions": set()})
        entry["clients"] += 1
        entry["sessions"].add(session)
    return {service: {"clients": e["clients"], "sessions": len(e["sessions"])} for service, e in services.items()}


def measure(inputs: dict[str, Any]) -> dict[str, Any]:
    at_start = peak_rss_mib()
    dynamodb_events.install()
    import app as zebros

    tenant = world.tenant_from(inputs)
    customers = list(inputs["customers"])
    before, before_current, before_ru = peak_rss_mib(), current_rss_mib(), ru_maxrss_mib()

    rng = random.Random(SEED)
    kinds = rng.choices(list(MIX), weights=list(MIX.values()), k=REQUESTS)
    done: Counter[str] = Counter()
    seconds: Counter[str] = Counter()
    # Where the peak rises tells a one-off cost (a client, a hash) from a leak.
    peak_by_requests = {}
    for number, kind in enumerate(kinds, start=1):
        event, status = _request(kind, tenant, customers, rng, number)
        started = time.perf_counter()
        body = world.call(zebros.app, event, status)
        seconds[kind] += time.perf_counter() - started
        if kind == "create_customer":
            customers.append(body["id"])
        done[kind] += 1
        if number in CHECKPOINTS:
            peak_by_requests[number] = peak_rss_mib()
    return {
        "requests": REQUESTS,
        "mix": dict(sorted(done.items())),
        "mean_ms_by_kind": {kind: round(seconds[kind] / done[kind] * 1000, 1) for kind in sorted(done)},
        "environment": "Lambda (dev stage variables, AWS_LAMBDA_FUNCTION_NAME set)",
        "peak_rss_mib_interpreter": at_start,
        "peak_rss_mib_before": before,
        "peak_rss_mib_after": peak_rss_mib(),
        "rss_mib_before": before_current,
        "rss_mib_after": current_rss_mib(),
        "ru_maxrss_mib_before": before_ru,
        "ru_maxrss_mib_after": ru_maxrss_mib(),
        "peak_rss_mib_by_requests": peak_by_requests,
        "customers_at_end": len(customers),
        "botocore_clients": _clients_by_service(),
    }


if __name__ == "__main__":
    child_main(measure)
