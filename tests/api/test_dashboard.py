"""Dashboard: figures from the counters kept on write, for a period of days."""
from __future__ import annotations

from datetime import date, timedelta

import pytest

from chalicelib.core import clock
from chalicelib.platform.tables.writes import commit, increment


def bump(org_id, key, by=1):
    """Keep a counter as the domains do on write: writes.increment inside writes.commit."""
    commit([increment(org_id, key, by)])


def test_figures_come_from_the_counters(api, owner):
    org = owner.org_id
    bump(org, "leads_created#2026-03-01", 3)
    bump(org, "leads_created#2026-03-03", 1)
    bump(org, "leads_created#2026-02-28", 7)  # before the period
    bump(org, "leads_converted#2026-03-03", 2)
    bump(org, "opportunities_stage#lead", 4)
    bump(org, "opportunities_stage#lead", -1)
    bump(org, "opportunities_stage#closed_won", 2)
    bump(org, "tickets_status#open", 5)
    bump(org, "tickets_status#resolved", 1)
    reply = api.get("/v1/dashboard?from=2026-03-01&to=2026-03-04", as_=owner)
    assert reply.status == 200, reply.body
    figures = reply.json
    assert figures["from"] == "2026-03-01" and figures["to"] == "2026-03-04"
    assert figures["leads_created_per_day"] == [
        {"date": "2026-03-01", "count": 3},
        {"date": "2026-03-02", "count": 0},
        {"date": "2026-03-03", "count": 1},
        {"date": "2026-03-04", "count": 0},
    ]
    assert figures["leads_created"] == 4 and figures["leads_converted"] == 2
    assert figures["conversion_rate"] == 0.5
    assert figures["opportunities_by_stage"] == {"lead": 3, "qualified": 0, "proposal": 0, "negotiation": 0,
                                                 "closed_won": 2, "closed_lost": 0}
    assert figures["tickets_by_status"] == {"open": 5, "pending": 0, "resolved": 1, "closed": 0}


def test_conversion_rate_is_null_without_leads(api, owner):
    figures = api.get("/v1/dashboard?from=2026-01-01&to=2026-01-31", as_=owner).json
    assert figures["conversion_rate"] is None
    assert len(figures["leads_created_per_day"]) == 31
    assert all(day["count"] == 0 for day in figures["leads_created_per_day"])


def test_the_default_period_is_the_last_30_days(api, owner):
    today = clock.now().date()
    bump(owner.org_id, f"leads_created#{today.isoformat()}", 2)
    bump(owner.org_id, f"leads_created#{(today - timedelta(days=30)).isoformat()}", 9)
    figures = api.get("/v1/dashboard", as_=owner).json
    days = figures["leads_created_per_day"]
    assert len(days) == 30 and days[-1] == {"date": today.isoformat(), "count": 2}
    assert figures["from"] == (today - timedelta(days=29)).isoformat()
    assert figures["leads_created"] == 2


def test_a_brute_force_sum_matches(api, owner):
    import random

    rng = random.Random(7)
    start = date(2025, 12, 20)
    daily = {start + timedelta(days=offset): rng.randint(0, 5) for offset in range(40)}
    for day, number in daily.items():
        if number:
            bump(owner.org_id, f"leads_created#{day.isoformat()}", number)
    first, last = date(2025, 12, 25), date(2026, 1, 20)
    figures = api.get(f"/v1/dashboard?from={first}&to={last}", as_=owner).json
    expected = [{"date": day.isoformat(), "count": number} for day, number in sorted(daily.items()) if first <= day <= last]
    assert figures["leads_created_per_day"] == expected
    assert figures["leads_created"] == sum(item["count"] for item in expected)


@pytest.mark.parametrize(
    "query, field",
    [
        ("from=2026-03-05&to=2026-03-01", "from"),
        ("from=2025-01-01&to=2026-01-02", "from"),
        ("from=2026-3-1", "from"),
        ("to=yesterday", "to"),
        ("from=2026-02-30", "from"),
        ("since=2026-01-01", "since"),
    ],
)
def test_bad_periods_are_400(api, owner, query, field):
    reply = api.get(f"/v1/dashboard?{query}", as_=owner)
    assert reply.status == 400, reply.body
    assert reply.header("content-type") == "application/problem+json"
    assert reply.json["field"] == field


