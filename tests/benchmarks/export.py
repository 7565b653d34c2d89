"""One export chunk as Lambda runs it: rows per second and peak memory.

Runs in a fresh child process (`python -m tests.benchmarks.export RESULT_PATH INPUT_PATH`) with AWS
in process (moto), not the moto server: the server answers a Query in time proportional to the
whole partition, which at the tens of thousands of rows a chunk reads would measure moto alone.
Seeds an organization's customers, queues an export job (its execution started, not run), runs
the `export_count` task to the end, then one `export_chunk`, the function Step Functions invokes,
through the app's own handler: it reads pages of the list's Query until it holds one part (5 MiB,
S3's multipart minimum) and uploads it. Figures: the chunk's rows and duration, the share of it
spent in DynamoDB reads (moto's, locally), rows per second overall and of the app's own work
(CSV writing, the upload, progress), and its peak memory (tracemalloc: Python allocations during
the chunk; the process's VmHWM for reference). The target: the chunk well inside Lambda's 1 GB.
"""
from __future__ import annotations

import os
import time
import tracemalloc
from typing import Any

from tests.benchmarks.local_aws import child_main

CUSTOMERS = 30_000


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
    from chalicelib.platform.exports import exportables
    from chalicelib.platform.services import exports
    from chalicelib.platform.services.roles import principal
    from chalicelib.tables import create_tables
    from tests.benchmarks.memory import peak_rss_mib

    create_tables()
    prepare_local_jobs()
    org_id, user_id = new_id(), new_id()
    started = time.monotonic()
    with CustomerModel.batch_write() as batch:
        for number in range(customers):
            item = CustomerModel(org_id, new_id(), name=f"Customer {number}", email=f"customer{number}@example.com",
                                 phone="+44 20 7946 0000", company="Example Trading Ltd", status="active",
                                 owner=user_id, tags=["vip"] if number % 5 == 0 else [], custom_fields={})  # fmt: skip
            customers_table.creation(item, user_id)
            batch.save(item)
    seeding_s = time.monotonic() - started

    owner = principal(user_id, org_id, "owner", "bench")
    job = exports.start_export(owner, {"resource": "customers", "format": "csv"})
    handlers = task_functions(app)
    state = {"job": {"org_id": org_id, "job_id": job["id"]}, "count": {"rows": 0, "done": False}}
    while not state["count"]["done"]:
        state = handlers["export_count"](state, None)

    records = exportables()["customers"].records()
    reading = [0.0]
    search = records.search

    def timed_search(*args: Any, **kwargs: Any) -> Any:
        began = time.perf_counter()
        try:
            return search(*args, **kwargs)
        finally:
            reading[0] += time.perf_counter() - began

    records.search = timed_search
    tracemalloc.start()
    began = time.perf_counter()
    after = handlers["export_chunk"](state, None)
    chunk_s = time.perf_counter() - began
    _, traced_peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    records.search = search
    rows = after["export"]["rows"]
    own_s = chunk_s - reading[0]
    return {
        "customers": customers,
        "seeding_s": round(seeding_s, 1),
        "chunk_rows": rows,
        "chunk_s": round(chunk_s, 2),
        "dynamodb_read_s": round(reading[0], 2),
        "rows_per_s": round(rows / chunk_s),
        "app_rows_per_s": round(rows / own_s) if own_s > 0 else None,
        "part_mib": round(exports.get_settings().export_part_bytes / 2**20, 1),
        "chunk_peak_traced_mib": round(traced_peak / 2**20, 1),
        "process_peak_rss_mib": peak_rss_mib(),
    }


if __name__ == "__main__":
    child_main(measure)
