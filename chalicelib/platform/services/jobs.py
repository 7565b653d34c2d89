"""Jobs: work longer than a request, run by a Step Functions execution and reported on its job item.

A feature that runs jobs (exports, report runs) has a state machine (infra/state-machines/<name>
.asl.json) and task functions; its service calls `start` with the validated parameters and answers
202 with the view. The execution gets `{"job": {"org_id", "job_id"}, **execution_input}`; its
task functions call `task_job(event)` for the job (and its creator as a Principal, so they read
what the creator may read), `report_progress` after each chunk, and `succeed` at the end. Every
machine catches failures into the platform's `job_failed` task, which calls `fail` with the reason.
See /work/wt/JOBS-INTERFACE.md and docs/api/jobs.md.
"""
from __future__ import annotations

import importlib
import json
from dataclasses import dataclass
from typing import Any

from chalicelib.aws import stepfunctions
from chalicelib.core import clock
from chalicelib.core.errors import Conflict, DomainError, NotFound
from chalicelib.core.ids import new_id
from chalicelib.platform.services.roles import CHILD, Principal, is_built_in, principal
from chalicelib.platform.tables import jobs as jobs_table
from chalicelib.platform.tables.jobs import JobModel
from chalicelib.platform.tables.writes import Change, audited, commit, plain

MAX_REASON_CHARS = 500
# Kinds whose stored result is shown through their service's `result_view(caller, job, result)`
# (a fresh presigned link, say), by module; other kinds show their result as stored.
RESULT_VIEWS: dict[str, str] = {"export": "chalicelib.platform.services.exports"}


def register_result_view(kind: str, module_name: str) -> None:
    RESULT_VIEWS[kind] = module_name


class JobFailed(Exception):
    """Raised by a task function for a failure the job's reason may name to its user (a refused
    filter, a resource that went away). Any other exception is retried by the state machine and
    reported as an internal failure without its message."""


class _ProgressNotNewer(DomainError):
    """The job already shows this progress or more, or has ended."""


@dataclass(frozen=True)
class TaskJob:
    """The job a task function works for, as it reads it at the start of the task."""

    org_id: str
    job_id: str
    kind: str
    parameters: dict[str, Any]
    creator: Principal
    status: str


def start(
    caller: Principal, kind: str, state_machine: str, parameters: dict[str, Any],
    execution_input: dict[str, Any] | None = None,
) -> dict[str, Any]:  # fmt: skip
    """Queue a job of `kind` and start its execution; the job's view (status queued)."""
    job = JobModel(
        caller.org_id, new_id(), kind=kind, status=jobs_table.QUEUED, created_by=caller.user_id,
        creator_role=caller.role, creator_permissions=None if is_built_in(caller.role) else set(caller.permissions),
        created_at=clock.now(), parameters_json=json.dumps(parameters, separators=(",", ":")),
    )  # fmt: skip
    jobs_table.queue_job(job)
    task_input = {"job": {"org_id": job.org_id, "job_id": job.job_id}, **(execution_input or {})}
    arn = stepfunctions.start_execution(state_machine, job.job_id, task_input)
    jobs_table.record_execution(job, arn)
    return job_view(job, caller)


def get(caller: Principal, job_id: str) -> dict[str, Any]:
    return job_view(_job(caller, job_id), caller)


def list_page(caller: Principal, limit: int, cursor: str | None) -> dict[str, Any]:
    """A page of the organization's jobs, newest first; a child's page keeps their own only, so it
    may hold fewer than `limit` (follow next_cursor)."""
    items, next_cursor = jobs_table.list_jobs(caller.org_id, limit, cursor)
    return {"items": [job_view(job, caller) for job in items if _visible(caller, job)], "next_cursor": next_cursor}


def cancel(caller: Principal, job_id: str) -> dict[str, Any]:
    """Stop the job's execution and mark it cancelled; 409 when it has ended already."""
    job = _job(caller, job_id)
    if job.status not in jobs_table.ACTIVE:
        raise Conflict(f"The job has ended ({job.status}); only a queued or running job can be cancelled.")
    if job.execution_arn:
        try:
            stepfunctions.stop_execution(job.execution_arn, f"Cancelled by {caller.user_id}")
        except stepfunctions.ExecutionAlreadyEnded:
            pass  # it ended on its own meanwhile; the job item says how, unless the cancel wins below
    if not jobs_table.finish(caller.org_id, job_id, jobs_table.CANCELLED, clock.now(), reason="Cancelled by a user."):
        raise Conflict("The job ended before it could be cancelled.")
    return job_view(_job(caller, job_id), caller)


