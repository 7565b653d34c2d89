"""Custom reports: definitions (CRUD, validation, audit, tenancy, roles)."""
from __future__ import annotations

import pytest

REPORT = {
    "name": "Pipeline by stage and month",
    "resource": "opportunities",
    "filters": {"owner": "u1"},
    "group_by": [{"field": "stage"}, {"field": "created_at", "bucket": "month"}],
    "measures": [{"function": "count"}, {"function": "sum", "field": "amount"}, {"function": "avg", "field": "probability"}],
    "date_range": {"field": "close_date", "from": "2026-01-01", "to": "2026-12-31"},
}


def history(api, caller, report_id):
    reply = api.get(f"/v1/audit-logs?target_type=report&target_id={report_id}", as_=caller)
    assert reply.status == 200, reply.body
    return [entry["action"] for entry in reply.json["items"]]


def stored(api, caller):
    return api.get("/v1/reports", as_=caller).json["items"]


@pytest.fixture
def report(api, owner):
    reply = api.post("/v1/reports", REPORT, as_=owner)
    assert reply.status == 201, reply.body
    return reply.json


def test_create_read_list_with_location_etag_and_columns(api, owner, report):
    assert report["owner"] == owner.user_id and report["schedule"] is None
    assert report["columns"] == ["stage", "created_at_month", "count", "sum_amount", "avg_probability"]
    assert {name: report[name] for name in REPORT} == REPORT
    fetched = api.get(f"/v1/reports/{report['id']}", as_=owner)
    assert fetched.status == 200 and fetched.json == report and fetched.header("etag") == '"1"'
    assert stored(api, owner) == [report]
    assert history(api, owner, report["id"]) == ["created"]


def test_replace_patch_delete_restore_with_versions_and_audit(api, owner, report):
    path = f"/v1/reports/{report['id']}"
    minimal = {"name": "Count", "resource": "tickets", "measures": [{"function": "count"}]}
    assert api.put(path, minimal, as_=owner).status == 428
    replaced = api.put(path, minimal, as_=owner, headers={"If-Match": '"1"'})
    assert replaced.status == 200, replaced.body
    assert replaced.json["filters"] == {} and replaced.json["group_by"] == [] and replaced.json["date_range"] is None
    assert replaced.json["version"] == 2
    assert api.patch(path, {"name": "Stale"}, as_=owner, headers={"If-Match": '"1"'}).status == 412
    patched = api.patch(path, {"group_by": [{"field": "priority"}], "schedule": {"frequency": "daily", "time": "07:30"}}, as_=owner)
    assert patched.status == 200, patched.body
    assert patched.json["columns"] == ["priority", "count"]
    assert patched.json["schedule"] == {"frequency": "daily", "time": "07:30"}
    assert api.delete(path, as_=owner).status == 204
    assert api.get(path, as_=owner).status == 404 and stored(api, owner) == []
    assert api.post(f"{path}/restore", as_=owner).json["name"] == "Count"
    assert history(api, owner, report["id"]) == ["restored", "deleted", "updated", "updated", "created"]


