"""Jobs and exports through HTTP, their state machine (infra/state-machines/export.asl.json)
running on moto's Step Functions interpreter with its tasks dispatched to the app's functions."""
from __future__ import annotations

import csv
import dataclasses
import io
import json
import threading
import time

import boto3
import pytest
import requests

from chalicelib.core import clock
from chalicelib.core.ids import new_id
from chalicelib.crm.contact_management.services import customers
from chalicelib.crm.contact_management.tables.customers import CustomerModel
from chalicelib.crm.contact_management.tables.customers import customers as customers_table
from chalicelib.localdev.stepfunctions import wait_for_executions
from tests.jobs_fixtures import wait_for_job

# Names a spreadsheet would run as formulas, and what CSV must quote: each appears in the data.
AWKWARD_NAMES = ("=HYPERLINK(\"http://x\")", "+1 555", "-2+3", "@SUM(A1)", "\tTabbed", "\rReturned",
                 "Comma, Inc", 'Quote "Q"', "Line\nBreak", "Zoë Ünïcode")  # fmt: skip
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# Reading 10,000 rows twice (count, then export) through moto's Query takes minutes on a busy machine.
LARGE_EXPORT_TIMEOUT_SECONDS = 900


def seed_customers(owner, count: int) -> None:
    """`count` customers of `owner`'s organization, stored as the app stores them (keys and search
    attributes from the table's own creation), written in batches: 10,000 created one request at
    a time would take minutes."""
    with CustomerModel.batch_write() as batch:
        for number in range(count):
            item = CustomerModel(
                owner.org_id, new_id(), name=f"{AWKWARD_NAMES[number % len(AWKWARD_NAMES)]} {number}",
                email=f"customer{number}@example.com", status="active" if number % 3 else "inactive",
                owner=owner.user_id, tags=["vip"] if number % 7 == 0 else [], custom_fields={},
            )  # fmt: skip
            customers_table.creation(item, owner.user_id)
            batch.save(item)


def listed(api, caller, query: str = "") -> list[dict]:
    items, cursor = [], None
    while True:
        reply = api.get(f"/v1/customers?limit=100{query}" + (f"&cursor={cursor}" if cursor else ""), as_=caller)
        assert reply.status == 200, reply.body
        items += reply.json["items"]
        cursor = reply.json["next_cursor"]
        if not cursor:
            return items


def spreadsheet_cell(value) -> str:
    """What the export must write for one value."""
    if value is None:
        return ""
    if isinstance(value, (list, dict)):
        return json.dumps(value, separators=(",", ":"), ensure_ascii=False, sort_keys=True)
    text = str(value)
    return "'" + text if isinstance(value, str) and text.startswith(FORMULA_STARTS) else text


def exports_bucket() -> str:
    from chalicelib.core.settings import get_settings

    return get_settings().exports_bucket


def part_count(upload) -> int:
    parts = boto3.client("s3").list_parts(Bucket=exports_bucket(), Key=upload["Key"], UploadId=upload["UploadId"])
    return len(parts.get("Parts", []))


def download(job) -> bytes:
    reply = requests.get(job["result"]["download_url"], timeout=30)
    assert reply.status_code == 200
    return reply.content


@pytest.fixture
def small_parts(monkeypatch):
    """Parts of 256 KiB instead of S3's 5 MiB minimum (moto's check lowered to match), so an export
    of thousands of rows spans several chunks; and pages of 400 rows instead of 1,000: moto's Query
    costs a read of the whole partition plus a part growing with the square of the page (10 s for
    1,000 of 10,000 rows, 3 s for 400), where DynamoDB's grows with the page."""
    import moto.s3.models

    from chalicelib.platform.services import exports

    settings = dataclasses.replace(exports.get_settings(), export_part_bytes=256 * 1024)
    monkeypatch.setattr(exports, "get_settings", lambda: settings)
    monkeypatch.setattr(exports, "PAGE_ROWS", 400)
    monkeypatch.setattr(moto.s3.models, "S3_UPLOAD_PART_MIN_SIZE", 256 * 1024)


