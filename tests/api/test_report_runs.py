"""Running reports as jobs (moto's Step Functions interpreter runs infra/state-machines/report_run
.asl.json): the rows equal a brute-force computation over the records the list route shows, the
CSV matches them, the run is recorded on the report and announced to its owner; tenancy and roles."""
from __future__ import annotations

import csv
import json
import io
import random
from collections import defaultdict
from datetime import date, datetime
from fractions import Fraction
from zoneinfo import ZoneInfo

import pytest
import requests

from chalicelib.crm.reporting.services import report_runs
from tests.conftest import add_users
from tests.jobs_fixtures import wait_for_job

OWNERS = ["ann", "bo", "cy"]


def all_records(api, caller, path):
    items, cursor = [], None
    while True:
        reply = api.get(f"{path}?limit=100" + (f"&cursor={cursor}" if cursor else ""), as_=caller)
        assert reply.status == 200, reply.body
        items += reply.json["items"]
        cursor = reply.json["next_cursor"]
        if cursor is None:
            return items


def brute_force(records, zone):
    """Per (owner, month of close_date): count, exact sum/avg/min of amount, for records whose
    creation falls on or after 2000-01-01 in the zone (all of them) and that close in 2026."""
    groups = defaultdict(list)
    for record in records:
        created = datetime.fromisoformat(record["created_at"].replace("Z", "+00:00")).astimezone(zone).date()
        closes = date.fromisoformat(record["close_date"])
        if created < date(2000, 1, 1) or not date(2026, 1, 1) <= closes <= date(2026, 12, 31):
            continue
        groups[(record["owner"], record["close_date"][:7])].append(Fraction(str(record["amount"])))

    def number(value):
        return int(value) if value.denominator == 1 else float(value)

    return [
        {"owner": owner, "close_date_month": month, "count": len(amounts), "sum_amount": number(sum(amounts)),
         "avg_amount": number(sum(amounts) / len(amounts)), "min_amount": number(min(amounts))}
        for (owner, month), amounts in sorted(groups.items())
    ]  # fmt: skip


REPORT = {
    "name": "Pipeline by owner and month",
    "resource": "opportunities",
    "group_by": [{"field": "owner"}, {"field": "close_date", "bucket": "month"}],
    "measures": [{"function": "count"}, {"function": "sum", "field": "amount"}, {"function": "avg", "field": "amount"},
                 {"function": "min", "field": "amount"}],
    "date_range": {"field": "close_date", "from": "2026-01-01", "to": "2026-12-31"},
}  # fmt: skip


@pytest.fixture
def opportunities(api, owner):
    add_users(owner.org_id, *OWNERS)
    chance = random.Random(13)
    for number in range(45):
        body = {
            "name": f"Deal {number}",
            "amount": chance.choice([0, 1, 99.99, 1234.5, 10_000, chance.randint(1, 10**9) / 100]),
            "close_date": date(chance.choice([2025, 2026, 2026, 2027]), chance.randint(1, 12), chance.randint(1, 28)).isoformat(),
            "owner": chance.choice(OWNERS),
        }
        assert api.post("/v1/opportunities", body, as_=owner).status == 201
    return all_records(api, owner, "/v1/opportunities")


def run(api, caller, report_id):
    reply = api.post(f"/v1/reports/{report_id}/run", as_=caller)
    assert reply.status == 202, reply.body
    assert reply.header("location") == f"/v1/jobs/{reply.json['id']}"
    assert reply.json["kind"] == "report" and reply.json["status"] == "queued"
    return wait_for_job(api, caller, reply.json["id"])