def test_a_full_year_is_allowed(api, owner):
    reply = api.get("/v1/dashboard?from=2024-01-01&to=2024-12-31", as_=owner)
    assert reply.status == 200 and len(reply.json["leads_created_per_day"]) == 366


def test_another_organizations_counters_do_not_show(api, login_as, owner):
    other = login_as("owner")
    bump(other.org_id, "leads_created#2026-03-01", 5)
    bump(other.org_id, "tickets_status#open", 5)
    figures = api.get("/v1/dashboard?from=2026-03-01&to=2026-03-01", as_=owner).json
    assert figures["leads_created"] == 0 and figures["tickets_by_status"]["open"] == 0


@pytest.mark.parametrize("role", ["admin", "member", "viewer"])
def test_every_built_in_role_reads_the_dashboard(api, login_as, owner, role):
    assert api.get("/v1/dashboard", as_=login_as(role, org_of=owner)).status == 200


def test_the_dashboard_is_read_only(api, owner):
    for method in ("POST", "PUT", "PATCH", "DELETE"):
        assert api.call(method, "/v1/dashboard", {}, as_=owner).status == 405


def test_a_custom_role_without_dashboard_read_is_403(api, login_as, owner):
    role = api.post("/v1/roles", {"name": "Tickets only", "permissions": ["tickets:read"]}, as_=owner).json
    member = login_as("member", org_of=owner)
    api.put(f"/v1/users/{member.user_id}/role", {"role": role["id"]}, as_=owner)
    token = api.login(member.email).json["access_token"]
    assert api.get("/v1/dashboard", headers={"Authorization": f"Bearer {token}"}).status == 403


def _declared(*routes):
    from app import app

    return all(method in app.routes.get(path, {}) for method, path in routes)


@pytest.mark.skipif(
    not _declared(("POST", "/v1/leads"), ("POST", "/v1/leads/{lead_id}/convert"), ("POST", "/v1/tickets"),
                  ("PATCH", "/v1/tickets/{ticket_id}"), ("PUT", "/v1/opportunities/{opportunity_id}/stage")),
    reason="the leads, tickets and opportunities routes are not in this build",
)
def test_end_to_end_through_the_domain_routes(api, owner):
    """Leads, conversions, opportunities and tickets created over HTTP move the dashboard."""
    today = clock.now().date().isoformat()
    leads = [api.post("/v1/leads", {"name": f"Lead {index}"}, as_=owner) for index in range(4)]
    assert all(reply.status == 201 for reply in leads), [reply.body for reply in leads]
    converted = api.post(f"/v1/leads/{leads[0].json['id']}/convert",
                         {"create_opportunity": True, "opportunity_name": "First deal", "amount": 1000}, as_=owner)
    assert converted.status in (200, 201), converted.body
    opportunity_id = converted.json["opportunity_id"]
    moved = api.put(f"/v1/opportunities/{opportunity_id}/stage", {"stage": "qualified"}, as_=owner)
    assert moved.status == 200, moved.body
    ticket = api.post("/v1/tickets", {"subject": "Broken", "priority": "high"}, as_=owner)
    assert ticket.status == 201, ticket.body
    api.post("/v1/tickets", {"subject": "Also broken"}, as_=owner)
    resolved = api.patch(f"/v1/tickets/{ticket.json['id']}", {"status": "resolved"}, as_=owner)
    assert resolved.status == 200, resolved.body

    figures = api.get(f"/v1/dashboard?from={today}&to={today}", as_=owner).json
    assert figures["leads_created_per_day"] == [{"date": today, "count": 4}]
    assert figures["leads_converted"] == 1 and figures["conversion_rate"] == 0.25
    assert figures["opportunities_by_stage"]["qualified"] == 1 and figures["opportunities_by_stage"]["lead"] == 0
    assert figures["tickets_by_status"]["open"] == 1 and figures["tickets_by_status"]["resolved"] == 1