@pytest.mark.parametrize(
    "change, field",
    [
        ({"resource": "invoices"}, "resource"),
        ({"group_by": [{"field": "colour"}]}, "group_by[0].field"),
        ({"group_by": [{"field": "stage"}, {"field": "owner"}, {"field": "currency"}]}, "group_by"),
        ({"group_by": [{"field": "created_at"}]}, "group_by[0].bucket"),
        ({"group_by": [{"field": "stage", "bucket": "month"}]}, "group_by[0].bucket"),
        ({"group_by": [{"field": "created_at", "bucket": "year"}]}, "group_by[0].bucket"),
        ({"group_by": [{"field": "stage"}, {"field": "stage"}]}, "group_by[1].field"),
        ({"measures": []}, "measures"),
        ({"measures": [{"function": "sum", "field": "stage"}]}, "measures[0].field"),
        ({"measures": [{"function": "avg", "field": "nothing"}]}, "measures[0].field"),
        ({"measures": [{"function": "max"}]}, "measures[0].field"),
        ({"measures": [{"function": "count", "field": "amount"}]}, "measures[0].field"),
        ({"measures": [{"function": "median", "field": "amount"}]}, "measures[0].function"),
        ({"measures": [{"function": "count"}, {"function": "count"}]}, "measures[1]"),
        ({"date_range": {"field": "stage"}}, "date_range.field"),
        ({"date_range": {"field": "close_date", "from": "2026-02-30"}}, "date_range.from"),
        ({"date_range": {"field": "close_date", "from": "2026-03-01", "to": "2026-02-01"}}, "date_range.from"),
        ({"filters": {"colour": "red"}}, "filters.colour"),
        ({"filters": {"stage": "won"}}, "filters.stage"),
        ({"filters": {"owner": ""}}, "filters.owner"),
        ({"schedule": {"frequency": "weekly", "time": "08:00"}}, "schedule.day"),
        ({"schedule": {"frequency": "daily", "day": "monday", "time": "08:00"}}, "schedule.day"),
        ({"schedule": {"frequency": "hourly", "time": "08:00"}}, "schedule.frequency"),
        ({"schedule": {"frequency": "daily", "time": "24:00"}}, "schedule.time"),
        ({"owner": "nobody-here"}, "owner"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_bad_definitions_are_422_naming_the_field_and_write_nothing(api, owner, change, field):
    reply = api.post("/v1/reports", {**REPORT, **change}, as_=owner)
    assert reply.status == 422, reply.body
    assert reply.header("content-type") == "application/problem+json"
    assert field in [error["field"] for error in reply.json["errors"]], reply.json
    assert stored(api, owner) == []


def test_a_bad_patch_is_422_and_changes_nothing(api, owner, report):
    path = f"/v1/reports/{report['id']}"
    # Valid alone, but amount is not a field of tickets: the definition is checked whole.
    reply = api.patch(path, {"resource": "tickets"}, as_=owner)
    assert reply.status == 422 and "measures[1].field" in [error["field"] for error in reply.json["errors"]]
    assert api.get(path, as_=owner).json == report
    assert history(api, owner, report["id"]) == ["created"]


def test_every_error_of_a_definition_is_named_at_once(api, owner):
    body = {**REPORT, "group_by": [{"field": "colour"}], "measures": [{"function": "sum", "field": "stage"}],
            "date_range": {"field": "owner"}}
    reply = api.post("/v1/reports", body, as_=owner)
    assert [error["field"] for error in reply.json["errors"]] == ["group_by[0].field", "measures[0].field", "date_range.field"]


ROUTES = [
    ("GET", "/v1/reports/{id}", None),
    ("PUT", "/v1/reports/{id}", REPORT),
    ("PATCH", "/v1/reports/{id}", {"name": "Hijacked"}),
    ("DELETE", "/v1/reports/{id}", None),
    ("POST", "/v1/reports/{id}/restore", None),
]


@pytest.mark.parametrize("method, template, body", ROUTES)
def test_another_organizations_report_is_404(api, login_as, owner, report, method, template, body):
    intruder = login_as("owner")
    reply = api.call(method, template.format(id=report["id"]), body, as_=intruder, headers={"If-Match": '"1"'})
    assert reply.status == 404
    assert reply.header("content-type") == "application/problem+json"
    assert api.get(f"/v1/reports/{report['id']}", as_=owner).json == report
    assert stored(api, intruder) == []


def test_viewers_read_reports_but_cannot_write_them(api, login_as, owner, report):
    viewer = login_as("viewer", org_of=owner)
    path = f"/v1/reports/{report['id']}"
    assert api.get(path, as_=viewer).status == 200
    for method, target, body in [("POST", "/v1/reports", REPORT), ("PUT", path, REPORT), ("PATCH", path, {"name": "x"}),
                                 ("DELETE", path, None), ("POST", f"{path}/restore", None),
                                 ("POST", "/v1/reports/batch", {"items": [REPORT]})]:
        reply = api.call(method, target, body, as_=viewer, headers={"If-Match": '"1"'})
        assert reply.status == 403, (method, target)
    assert api.get(path, as_=owner).json == report


def test_a_report_needs_the_read_permission_of_what_it_covers(api, login_as, owner, report):
    """A custom role with reports but not opportunities may not see opportunities through a report."""
    role = api.post("/v1/roles", {"name": "Analyst", "permissions": ["reports:read", "reports:write", "tickets:read"]}, as_=owner)
    assert role.status == 201, role.body
    member = login_as("member", org_of=owner)
    assert api.put(f"/v1/users/{member.user_id}/role", {"role": role.json["id"]}, as_=owner).status == 200
    analyst = {"Authorization": f"Bearer {api.login(member.email).json['access_token']}"}
    assert api.get(f"/v1/reports/{report['id']}", headers=analyst).status == 403
    assert api.post("/v1/reports", REPORT, headers=analyst).status == 403
    tickets = {"name": "Tickets", "resource": "tickets", "measures": [{"function": "count"}]}
    assert api.post("/v1/reports", tickets, headers=analyst).status == 201
    assert len(stored(api, owner)) == 2
