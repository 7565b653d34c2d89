"""Table `jobs`: one item per long-running job (an export, a report run), the record its Step
Functions execution reports to.

Partition `org_id`, sort `job_id` (a time-ordered id): `GET /v1/jobs` is one Query of the
caller's organization, newest first, and another tenant's job id is simply not under the caller's
partition. Jobs expire a while after they finish (TTL `purge_at`), with their files.

Every transition is one conditional UpdateItem, decided by DynamoDB against committed state:
- progress only moves forward (`rows_done` above the stored one) and only while the job is
  queued or running, so a chunk retried by Step Functions, or one finishing after a cancel, cannot
  move it back or revive it;
- a job ends once: succeeded, failed or cancelled on condition it has not ended.
A progress update is a `Change` committed with its audit entry, so its `job.progress` event is
born with it and reaches WebSocket subscribers from the audit_logs stream like every event.
"""
from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

from pynamodb.attributes import (
    MapAttribute,
    NumberAttribute,
    TTLAttribute,
    UnicodeAttribute,
    UnicodeSetAttribute,
    UTCDateTimeAttribute,
)
from pynamodb.exceptions import UpdateError
from pynamodb.models import Model

from chalicelib.platform.tables.base import condition_failed, find, query_page, table_meta

QUEUED = "queued"
RUNNING = "running"
SUCCEEDED = "succeeded"
FAILED = "failed"
CANCELLED = "cancelled"
ACTIVE = (QUEUED, RUNNING)
STATUSES = (QUEUED, RUNNING, SUCCEEDED, FAILED, CANCELLED)
# A finished job (and what it produced) is kept this long, then the TTL removes it.
RETENTION = timedelta(days=7)


class ProgressAttribute(MapAttribute):
    rows_done = NumberAttribute(default=0)
    rows_total = NumberAttribute(null=True)
    percent = NumberAttribute(default=0)


class JobModel(Model):
    Meta = table_meta("jobs")

    org_id = UnicodeAttribute(hash_key=True)
    job_id = UnicodeAttribute(range_key=True)
    kind = UnicodeAttribute()
    status = UnicodeAttribute()
    created_by = UnicodeAttribute()
    # The creator's role (and a custom role's permissions) when the job was started: its tasks read
    # what the creator could read then.
    creator_role = UnicodeAttribute()
    creator_permissions = UnicodeSetAttribute(null=True)
    created_at = UTCDateTimeAttribute()
    started_at = UTCDateTimeAttribute(null=True)
    finished_at = UTCDateTimeAttribute(null=True)
    # What the job was asked to do, as its kind's service validated it.
    parameters_json = UnicodeAttribute()
    progress = ProgressAttribute(default=ProgressAttribute)
    result_json = UnicodeAttribute(null=True)
    reason = UnicodeAttribute(null=True)
    execution_arn = UnicodeAttribute(null=True)
    purge_at = TTLAttribute()

    @property
    def parameters(self) -> dict[str, Any]:
        return json.loads(self.parameters_json)

    @property
    def result(self) -> dict[str, Any] | None:
        return json.loads(self.result_json) if self.result_json else None


def queue_job(job: JobModel) -> None:
    job.purge_at = job.created_at + RETENTION
    job.save(condition=JobModel.job_id.does_not_exist())


def find_job(org_id: str, job_id: str) -> JobModel | None:
    return find(JobModel, org_id, job_id, consistent=True)


def list_jobs(org_id: str, limit: int, cursor: str | None) -> tuple[list[JobModel], str | None]:
    return query_page(JobModel, JobModel, {"org_id": org_id}, org_id, frozenset({"job_id"}), limit, cursor,
                      newest_first=True)  # fmt: skip


def record_execution(job: JobModel, execution_arn: str) -> None:
    job.update(actions=[JobModel.execution_arn.set(execution_arn)])


def progress_update(job: JobModel, rows_done: int, rows_total: int | None, percent: int, now: datetime) -> tuple:
    """The actions and condition of moving `job` to this progress (running from the first chunk)."""
    actions = [
        JobModel.progress.rows_done.set(rows_done),
        JobModel.progress.percent.set(percent),
        JobModel.status.set(RUNNING),
        JobModel.started_at.set(JobModel.started_at | now),
    ]
    if rows_total is not None:
        actions.append(JobModel.progress.rows_total.set(rows_total))
    condition = JobModel.status.is_in(*ACTIVE) & (
        (JobModel.progress.rows_done < rows_done) | ((JobModel.progress.rows_done == rows_done) & (JobModel.status == QUEUED))
    )
    return actions, condition


def finish(org_id: str, job_id: str, status: str, now: datetime, result: dict[str, Any] | None = None,
           reason: str | None = None, progress: dict[str, int] | None = None) -> bool:  # fmt: skip
    """End the job once; False when it had already ended (a cancel that came first, a repeat)."""
    actions = [JobModel.finished_at.set(now), JobModel.purge_at.set(now + RETENTION)]
    if result is not None:
        actions.append(JobModel.result_json.set(json.dumps(result, separators=(",", ":"))))
    if reason is not None:
        actions.append(JobModel.reason.set(reason))
    if progress is not None:
        actions.extend(getattr(JobModel.progress, name).set(value) for name, value in progress.items())
    # Last: moto's in-process DynamoDB applies a SET list in order, where a reader on another
    # thread (a test polling the job) may look in between; DynamoDB itself applies it atomically.
    actions.append(JobModel.status.set(status))
    try:
        JobModel(org_id, job_id).update(actions=actions, condition=JobModel.status.is_in(*ACTIVE))
    except UpdateError as error:
        if condition_failed(error):
            return False
        raise
    return True