def test_an_export_of_10000_customers_equals_the_list_and_reports_progress_forward_to_100(
    api, owner, step_functions, small_parts, delivered_events
):
    seed_customers(owner, 10_000)
    reply = api.post("/v1/exports", {"resource": "customers", "format": "csv"}, as_=owner)
    assert reply.status == 202, reply.body
    assert reply.header("Location") == f"/v1/jobs/{reply.json['id']}"
    assert reply.json["status"] == "queued"
    seen, job = [], reply.json
    deadline = time.monotonic() + LARGE_EXPORT_TIMEOUT_SECONDS
    while job["status"] in ("queued", "running") and time.monotonic() < deadline:
        seen.append(job["progress"]["rows_done"])
        time.sleep(0.5)
        job = api.get(f"/v1/jobs/{job['id']}", as_=owner).json
    assert job["status"] == "succeeded", job
    assert job["progress"] == {"percent": 100, "rows_done": 10_000, "rows_total": 10_000}
    assert job["result"]["rows"] == 10_000
    assert seen == sorted(seen)

    rows = list(csv.reader(io.StringIO(download(job).decode("utf-8"))))
    header, body = rows[0], rows[1:]
    # The records as the list route shows them (its view), read in one pass: 100 pages through
    # HTTP would take minutes on moto, whose Query reads the whole 10,000-item partition each time.
    expected = [customers.records.view(item) for item in CustomerModel.query(owner.org_id)]
    assert len(body) == len(expected) == 10_000
    assert header == ["id", "name", "email", "phone", "company", "company_id", "tags", "status", "owner",
                      "custom_fields", "owner_team_id", "created_at", "updated_at", "version"]  # fmt: skip
    assert body == [[spreadsheet_cell(item[name]) for name in header] for item in expected]
    assert {row[1][0] for row in body if row[1].startswith("'")} == {"'"}
    assert sum(row[1].startswith("'") for row in body) == 6_000  # the six formula-like names of ten

    progress = [event.data["progress"] for event in delivered_events()
                if event.type == "job.progress" and event.subject_id == job["id"]]  # fmt: skip
    assert len(progress) > 3  # the count, then one per chunk
    assert [step["rows_done"] for step in progress] == sorted(step["rows_done"] for step in progress)
    assert [step["percent"] for step in progress] == sorted(step["percent"] for step in progress)
    assert progress[-1]["rows_done"] == 10_000


def test_a_filtered_jsonl_export_of_chosen_fields(api, owner, step_functions):
    seed_customers(owner, 30)
    reply = api.post("/v1/exports", {"resource": "customers", "format": "jsonl", "filters": {"status": "inactive"},
                                     "fields": ["name", "id"]}, as_=owner)  # fmt: skip
    assert reply.status == 202, reply.body
    job = wait_for_job(api, owner, reply.json["id"])
    lines = download(job).decode("utf-8").splitlines()
    assert [json.loads(line) for line in lines] == [
        {"name": item["name"], "id": item["id"]} for item in listed(api, owner, "&status=inactive")]
    assert job["result"]["rows"] == len(lines) == 10


def test_a_chunk_that_keeps_failing_is_retried_then_fails_the_job_with_a_reason(api, owner, step_functions):
    seed_customers(owner, 5)
    attempts = []

    def failing_chunk(event, context):
        attempts.append(event["export"]["part"])
        raise ConnectionError("the database went away at 10.0.0.7")

    step_functions["export_chunk"] = failing_chunk
    job = wait_for_job(api, owner, api.post("/v1/exports", {"resource": "customers"}, as_=owner).json["id"])
    assert job["status"] == "failed"
    assert attempts == [1, 1, 1]  # the first try and the ASL's two retries
    assert job["reason"] == "A step of the job failed after its retries (ConnectionError)."
    assert "10.0.0.7" not in json.dumps(job) and "result" not in job
    execution = boto3.client("stepfunctions").list_executions(
        stateMachineArn=boto3.client("stepfunctions").list_state_machines()["stateMachines"][0]["stateMachineArn"])
    assert [e["status"] for e in execution["executions"]] == ["FAILED"]


def test_a_chunk_that_fails_once_is_retried_and_the_export_completes(api, owner, step_functions):
    seed_customers(owner, 5)
    real_chunk, attempts = step_functions["export_chunk"], []

    def flaky_chunk(event, context):
        attempts.append(1)
        if len(attempts) == 1:
            raise TimeoutError("slow")
        return real_chunk(event, context)

    step_functions["export_chunk"] = flaky_chunk
    job = wait_for_job(api, owner, api.post("/v1/exports", {"resource": "customers"}, as_=owner).json["id"])
    assert job["status"] == "succeeded" and job["result"]["rows"] == 5 and len(attempts) == 2