def test_a_run_equals_brute_force_over_the_listed_records(api, owner, opportunities, step_functions, monkeypatch, delivered_events):
    # Pages of 7 and one page per chunk: the run is seven chunks, each merging into the last one's partial.
    monkeypatch.setattr(report_runs, "MAX_PAGE_SIZE", 7)
    monkeypatch.setattr(report_runs, "PAGES_PER_CHUNK", 1)
    assert api.patch("/v1/settings", {"time_zone": "Pacific/Chatham"}, as_=owner).status == 200
    report = api.post("/v1/reports", REPORT, as_=owner).json
    job = run(api, owner, report["id"])
    assert job["status"] == "succeeded", job
    expected = brute_force(opportunities, ZoneInfo("Pacific/Chatham"))
    assert job["result"] == {
        "report_id": report["id"], "columns": report["columns"], "row_count": len(expected), "records_read": 45,
        "results": f"/v1/reports/{report['id']}/results?job_id={job['id']}",
    }  # fmt: skip
    assert job["progress"] == {"percent": 100, "rows_done": 45, "rows_total": 45}

    results = api.get(job["result"]["results"], as_=owner)
    assert results.status == 200, results.body
    assert results.json["rows"] == expected
    assert results.json["columns"] == ["owner", "close_date_month", "count", "sum_amount", "avg_amount", "min_amount"]
    latest = api.get(f"/v1/reports/{report['id']}/results", as_=owner).json
    assert latest["job_id"] == job["id"] and latest["rows"] == expected
    download = requests.get(results.json["download_url"], timeout=10)  # moto's S3 answers the presigned GET
    assert download.status_code == 200
    table = list(csv.reader(io.StringIO(download.text)))
    assert table[0] == results.json["columns"]
    assert table[1:] == [[str(row[column]) for column in table[0]] for row in expected]

    shown = api.get(f"/v1/reports/{report['id']}", as_=owner)
    assert shown.json["last_run"]["job_id"] == job["id"] and shown.json["last_run"]["row_count"] == len(expected)
    assert shown.header("etag") == '"1"', "a run is no edit: the report keeps its version"
    finished = [event for event in delivered_events() if event.type == "report.run_finished"]
    assert [(event.subject_id, event.data["recipients"], event.data["job_id"]) for event in finished] == [
        (report["id"], [owner.user_id], job["id"])
    ]


def test_filters_are_the_list_routes(api, owner, opportunities, step_functions):
    body = {**REPORT, "filters": {"owner": "bo"}, "group_by": [{"field": "owner"}], "measures": [{"function": "count"}],
            "date_range": None}
    report = api.post("/v1/reports", body, as_=owner).json
    job = run(api, owner, report["id"])
    bo = [record for record in opportunities if record["owner"] == "bo"]
    assert api.get(job["result"]["results"], as_=owner).json["rows"] == [{"owner": "bo", "count": len(bo)}]
    assert job["result"]["records_read"] == len(bo), "the filter is the list route's Query, not a pass over everything"


def test_a_report_with_no_records_has_no_rows(api, owner, step_functions):
    report = api.post("/v1/reports", {"name": "Empty", "resource": "tickets", "measures": [{"function": "count"}]}, as_=owner).json
    job = run(api, owner, report["id"])
    assert job["status"] == "succeeded" and job["result"]["row_count"] == 0
    assert api.get(job["result"]["results"], as_=owner).json["rows"] == []


def test_a_failing_chunk_fails_the_job_with_a_reason(api, owner, step_functions):
    def refuses(event, context):
        from chalicelib.platform.services.jobs import JobFailed

        raise JobFailed("The list route refused the filters.")

    step_functions["report_aggregate"] = refuses
    report = api.post("/v1/reports", {"name": "X", "resource": "tickets", "measures": [{"function": "count"}]}, as_=owner).json
    job = run(api, owner, report["id"])
    assert job["status"] == "failed" and job["reason"] == "The list route refused the filters."
    assert api.get(f"/v1/reports/{report['id']}/results", as_=owner).status == 404
    assert api.get(f"/v1/reports/{report['id']}/results?job_id={job['id']}", as_=owner).status == 404


def test_results_of_another_report_or_organization_are_404(api, login_as, owner, step_functions):
    definition = {"name": "T", "resource": "tickets", "measures": [{"function": "count"}]}
    first = api.post("/v1/reports", definition, as_=owner).json
    second = api.post("/v1/reports", definition, as_=owner).json
    job = run(api, owner, first["id"])
    assert api.get(f"/v1/reports/{second['id']}/results?job_id={job['id']}", as_=owner).status == 404
    assert api.get(f"/v1/reports/{second['id']}/results", as_=owner).status == 404
    intruder = login_as("owner")
    for method, path in [("POST", f"/v1/reports/{first['id']}/run"), ("GET", f"/v1/reports/{first['id']}/results"),
                         ("GET", f"/v1/reports/{first['id']}/results?job_id={job['id']}")]:
        reply = api.call(method, path, None, as_=intruder)
        assert reply.status == 404 and reply.header("content-type") == "application/problem+json"
    assert api.get("/v1/jobs", as_=intruder).json["items"] == []