# ---------------------------------------------------------------- what task functions call


def task_job(event: dict[str, Any]) -> TaskJob:
    """The job of a task's event (the execution's `job` field); JobFailed when it is gone."""
    reference = event["job"]
    job = jobs_table.find_job(reference["org_id"], reference["job_id"])
    if job is None:
        raise JobFailed("The job no longer exists.")
    creator = principal(job.created_by, job.org_id, job.creator_role, "job", job.creator_permissions)
    return TaskJob(job.org_id, job.job_id, job.kind, job.parameters, creator, job.status)


def report_progress(job: TaskJob, rows_done: int, rows_total: int | None) -> bool:
    """Move the job's progress forward and announce it (`job.progress`, to WebSocket
    subscribers); False when it was not newer (a retried chunk) or the job has ended (cancelled)."""
    percent = _percent(rows_done, rows_total)
    now = clock.now()
    actions, condition = jobs_table.progress_update(JobModel(job.org_id, job.job_id), rows_done, rows_total, percent, now)
    progress = {"percent": percent, "rows_done": rows_done, "rows_total": rows_total}
    entry, event = audited(job.org_id, job.creator.user_id, "progress", "job", job.job_id, {"progress": progress})
    event.data["progress"] = progress
    try:
        commit([Change("update", JobModel(job.org_id, job.job_id), actions=actions, condition=condition,
                       on_condition_failed=_ProgressNotNewer("stale progress"), audit=entry, event=event)])
    except _ProgressNotNewer:
        return False
    return True


def succeed(job: TaskJob, result: dict[str, Any], rows_done: int) -> bool:
    progress = {"percent": 100, "rows_done": rows_done, "rows_total": rows_done}
    return jobs_table.finish(job.org_id, job.job_id, jobs_table.SUCCEEDED, clock.now(), result=result, progress=progress)


def fail(event: dict[str, Any]) -> bool:
    """The `job_failed` task: end the job with the reason its machine caught (`error`: the
    States error and cause)."""
    reference = event["job"]
    return jobs_table.finish(reference["org_id"], reference["job_id"], jobs_table.FAILED, clock.now(),
                             reason=failure_reason(event.get("error") or {}))  # fmt: skip


def failure_reason(error: dict[str, Any]) -> str:
    """What the user is told: a JobFailed's own message; for anything else only its kind, since
    an internal message may name tables, keys or other tenants' data."""
    name = str(error.get("Error") or "Unknown")
    try:
        cause = json.loads(error.get("Cause") or "{}")
    except ValueError:
        cause = {}
    if name == JobFailed.__name__ and isinstance(cause, dict) and cause.get("errorMessage"):
        return str(cause["errorMessage"])[:MAX_REASON_CHARS]
    if name == "States.Timeout":
        return "A step of the job ran out of time after its retries."
    return f"A step of the job failed after its retries ({name[:100]})."


# ---------------------------------------------------------------- views


def job_view(job: JobModel, caller: Principal) -> dict[str, Any]:
    view: dict[str, Any] = {
        "id": job.job_id,
        "kind": job.kind,
        "status": job.status,
        "progress": {
            "percent": int(job.progress.percent or 0),
            "rows_done": int(job.progress.rows_done or 0),
            "rows_total": None if job.progress.rows_total is None else int(job.progress.rows_total),
        },
        "parameters": job.parameters,
        "created_by": job.created_by,
        "created_at": plain(job.created_at),
        "started_at": plain(job.started_at),
        "finished_at": plain(job.finished_at),
    }
    if job.status == jobs_table.SUCCEEDED:
        result = job.result or {}
        view_module = RESULT_VIEWS.get(job.kind)
        view["result"] = importlib.import_module(view_module).result_view(caller, job, result) if view_module else result
    if job.status in (jobs_table.FAILED, jobs_table.CANCELLED):
        view["reason"] = job.reason
    return view


def _job(caller: Principal, job_id: str) -> JobModel:
    job = jobs_table.find_job(caller.org_id, job_id)
    if job is None or not _visible(caller, job):
        raise NotFound("No such job.")
    return job


def _visible(caller: Principal, job: JobModel) -> bool:
    """A child (StoryVerse) sees the jobs they started only: a sibling's parameters name their
    stories and prompts."""
    return caller.role != CHILD or job.created_by == caller.user_id


def _percent(rows_done: int, rows_total: int | None) -> int:
    """Below 100 until the job succeeds: the last step (assembling the file) is still to come."""
    if not rows_total:
        return 0
    return min(99, rows_done * 100 // rows_total)