def test_cancel_stops_the_execution_and_the_job_stays_cancelled(api, owner, step_functions):
    seed_customers(owner, 5)
    real_chunk, entered, release = step_functions["export_chunk"], threading.Event(), threading.Event()

    def held_chunk(event, context):
        entered.set()
        release.wait(60)
        return real_chunk(event, context)

    step_functions["export_chunk"] = held_chunk
    job_id = api.post("/v1/exports", {"resource": "customers"}, as_=owner).json["id"]
    assert entered.wait(60)
    reply = api.post(f"/v1/jobs/{job_id}/cancel", as_=owner)
    release.set()
    assert reply.status == 200, reply.body
    assert reply.json["status"] == "cancelled" and reply.json["reason"] == "Cancelled by a user."
    sfn = boto3.client("stepfunctions")
    # moto's interpreter stops at the end of the running task (AWS at once): wait for it.
    wait_for_executions(sfn)
    machine = sfn.list_state_machines()["stateMachines"][0]["stateMachineArn"]
    assert [e["status"] for e in sfn.list_executions(stateMachineArn=machine)["executions"]] != ["RUNNING"]
    job = wait_for_job(api, owner, job_id)
    assert job["status"] == "cancelled" and "result" not in job and job["progress"]["rows_done"] == 0
    # The chunk that was running when the cancel came did no work: nothing was uploaded.
    uploads = boto3.client("s3").list_multipart_uploads(Bucket=exports_bucket())
    assert all(not part_count(upload) for upload in uploads.get("Uploads", []))
    assert boto3.client("s3").list_objects_v2(Bucket=exports_bucket()).get("KeyCount") == 0
    assert api.post(f"/v1/jobs/{job_id}/cancel", as_=owner).status == 409


def test_another_organization_cannot_see_cancel_or_list_the_job(api, owner, login_as, step_functions):
    seed_customers(owner, 3)
    job = wait_for_job(api, owner, api.post("/v1/exports", {"resource": "customers"}, as_=owner).json["id"])
    assert f"/{owner.org_id}/exports/{job['id']}/" in job["result"]["download_url"]
    stranger = login_as("owner")
    assert api.get(f"/v1/jobs/{job['id']}", as_=stranger).status == 404
    assert api.post(f"/v1/jobs/{job['id']}/cancel", as_=stranger).status == 404
    assert api.get("/v1/jobs", as_=stranger).json["items"] == []
    theirs = wait_for_job(api, stranger, api.post("/v1/exports", {"resource": "customers"}, as_=stranger).json["id"])
    assert theirs["result"]["rows"] == 0
    assert [item["id"] for item in api.get("/v1/jobs", as_=owner).json["items"]] == [job["id"]]
    assert download(theirs).decode().splitlines()[1:] == []


def test_roles(api, owner, login_as, step_functions):
    viewer, member = login_as("viewer", org_of=owner), login_as("member", org_of=owner)
    assert api.post("/v1/exports", {"resource": "customers"}, as_=viewer).status == 403
    job = wait_for_job(api, member, api.post("/v1/exports", {"resource": "customers"}, as_=member).json["id"])
    assert api.get(f"/v1/jobs/{job['id']}", as_=viewer).status == 200
    assert api.post(f"/v1/jobs/{job['id']}/cancel", as_=viewer).status == 403
    assert api.get("/v1/jobs", as_=viewer).status == 200


@pytest.mark.parametrize("body, status", [
    ({"resource": "secrets"}, 422),
    ({"resource": "customers", "format": "xlsx"}, 422),
    ({"resource": "customers", "format": "pdf"}, 422),
    ({"resource": "customers", "fields": ["name", "password_hash"]}, 422),
    ({"resource": "customers", "filters": {"colour": "red"}}, 400),
    ({"resource": "customers", "filters": {"created_after": "yesterday"}}, 400),
    ({"resource": "customers", "extra": 1}, 422),
    ([], 422),
])  # fmt: skip
def test_a_refused_export_queues_nothing(api, owner, step_functions, body, status):
    reply = api.post("/v1/exports", body, as_=owner)
    assert reply.status == status, reply.body
    assert reply.header("Content-Type") == "application/problem+json"
    assert api.get("/v1/jobs", as_=owner).json["items"] == []


def test_jobs_list_newest_first_in_pages(api, owner, step_functions):
    ids = [wait_for_job(api, owner, api.post("/v1/exports", {"resource": "leads"}, as_=owner).json["id"])["id"]
           for _ in range(3)]  # fmt: skip
    first = api.get("/v1/jobs?limit=2", as_=owner).json
    second = api.get(f"/v1/jobs?limit=2&cursor={first['next_cursor']}", as_=owner).json
    assert [item["id"] for item in first["items"] + second["items"]] == ids[::-1]
    assert second["next_cursor"] is None
    assert api.get(f"/v1/jobs/{new_id()}", as_=owner).status == 404
    assert clock.parse(first["items"][0]["finished_at"]) >= clock.parse(first["items"][0]["created_at"])
