"""Running a report: `POST /v1/reports/{id}/run` starts a job (platform/services/jobs.py) on the
`report_run` state machine (infra/state-machines/report_run.asl.json), whose result is the
report's rows as JSON and a CSV file, served by `GET /v1/reports/{id}/results` (the job's result
gives its counts and that link).

The run reads the resource through its list route's own Query, page by page, with the permissions
of whoever started it (services/sources.py). `aggregate` folds up to PAGES_PER_CHUNK pages (a few
seconds, well inside the 15 s of a task) into the partial aggregate left by the chunk before it
and saves its own under the next number, so a retried chunk starts again from the same partial
and counts nothing twice; the machine loops until the list ends. `finish` turns the last partial
into rows, writes them (JSON and CSV, in the exports bucket under the organization's prefix),
ends the job and records the run on the report, whose audit entry announces
`report.run_finished` to the report's owner (a WebSocket notification; docs/api/reports.md).

The definition is copied into the job when it starts: a run computes what was asked, whatever
edits the report meanwhile.
"""
from __future__ import annotations

import csv
import io
import json
from datetime import timedelta
from collections.abc import Mapping
from typing import Any

from chalicelib.aws.s3 import Bucket, bucket
from chalicelib.core import clock
from chalicelib.core.cursors import MAX_PAGE_SIZE
from chalicelib.core.errors import DomainError, Forbidden, NotFound
from chalicelib.core.events import DomainEvent
from chalicelib.core.ids import can_be_key
from chalicelib.core.search import list_filters
from chalicelib.core.settings import get_settings
from chalicelib.crm.reporting.services.aggregation import Aggregation, Partial, aggregate as fold, rows as rows_of
from chalicelib.crm.reporting.services.reports import aggregation_of, readable_report
from chalicelib.crm.reporting.services.sources import SOURCES
from chalicelib.crm.reporting.tables.reports import ReportModel, reports
from chalicelib.observability import count
from chalicelib.platform.services import jobs
from chalicelib.platform.services.exports import safe_cell
from chalicelib.platform.services.jobs import JobFailed, TaskJob
from chalicelib.platform.services.org_settings import settings_of
from chalicelib.platform.services.auth import custom_role_permissions
from chalicelib.platform.services.roles import READ, Principal, can, principal
from chalicelib.platform.services.teams import record_visibility
from chalicelib.platform.tables.memberships import ACTIVE, find_membership
from chalicelib.platform.tables.visibility import sees_every_record
from chalicelib.platform.tables.writes import Change, audited, commit, plain

KIND = "report"
STATE_MACHINE = "report_run"
# 50 pages of 100 records: a few seconds of Queries per chunk.
PAGES_PER_CHUNK = 50
# Rows a result may hold (a JSON answer and a CSV of a few MB at most); more is a report to narrow.
MAX_ROWS = 10_000
DOWNLOAD_SECONDS = 15 * 60
CSV_TYPE = "text/csv; charset=utf-8"


def start_run(caller: Principal, report_id: str) -> dict[str, Any]:
    report = readable_report(caller, report_id)
    count("ReportRun")
    return start_job(caller, report)


def start_job(caller: Principal, report: ReportModel) -> dict[str, Any]:
    """The job running `report` now, as `caller` (who started it, or its owner on schedule)."""
    parameters = {
        "report_id": report.report_id,
        "name": report.name,
        "resource": report.resource,
        "filters": plain(report.filters) or {},
        "group_by": plain(report.group_by) or [],
        "measures": plain(report.measures),
        "date_range": plain(report.date_range),
        "time_zone": settings_of(report.org_id).time_zone,
    }
    return jobs.start(caller, KIND, STATE_MACHINE, parameters, {"run": {"chunk": 0, "records": 0, "done": False}})


