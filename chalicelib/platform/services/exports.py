"""Data export (`POST /v1/exports`): a list route's records, filtered as the route filters them, as
one CSV or JSON Lines file in the environment's exports bucket under the organization's prefix.

A job (platform/services/jobs.py) on the `export` state machine (infra/state-machines/
export.asl.json): `count` tallies the matching rows a bounded number of pages at a time (so
progress has a total), `chunk` reads the list route's own query page by page with the creator's
principal until it holds one multipart part (at least 5 MiB, S3's minimum, or the rest) and
uploads it, `finish` assembles the parts. The machine loops over each with a Choice, retries a
failing task and catches what still fails into the job's failure. The file's link is presigned
when the job is read, for 15 minutes.
"""
from __future__ import annotations

import csv
import io
import json
from datetime import timedelta
from typing import Any

from chalicelib.aws.s3 import Bucket, bucket
from chalicelib.core import clock
from chalicelib.core.errors import Forbidden, ValidationFailed
from chalicelib.core.search import parse_search
from chalicelib.core.settings import get_settings
from chalicelib.core.validation import validate
from chalicelib.platform.exports import Exportable, exportables
from chalicelib.platform.services import jobs
from chalicelib.platform.services.jobs import JobFailed, TaskJob
from chalicelib.platform.services.roles import Principal
from chalicelib.platform.services.teams import record_visibility
from chalicelib.platform.tables.visibility import sees_every_record

KIND = "export"
STATE_MACHINE = "export"
FORMATS = {"csv": "text/csv; charset=utf-8", "jsonl": "application/x-ndjson"}
DOWNLOAD_SECONDS = 15 * 60
# The list route's query, read in pages of this many rows (one Query each: ~300 KB of records, well
# under DynamoDB's 1 MB a Query returns) rather than the route's 100, for a tenth of the round trips.
PAGE_ROWS = 1000
# Pages one count task reads: a few seconds of Queries, well inside 15 s.
COUNT_PAGES_PER_TASK = 20
# Spreadsheets run a cell starting with one of these as a formula (OWASP "CSV injection"); tab and
# carriage return are stripped by some before they look.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

EXPORT_SCHEMA = {
    "type": "object",
    "additionalProperties": False,
    "required": ["resource"],
    "properties": {
        "resource": {"type": "string", "description": "The list route's collection, e.g. customers."},
        "filters": {
            "type": "object", "additionalProperties": {"type": "string"},
            "description": "The list route's query parameters (limit and cursor excepted).",
        },
        "format": {"type": "string", "enum": ["csv", "jsonl", "xlsx"], "default": "csv"},
        "fields": {"type": "array", "items": {"type": "string"}, "minItems": 1, "uniqueItems": True},
    },
}  # fmt: skip


def start_export(caller: Principal, body: Any) -> dict[str, Any]:
    request = validate(EXPORT_SCHEMA, body)
    exportable = exportables().get(request["resource"])
    if exportable is None:
        raise ValidationFailed("This resource cannot be exported.", [
            {"field": "resource", "message": f"must be one of {', '.join(sorted(exportables()))}"}])
    caller.require(exportable.read)
    if request["format"] == "xlsx":
        # An xlsx file is one zip archive: it cannot be written part by part by separate chunks.
        raise ValidationFailed("xlsx is not offered (an xlsx file cannot be written in chunks): export csv, which "
                               "every spreadsheet opens.", [
            {"field": "format", "message": "must be csv or jsonl"}])
    filters = request.get("filters") or {}
    parse_search(filters, exportable.filters)  # the list route's own 400s, before anything is queued
    columns = exportable.columns()
    fields = request.get("fields") or list(columns)
    unknown = [name for name in fields if name not in columns]
    if unknown:
        raise ValidationFailed("Unknown fields.", [
            {"field": "fields", "message": f"{name!r} is not a field of {exportable.resource}"} for name in unknown])
    parameters = {"resource": exportable.resource, "filters": filters, "format": request["format"], "fields": fields}
    return jobs.start(caller, KIND, STATE_MACHINE, parameters, {"count": {"rows": 0, "done": False}})


# ---------------------------------------------------------------- the state machine's tasks


def count(event: dict[str, Any]) -> dict[str, Any]:
    job, exportable = _task(event)
    counted = event["count"]
    rows, cursor = counted["rows"], counted.get("cursor")
    # The creator's team visibility, as their list route applies it (platform/services/teams.py).
    with record_visibility(job.creator):
        for _ in range(COUNT_PAGES_PER_TASK):
            page = _page(exportable, job, cursor)
            rows += len(page["items"])
            cursor = page["next_cursor"]
            if cursor is None:
                break
    done = cursor is None
    if done:
        jobs.report_progress(job, 0, rows)
    upload = _start_upload(job) if done else None
    return {**event, "count": {"rows": rows, "cursor": cursor, "done": done},
            **({"export": {**upload, "rows": 0, "part": 1, "done": False}} if upload else {})}  # fmt: skip