def test_viewers_read_results_but_cannot_run(api, login_as, owner, step_functions):
    report = api.post("/v1/reports", {"name": "T", "resource": "tickets", "measures": [{"function": "count"}]}, as_=owner).json
    job = run(api, owner, report["id"])
    viewer = login_as("viewer", org_of=owner)
    assert api.post(f"/v1/reports/{report['id']}/run", as_=viewer).status == 403
    assert api.get(f"/v1/reports/{report['id']}/results", as_=viewer).json["job_id"] == job["id"]
    assert len(api.get("/v1/jobs", as_=owner).json["items"]) == 1, "the refused run started nothing"


def test_an_unknown_query_parameter_is_400(api, owner, step_functions):
    report = api.post("/v1/reports", {"name": "T", "resource": "tickets", "measures": [{"function": "count"}]}, as_=owner).json
    assert api.get(f"/v1/reports/{report['id']}/results?jobid=x", as_=owner).status == 400


def scheduled(name):
    import boto3

    scheduler = boto3.client("scheduler", region_name="us-east-1")
    try:
        return scheduler.get_schedule(Name=name, GroupName="default")
    except scheduler.exceptions.ResourceNotFoundException:
        return None


def test_a_schedule_follows_the_report_in_the_organizations_time_zone(api, owner):
    assert api.patch("/v1/settings", {"time_zone": "Europe/Paris"}, as_=owner).status == 200
    body = {"name": "Weekly", "resource": "tickets", "measures": [{"function": "count"}],
            "schedule": {"frequency": "weekly", "day": "monday", "time": "08:30"}}
    report = api.post("/v1/reports", body, as_=owner).json
    name = f"report-{owner.org_id}-{report['id']}"
    schedule = scheduled(name)
    assert schedule["ScheduleExpression"] == "cron(30 8 ? * MON *)"
    assert schedule["ScheduleExpressionTimezone"] == "Europe/Paris"
    assert schedule["Target"]["Arn"].endswith(":function:run_scheduled_report")
    assert json.loads(schedule["Target"]["Input"]) == {"org_id": owner.org_id, "report_id": report["id"], "schedule": body["schedule"]}
    path = f"/v1/reports/{report['id']}"
    assert api.patch(path, {"schedule": {"frequency": "daily", "time": "06:05"}}, as_=owner).status == 200
    assert scheduled(name)["ScheduleExpression"] == "cron(5 6 * * ? *)"
    assert api.delete(path, as_=owner).status == 204 and scheduled(name) is None
    assert api.post(f"{path}/restore", as_=owner).status == 200
    assert scheduled(name)["ScheduleExpression"] == "cron(5 6 * * ? *)"
    assert api.patch(path, {"schedule": None}, as_=owner).status == 200 and scheduled(name) is None
    refused = api.post("/v1/reports", {**body, "schedule": {"frequency": "weekly", "time": "08:30"}}, as_=owner)
    assert refused.status == 422 and len(api.get("/v1/reports", as_=owner).json["items"]) == 1


def test_the_scheduler_runs_the_report_as_its_owner(api, owner, step_functions, delivered_events):
    from app import app

    body = {"name": "Daily", "resource": "tickets", "measures": [{"function": "count"}],
            "schedule": {"frequency": "daily", "time": "07:00"}}
    report = api.post("/v1/reports", body, as_=owner).json
    assert api.post("/v1/tickets", {"subject": "Printer"}, as_=owner).status == 201
    fire = {function.name: function for function in app.pure_lambda_functions}["run_scheduled_report"]
    payload = json.loads(scheduled(f"report-{owner.org_id}-{report['id']}")["Target"]["Input"])
    started = fire(payload, None)["started"]
    job = wait_for_job(api, owner, started)
    assert job["status"] == "succeeded" and job["created_by"] == owner.user_id
    assert api.get(job["result"]["results"], as_=owner).json["rows"] == [{"count": 1}]
    assert [event.data["recipients"] for event in delivered_events() if event.type == "report.run_finished"] == [[owner.user_id]]
    # A stale schedule (another time than the report's) or a deleted report runs nothing.
    assert fire({**payload, "schedule": {"frequency": "daily", "time": "09:00"}}, None)["started"] is None
    assert api.delete(f"/v1/reports/{report['id']}", as_=owner).status == 204
    assert fire(payload, None)["started"] is None
    assert len(api.get("/v1/jobs", as_=owner).json["items"]) == 1