def run_on_schedule(event: dict[str, Any]) -> dict[str, Any]:
    """What EventBridge Scheduler's invocation of `run_scheduled_report` does: run the report as
    its owner, if the report is still there with this very schedule (a schedule left behind by a
    failed write or a removed schedule runs nothing) and its owner is still an active member."""
    org_id, report_id = event["org_id"], event["report_id"]
    try:
        report = reports.get(org_id, report_id)
    except NotFound:
        return {"started": None, "skipped": "the report is gone"}
    if plain(report.schedule) != event["schedule"]:
        return {"started": None, "skipped": "the report is no longer on this schedule"}
    member = find_membership(org_id, report.owner)
    if member is None or member.status != ACTIVE:
        return {"started": None, "skipped": "the report's owner is no longer an active member"}
    owner = principal(member.user_id, org_id, member.role, "schedule", custom_role_permissions(member))
    count("ScheduledReportRun")
    return {"started": start_job(owner, report)["id"]}


def results(caller: Principal, report_id: str, query: Mapping[str, str]) -> dict[str, Any]:
    """GET /v1/reports/{id}/results[?job_id=]: the rows of the report's latest successful run, or
    of the run `job_id` (a report job of this report that succeeded), with a fresh CSV link."""
    report = readable_report(caller, report_id)
    job_id = list_filters(query, ("job_id",)).get("job_id")
    if job_id is None:
        run = plain(report.last_run)
        if not run:
            raise NotFound("This report has not run yet: POST /v1/reports/{id}/run runs it.")
    else:
        run = _succeeded_run(caller, report, job_id)
    if not sees_every_record() and jobs.get(caller, run["job_id"])["created_by"] != caller.user_id:
        # Under team visibility, a run counts what its starter sees: a member reads their own runs.
        raise NotFound("This run counted records you may not see: run the report yourself.")
    base = _run_files(caller.org_id, report_id, run["job_id"])
    rows = json.loads(_bucket().read(f"{base}/rows.json"))
    url = _bucket().presigned_get(f"{base}/report.csv", DOWNLOAD_SECONDS, f"report-{run['job_id']}.csv", CSV_TYPE)
    expires_at = clock.isoformat(clock.now() + timedelta(seconds=DOWNLOAD_SECONDS))
    return {"report_id": report_id, **run, "rows": rows, "download_url": url, "expires_at": expires_at}


# ---------------------------------------------------------------- the state machine's tasks


def aggregate(event: dict[str, Any]) -> dict[str, Any]:
    job = _task_job(event)
    run = event["run"]
    aggregation = _aggregation(job)
    partial = _read_partial(job, run["chunk"]) if run["chunk"] else Partial()
    source = SOURCES[job.parameters["resource"]]
    cursor = run.get("cursor")
    # The creator's team visibility, as their list route applies it (platform/services/teams.py).
    with record_visibility(job.creator):
        for _ in range(PAGES_PER_CHUNK):
            try:
                page = source.page(job.creator, job.parameters["filters"], MAX_PAGE_SIZE, cursor)
            except DomainError as error:  # the list route refuses the filters now (a role change, a bad value)
                raise JobFailed(error.detail) from None
            partial.merge(fold(page["items"], aggregation))
            cursor = page["next_cursor"]
            if cursor is None:
                break
    if len(partial.cells) > MAX_ROWS:
        raise JobFailed(f"The report has more than {MAX_ROWS} rows: narrow its filters, date range or grouping.")
    chunk = run["chunk"] + 1
    _bucket().put(_partial_key(job, chunk), json.dumps(partial.as_json()).encode(), "application/json")
    jobs.report_progress(job, partial.records_read, None)
    return {**event, "run": {"chunk": chunk, "records": partial.records_read, "cursor": cursor, "done": cursor is None}}


def finish(event: dict[str, Any]) -> dict[str, Any]:
    job = _task_job(event)
    run = event["run"]
    aggregation = _aggregation(job)
    partial = _read_partial(job, run["chunk"])
    rows = rows_of(partial, aggregation)
    report_id = job.parameters["report_id"]
    base = _run_files(job.org_id, report_id, job.job_id)
    _bucket().put(f"{base}/rows.json", json.dumps(rows, separators=(",", ":")).encode(), "application/json")
    _bucket().put(f"{base}/report.csv", csv_of(aggregation, rows), CSV_TYPE)
    result = {
        "report_id": report_id,
        "columns": aggregation.columns,
        "row_count": len(rows),
        "records_read": partial.records_read,
        # The rows and the CSV link: the files are read and the link presigned when asked.
        "results": f"/v1/reports/{report_id}/results?job_id={job.job_id}",
    }
    jobs.succeed(job, result, partial.records_read)
    _record_run(job, result)
    return {"job": event["job"], "rows": len(rows)}