def chunk(event: dict[str, Any]) -> dict[str, Any]:
    job, exportable = _task(event)
    state = event["export"]
    fields, file_format = job.parameters["fields"], job.parameters["format"]
    buffer = io.StringIO()
    if state["part"] == 1 and file_format == "csv":
        csv.writer(buffer).writerow(fields)
    rows, cursor = state["rows"], state.get("cursor")
    part_bytes = get_settings().export_part_bytes
    with record_visibility(job.creator):
        while True:
            page = _page(exportable, job, cursor)
            write_rows(buffer, file_format, fields, page["items"])
            rows += len(page["items"])
            cursor = page["next_cursor"]
            if cursor is None or buffer.tell() >= part_bytes:
                break
    _bucket().upload_part(state["key"], state["upload_id"], state["part"], buffer.getvalue().encode("utf-8"))
    jobs.report_progress(job, rows, max(rows, event["count"]["rows"]))
    return {**event, "export": {**state, "rows": rows, "cursor": cursor, "part": state["part"] + 1, "done": cursor is None}}


def finish(event: dict[str, Any]) -> dict[str, Any]:
    job, _ = _task(event)
    state = event["export"]
    _bucket().complete_multipart_upload(state["key"], state["upload_id"])
    jobs.succeed(job, {"file_key": state["key"], "rows": state["rows"], "format": job.parameters["format"]}, state["rows"])
    return {"job": event["job"], "rows": state["rows"]}


def result_view(caller: Principal, job: Any, job_result: dict[str, Any]) -> dict[str, Any]:
    """A finished export's result as GET /v1/jobs/{id} shows it: a fresh 15-minute link, for a
    caller who may read the exported resource and, under team visibility, sees all it holds (its
    creator, or an owner or admin); others see the row count only."""
    shown = {"rows": job_result["rows"], "format": job_result["format"]}
    exportable = exportables().get(job.parameters["resource"])
    if exportable is None or exportable.read not in caller.permissions:
        return shown
    if caller.user_id != job.created_by and not sees_every_record():
        return shown
    key = job_result["file_key"]
    url = _bucket().presigned_get(key, DOWNLOAD_SECONDS, key.rsplit("/", 1)[-1], FORMATS[job_result["format"]])
    expires_at = clock.isoformat(clock.now() + timedelta(seconds=DOWNLOAD_SECONDS))
    return {"download_url": url, "expires_at": expires_at, **shown}


# ---------------------------------------------------------------- files


def write_rows(buffer: io.StringIO, file_format: str, fields: list[str], items: list[dict[str, Any]]) -> None:
    if file_format == "jsonl":
        for item in items:
            buffer.write(json.dumps({name: item.get(name) for name in fields}, separators=(",", ":"), ensure_ascii=False))
            buffer.write("\n")
        return
    writer = csv.writer(buffer)
    writer.writerows([safe_cell(item.get(name)) for name in fields] for item in items)


def safe_cell(value: Any) -> str:
    """A value as a spreadsheet shows it and never runs: lists and objects as JSON, and a text
    that a spreadsheet would take for a formula prefixed with an apostrophe (OWASP's advice)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, dict)):
        text = json.dumps(value, separators=(",", ":"), ensure_ascii=False, sort_keys=True)
    else:
        text = str(value)
    if isinstance(value, str) and text.startswith(FORMULA_STARTS):
        return "'" + text
    return text


def _task(event: dict[str, Any]) -> tuple[TaskJob, Exportable]:
    job = jobs.task_job(event)
    if job.status not in ("queued", "running"):
        raise JobFailed(f"The job has ended ({job.status}).")
    exportable = exportables().get(job.parameters["resource"])
    if exportable is None:
        raise JobFailed("This resource can no longer be exported.")
    try:
        job.creator.require(exportable.read)
    except Forbidden as error:
        raise JobFailed(error.detail) from None
    return job, exportable


def _page(exportable: Exportable, job: TaskJob, cursor: str | None) -> dict[str, Any]:
    spec = parse_search(job.parameters["filters"], exportable.filters)
    return exportable.records().search(job.creator, spec, PAGE_ROWS, cursor)


def _start_upload(job: TaskJob) -> dict[str, str]:
    file_format = job.parameters["format"]
    key = f"{job.org_id}/exports/{job.job_id}/{job.parameters['resource']}.{file_format}"
    upload_id = _bucket().start_multipart_upload(key, FORMATS[file_format])
    return {"key": key, "upload_id": upload_id}


def _bucket() -> Bucket:
    return bucket(get_settings().exports_bucket, large_transfers=True)
