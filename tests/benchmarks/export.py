"""One export chunk as Lambda runs it: rows per second and peak memory.

Runs in a fresh child process (`python -m tests.benchmarks.export RESULT_PATH INPUT_PATH`) with AWS
in process (moto). The list's pages come from memory, not from moto's Query: moto reads the whole
partition for every Query and takes seconds per 1,000-row page of a large one (DynamoDB: tens of
milliseconds), which would measure moto alone. Everything else is the app's: an export job queued
(its execution started, not run), its `export_count` task, then one `export_chunk` through the
app's handler as Step Functions invokes it: the records' views, CSV writing until one part
(5 MiB, S3's multipart minimum), its upload (moto's S3) and the progress update with its audit
entry. Figures: the chunk's rows and duration, rows per second, and its peak memory (tracemalloc:
Python allocations during the chunk; the process's VmHWM for reference). Targets: the chunk well
inside the task functions' 1 GB and 15 s.
"""
from __future__ import annotations

import os
import time
import tracemalloc
from typing import Any

from tests.benchmarks.local_aws import child_main

CUSTOMERS = 40_000  # more than one 5 MiB part


def measure(inputs: dict[str, Any]) -> dict[str, Any]:
    for name in ("AWS_ENDPOINT_URL", "DYNAMODB_ENDPOINT"):
        os.environ.pop(name, None)
    from moto import mock_aws

    with mock_aws():
        return _measure(int(inputs.get("customers", CUSTOMERS)))


def _measure(customers: int) -> dict[str, Any]:
    from app import app
    from chalicelib.core.ids import new_id
    from chalicelib.crm.contact_management.tables.customers import CustomerModel, customers as customers_table
    from chalicelib.localdev.stepfunctions import prepare_local_jobs, task_functions
    from chalicelib.platform.services import exports
    from chalicelib.platform.services.roles import principal
    from chalicelib.tables import create_tables
    from tests.benchmarks.memory import peak_rss_mib

    create_tables()
    prepare_local_jobs()
    org_id, user_id = new_id(), new_id()
    stored = []
    for number in range(customers):
        item = CustomerModel(org_id, new_id(), name=f"Customer {number}", email=f"customer{number}@example.com",
                             phone="+44 20 7946 0000", company="Example Trading Ltd", status="active",
                             owner=user_id, tags=["vip"] if number % 5 == 0 else [], custom_fields={})  # fmt: skip
        customers_table.creation(item, user_id)
        stored.append(item)

    def pages_from_memory(org: str, spec: Any, limit: int, cursor: str | None) -> tuple[list[Any], str | None]:
        start = int(cursor or 0)
        end = min(start + limit, len(stored))
        return stored[start:end], (str(end) if end < len(stored) else None)

    customers_table.search = pages_from_memory

    owner = principal(user_id, org_id, "owner", "bench")
    job = exports.start_export(owner, {"resource": "customers", "format": "csv"})
    handlers = task_functions(app)
    state = {"job": {"org_id": org_id, "job_id": job["id"]}, "count": {"rows": 0, "done": False}}
    while not state["count"]["done"]:
        state = handlers["export_count"](state, None)

    began, began_cpu = time.perf_counter(), time.process_time()
    after = handlers["export_chunk"](state, None)
    chunk_s, chunk_cpu_s = time.perf_counter() - began, time.process_time() - began_cpu
    # Again under tracemalloc (which slows it): the same part, as a chunk retried by the machine.
    tracemalloc.start()
    handlers["export_chunk"](state, None)
    _, traced_peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    rows = after["export"]["rows"]
    return {
        "customers": customers,
        "chunk_rows": rows,
        "chunk_s": round(chunk_s, 2),
        # CPU time: on a shared machine the wall time includes waiting for a core.
        "chunk_cpu_s": round(chunk_cpu_s, 2),
        "rows_per_s": round(rows / chunk_s),
        "part_mib": round(exports.get_settings().export_part_bytes / 2**20, 1),
        "chunk_peak_traced_mib": round(traced_peak / 2**20, 1),
        "process_peak_rss_mib": peak_rss_mib(),
    }


if __name__ == "__main__":
    child_main(measure)