def csv_of(aggregation: Aggregation, rows: list[dict[str, Any]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(aggregation.columns)
    writer.writerows([safe_cell(row[column]) for column in aggregation.columns] for row in rows)
    return buffer.getvalue().encode("utf-8")


def _record_run(job: TaskJob, result: dict[str, Any]) -> None:
    """The report's last run, written without touching its version (a run is no edit: the ETag a
    client holds stays good), with an audit entry announcing `report.run_finished` to the owner."""
    report_id = job.parameters["report_id"]
    report = reports.get_including_deleted(job.org_id, report_id)
    last_run = {"job_id": job.job_id, "finished_at": clock.isoformat(clock.now()),
                **{name: result[name] for name in ("columns", "row_count", "records_read")}}
    if (plain(report.last_run) or {}).get("job_id") == job.job_id:
        return  # a retried finish
    entry, event = audited(job.org_id, job.creator.user_id, "run", "report", report_id, {})
    finished = DomainEvent(
        id="", type="report.run_finished", org_id=job.org_id, actor=job.creator.user_id, subject_type="report",
        subject_id=report_id, occurred_at=last_run["finished_at"],
        data={"recipients": [report.owner], "job_id": job.job_id, "name": report.name, "row_count": result["row_count"]},
    )  # fmt: skip
    commit([Change(
        "update", ReportModel(job.org_id, report_id), actions=[ReportModel.last_run.set(last_run)],
        condition=ReportModel.report_id.exists(), audit=entry, event=event,
    )], [finished])  # fmt: skip


def _task_job(event: dict[str, Any]) -> TaskJob:
    job = jobs.task_job(event)
    if job.status not in ("queued", "running"):
        raise JobFailed(f"The job has ended ({job.status}).")
    try:
        job.creator.require(can(SOURCES[job.parameters["resource"]].permission, READ))
    except Forbidden as error:
        raise JobFailed(error.detail) from None
    return job


def _aggregation(job: TaskJob) -> Aggregation:
    parameters = job.parameters
    definition = ReportModel(job.org_id, parameters["report_id"], group_by=parameters["group_by"],
                             measures=parameters["measures"], date_range=parameters["date_range"])  # fmt: skip
    return aggregation_of(definition, parameters["time_zone"])


def _read_partial(job: TaskJob, chunk: int) -> Partial:
    return Partial.from_json(json.loads(_bucket().read(_partial_key(job, chunk))))


def _succeeded_run(caller: Principal, report: ReportModel, job_id: str) -> dict[str, Any]:
    job = jobs.get(caller, job_id) if can_be_key(job_id) else None
    if job is None or job["kind"] != KIND or job["parameters"].get("report_id") != report.report_id:
        raise NotFound("This report has no such run.")
    if job["status"] != "succeeded":
        raise NotFound(f"This run has no results: it is {job['status']}.")
    return {"job_id": job_id, "finished_at": job["finished_at"],
            **{name: job["result"][name] for name in ("columns", "row_count", "records_read")}}


def _run_files(org_id: str, report_id: str, job_id: str) -> str:
    """Where a run keeps its files: under the organization's prefix of the exports bucket."""
    return f"{org_id}/reports/{report_id}/{job_id}"


def _partial_key(job: TaskJob, chunk: int) -> str:
    return f"{_run_files(job.org_id, job.parameters['report_id'], job.job_id)}/partial-{chunk}.json"


def _bucket() -> Bucket:
    """The exports bucket, where runs keep their files, with its tasks' time budget."""
    return bucket(get_settings().exports_bucket, large_transfers=True)
