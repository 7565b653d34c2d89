"""Jobs in tests: moto's Step Functions interpreter runs the state machines of
infra/state-machines/ with their Task states dispatched to the app's own Lambda functions
(chalicelib/localdev/stepfunctions.py), and the exports bucket exists. Loaded by tests/conftest.py.

- `step_functions` fixture: yields the dispatcher's {function name: handler}; a test may replace
  one (`step_functions["export_chunk"] = failing`) to make a task fail;
- `wait_for_job(api, caller, job_id)`: polls GET /v1/jobs/{id} until the job has ended and
  returns its body (the interpreter runs executions on its own thread).
"""
from __future__ import annotations

import time
from typing import Any

import pytest

ENDED = ("succeeded", "failed", "cancelled")
# Generous: an execution waits for its retries' pauses (1 s, 2 s) and the CI machine is busy.
JOB_TIMEOUT_SECONDS = 180


@pytest.fixture
def step_functions(aws):
    import boto3

    from app import app
    from chalicelib.core.settings import get_settings
    from chalicelib.localdev import stepfunctions as local_step_functions

    settings = get_settings()
    with local_step_functions.dispatch_tasks(local_step_functions.task_functions(app)) as handlers:
        local_step_functions.prepare_local_jobs()
        yield handlers
        local_step_functions.wait_for_executions(boto3.client("stepfunctions", region_name=settings.region))


def wait_for_job(api: Any, caller: Any, job_id: str, until: tuple[str, ...] = ENDED) -> dict[str, Any]:
    deadline = time.monotonic() + JOB_TIMEOUT_SECONDS
    while True:
        reply = api.get(f"/v1/jobs/{job_id}", as_=caller)
        assert reply.status == 200, reply.body
        if reply.json["status"] in until:
            return reply.json
        assert time.monotonic() < deadline, f"job still {reply.json['status']}: {reply.json}"
        time.sleep(0.05)
