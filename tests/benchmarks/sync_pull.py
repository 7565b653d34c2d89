"""Pulling changes costs O(changes), never O(table): GET /v1/sync for the same 10 changes from an
organization of 10,000 records and from one of 100, side by side, against the local DynamoDB.

Each organization's customers and their change-feed items are stored as the app's own write path
builds them (TenantTable.creation and .modification, changes.sequence) in batches, which is what
10,000 creations through the API would leave, in a minute rather than an hour. Each client takes a
feed cursor at the head, 10 customers change, and the pull after that cursor is measured through
the Lambda handler in alternating rounds: DynamoDB calls per request and wall time.

`python -m tests.benchmarks.sync_pull RESULT_PATH INPUT_PATH` (run by `make bench ONLY=sync`).
"""
from __future__ import annotations

import statistics
import time
from typing import Any

from tests.benchmarks import dynamodb_events, world
from tests.benchmarks.dynamodb_events import CallCounter
from tests.benchmarks.lambda_runtime import invoke, proxy_event
from tests.benchmarks.local_aws import child_main

SIZES = {"large": 10_000, "small": 100}
CHANGES = 10
ROUNDS = 10
PULLS_PER_ROUND = 3


def _store(tenant: world.Tenant, records: list[Any], entries: list[Any]) -> None:
    """Records and their feed entries, stored in batches as commit would store them."""
    from chalicelib.crm.contact_management.tables.customers import CustomerModel
    from chalicelib.platform.tables.changes import ChangeModel, read_head, sequence

    sequenced = sequence(tenant.org_id, entries, read_head(tenant.org_id))
    with CustomerModel.batch_write() as batch:
        for record in records:
            batch.save(record)
    with ChangeModel.batch_write() as batch:
        for item in sequenced.items:
            batch.save(item)
    sequenced.head.update(actions=sequenced.head_actions, condition=sequenced.head_condition)


def _seed(tenant: world.Tenant, count: int) -> list[Any]:
    """`count` customers and their creations in the feed."""
    from chalicelib.core.ids import new_id
    from chalicelib.crm.contact_management.tables.customers import CustomerModel, customers

    records = [CustomerModel(tenant.org_id, new_id(), name=f"Customer {number}", email=f"c{number}@example.com",
                             status="active", owner=tenant.user_id, tags=[], custom_fields={}) for number in range(count)]
    entries = [customers.creation(record, tenant.user_id)[0].feed for record in records]
    _store(tenant, records, entries)
    return records


def _change(tenant: world.Tenant, records: list[Any]) -> None:
    """One update of each record, as PATCH would commit it. (moto copies every table for each
    TransactWriteItems: with 20,000 items stored that takes seconds, not what is measured here.)"""
    from chalicelib.crm.contact_management.tables.customers import customers

    updates = [customers.modification(record, {"name": "Renamed"}, tenant.user_id) for record in records]
    _store(tenant, [updated for _, updated in updates], [parts[0].feed for parts, _ in updates])


def _pull(handler: Any, tenant: world.Tenant, query: dict[str, str]) -> dict[str, Any]:
    return world.call(handler, proxy_event("GET", "/v1/sync", query=query, authorizer=tenant.caller()), 200)


def measure(inputs: dict[str, Any]) -> dict[str, Any]:
    from chalicelib.tables import create_tables

    dynamodb_events.install()
    counter = CallCounter()
    import app as zebros

    handler = zebros.app
    create_tables()
    pulls: dict[str, dict[str, str]] = {}
    tenants: dict[str, world.Tenant] = {}
    seeding_s: dict[str, float] = {}
    for name, count in SIZES.items():
        started = time.perf_counter()
        tenant = tenants[name] = world.register_tenant(handler)
        records = _seed(tenant, count)
        seeding_s[name] = round(time.perf_counter() - started, 1)
        # A client of tickets only takes a snapshot of none: its cursor is the feed's head.
        cursor = _pull(handler, tenant, {"kinds": "tickets"})["next_cursor"]
        _change(tenant, records[:CHANGES])
        pulls[name] = {"since": cursor, "kinds": "customers", "limit": "100"}
        page = _pull(handler, tenant, pulls[name])
        if len(page["changes"]) != CHANGES or page["has_more"]:
            raise RuntimeError(f"the {name} organization's pull answered {len(page['changes'])} changes, not {CHANGES}")

    times: dict[str, list[float]] = {name: [] for name in SIZES}
    calls: dict[str, list[dict[str, int]]] = {name: [] for name in SIZES}
    for _ in range(ROUNDS):
        for name in SIZES:
            for _ in range(PULLS_PER_ROUND):
                event = proxy_event("GET", "/v1/sync", query=pulls[name], authorizer=tenants[name].caller())
                counter.take()
                started = time.perf_counter()
                response = invoke(handler, event)
                times[name].append(time.perf_counter() - started)
                calls[name].append(counter.take().get("setup", {}))
                if response["statusCode"] != 200:
                    raise RuntimeError(f"GET /v1/sync answered {response['statusCode']}: {response.get('body')!r}")

    summary = {
        name: {
            "records": SIZES[name],
            "seeding_s": seeding_s[name],
            "calls_per_pull": calls[name][-1],
            "calls_total_per_pull": sum(calls[name][-1].values()),
            "calls_constant": all(per_pull == calls[name][0] for per_pull in calls[name]),
            "median_ms": round(statistics.median(times[name]) * 1000, 2),
            "p90_ms": round(sorted(times[name])[len(times[name]) * 9 // 10] * 1000, 2),
        }
        for name in SIZES
    }
    large, small = summary["large"], summary["small"]
    return {
        "changes": CHANGES,
        "pulls": ROUNDS * PULLS_PER_ROUND,
        **summary,
        "ratio_calls": round(large["calls_total_per_pull"] / small["calls_total_per_pull"], 2),
        "ratio_time": round(large["median_ms"] / small["median_ms"], 2),
    }


if __name__ == "__main__":
    child_main(measure)
