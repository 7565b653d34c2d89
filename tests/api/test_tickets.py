"""Tickets: CRUD, lifecycle, SLA due times and breaches, counters, list filters, tenancy, roles, audit."""
from __future__ import annotations

import itertools
from datetime import timedelta

import pytest

from chalicelib.core import clock
from chalicelib.platform.tables.counters import counters_with_prefix

from tests.conftest import add_users


def history(api, caller, target_type, target_id):
    reply = api.get(f"/v1/audit-logs?target_type={target_type}&target_id={target_id}", as_=caller)
    assert reply.status == 200, reply.body
    return reply.json["items"]


@pytest.fixture
def ticket(api, owner, customer):
    add_users(owner.org_id, "user-7")
    reply = api.post("/v1/tickets", {"subject": "Cannot log in", "priority": "high", "customer_id": customer["id"],
                                     "assignee": "user-7"}, as_=owner)
    assert reply.status == 201, reply.body
    return reply.json


@pytest.fixture
def published(delivered_events):
    return delivered_events


@pytest.fixture
def later(monkeypatch):
    """later(minutes): the clock of the app moves forward."""
    real_now = clock.now

    def move(minutes):
        monkeypatch.setattr(clock, "now", lambda: real_now() + timedelta(minutes=minutes))

    return move


def minutes_after_creation(ticket, field):
    """Due times count from the moment the request was taken, a few milliseconds before created_at."""
    return round((clock.parse(ticket[field]) - clock.parse(ticket["created_at"])).total_seconds() / 60)


def test_create_get_list(api, owner, ticket, customer):
    assert ticket["status"] == "open" and ticket["priority"] == "high" and ticket["sla_breached"] is False
    assert ticket["customer_id"] == customer["id"] and ticket["first_responded_at"] is None
    assert minutes_after_creation(ticket, "first_response_due_at") == 120
    assert minutes_after_creation(ticket, "resolution_due_at") == 1440
    reply = api.get(f"/v1/tickets/{ticket['id']}", as_=owner)
    assert reply.status == 200 and reply.json == ticket and reply.header("etag") == '"1"'
    assert api.get("/v1/tickets", as_=owner).json == {"items": [ticket], "next_cursor": None}
    default = api.post("/v1/tickets", {"subject": "Question"}, as_=owner).json
    assert default["priority"] == "normal" and default["assignee"] is None


@pytest.mark.parametrize("body, field", [
    ({}, "subject"),
    ({"subject": "x", "priority": "blocker"}, "priority"),
    ({"subject": "x", "status": "closed"}, "status"),
    ({"subject": ""}, "subject"),
])
def test_invalid_tickets_are_422_naming_the_field(api, owner, body, field):
    reply = api.post("/v1/tickets", body, as_=owner)
    assert reply.status == 422
    assert field in [error["field"] for error in reply.json["errors"]]


def test_a_ticket_for_a_missing_or_foreign_customer_is_422(api, login_as, owner):
    stranger = login_as("owner")
    foreign = api.post("/v1/customers", {"name": "Theirs"}, as_=stranger).json
    for customer_id in ("01ARZ3NDEKTSV4RRFFQ69G5FAV", foreign["id"]):
        reply = api.post("/v1/tickets", {"subject": "x", "customer_id": customer_id}, as_=owner)
        assert reply.status == 422 and reply.json["errors"][0]["field"] == "customer_id"
    assert api.get("/v1/tickets", as_=owner).json["items"] == []


def test_lifecycle_and_status_counters(api, owner, ticket):
    path = f"/v1/tickets/{ticket['id']}"
    assert counters_with_prefix(owner.org_id, "tickets_status") == {"open": 1}
    pending = api.patch(path, {"status": "pending"}, as_=owner, headers={"If-Match": '"1"'})
    assert pending.status == 200 and pending.json["first_responded_at"] is not None
    resolved = api.patch(path, {"status": "resolved"}, as_=owner).json
    assert resolved["resolved_at"] is not None
    reopened = api.patch(path, {"status": "open"}, as_=owner).json
    assert reopened["resolved_at"] is None and reopened["first_responded_at"] == pending.json["first_responded_at"]
    assert counters_with_prefix(owner.org_id, "tickets_status") == {"open": 1, "pending": 0, "resolved": 0}
    closed = api.patch(path, {"status": "closed"}, as_=owner).json
    assert closed["resolved_at"] is not None
    assert counters_with_prefix(owner.org_id, "tickets_status") == {"open": 0, "pending": 0, "resolved": 0, "closed": 1}
    actions = [entry["action"] for entry in history(api, owner, "ticket", ticket["id"])]
    assert actions == ["updated"] * 4 + ["created"]


ALL_STATUSES = ["open", "pending", "resolved", "closed"]
LEGAL = {("open", "pending"), ("open", "resolved"), ("open", "closed"), ("pending", "open"), ("pending", "resolved"),
         ("pending", "closed"), ("resolved", "open"), ("resolved", "closed")}
PATH_TO = {"open": [], "pending": ["pending"], "resolved": ["resolved"], "closed": ["closed"]}


@pytest.mark.parametrize("start, target", [pair for pair in itertools.product(ALL_STATUSES, ALL_STATUSES) if pair[0] != pair[1]])
def test_every_transition_is_allowed_or_409(api, owner, start, target):
    ticket = api.post("/v1/tickets", {"subject": "t"}, as_=owner).json
    path = f"/v1/tickets/{ticket['id']}"
    for step in PATH_TO[start]:
        assert api.patch(path, {"status": step}, as_=owner).status == 200
    before = api.get(path, as_=owner).json
    reply = api.patch(path, {"status": target}, as_=owner)
    if (start, target) in LEGAL:
        assert reply.status == 200 and reply.json["status"] == target
    else:
        assert reply.status == 409 and reply.json["field"] == "status"
        assert api.get(path, as_=owner).json == before


def test_a_closed_ticket_cannot_change(api, owner, ticket):
    path = f"/v1/tickets/{ticket['id']}"
    api.patch(path, {"status": "closed"}, as_=owner)
    assert api.patch(path, {"subject": "Edited"}, as_=owner).status == 409


def test_priority_change_recomputes_due_times_from_creation(api, owner, ticket):
    reply = api.patch(f"/v1/tickets/{ticket['id']}", {"priority": "urgent"}, as_=owner)
    assert minutes_after_creation(reply.json, "first_response_due_at") == 30
    assert minutes_after_creation(reply.json, "resolution_due_at") == 240
    changes = history(api, owner, "ticket", ticket["id"])[0]["changes"]
    assert set(changes) == {"priority", "first_response_due_at", "resolution_due_at"}


def test_breach_is_flagged_on_read_and_published_once(api, owner, ticket, published, later):
    path = f"/v1/tickets/{ticket['id']}"
    later(121)
    first = api.get(path, as_=owner)
    assert first.json["sla_breached"] is True and first.json["version"] == 2 and first.header("etag") == '"2"'
    assert api.get("/v1/tickets", as_=owner).json["items"][0]["sla_breached"] is True
    again = api.get(path, as_=owner).json
    assert again["version"] == 2
    api.patch(path, {"subject": "Still broken"}, as_=owner)
    breaches = [event for event in published() if event.type == "ticket.breached"]
    assert len(breaches) == 1 and breaches[0].subject_id == ticket["id"]
    assert [entry["action"] for entry in history(api, owner, "ticket", ticket["id"])] == ["updated", "breached", "created"]


def test_breach_observed_by_a_write_is_published_with_it(api, owner, ticket, published, later):
    later(2000)
    reply = api.patch(f"/v1/tickets/{ticket['id']}", {"status": "pending"}, as_=owner)
    assert reply.json["sla_breached"] is True
    assert [event.type for event in published()].count("ticket.breached") == 1
    api.get(f"/v1/tickets/{ticket['id']}", as_=owner)
    assert [event.type for event in published()].count("ticket.breached") == 1


def test_a_response_in_time_is_no_breach(api, owner, ticket, published, later):
    api.patch(f"/v1/tickets/{ticket['id']}", {"status": "resolved"}, as_=owner)
    later(5000)
    assert api.get(f"/v1/tickets/{ticket['id']}", as_=owner).json["sla_breached"] is False
    assert "ticket.breached" not in [event.type for event in published()]


def test_events_for_create_and_assignment(api, owner, published):
    add_users(owner.org_id, "user-9")
    api.post("/v1/tickets", {"subject": "x", "assignee": "user-9"}, as_=owner)
    assert [event.type for event in published()] == ["ticket.created", "ticket.assigned"]


def test_delete_restore_counters_and_audit(api, owner, ticket):
    path = f"/v1/tickets/{ticket['id']}"
    assert api.delete(path, as_=owner, headers={"If-Match": '"9"'}).status == 412
    assert api.delete(path, as_=owner).status == 204
    assert api.get(path, as_=owner).status == 404
    assert api.patch(path, {"subject": "z"}, as_=owner).status == 404
    assert api.get("/v1/tickets", as_=owner).json["items"] == []
    assert counters_with_prefix(owner.org_id, "tickets_status") == {"open": 0}
    assert api.post(f"{path}/restore", as_=owner).status == 200
    assert api.post(f"{path}/restore", as_=owner).status == 409
    assert counters_with_prefix(owner.org_id, "tickets_status") == {"open": 1}
    assert [entry["action"] for entry in history(api, owner, "ticket", ticket["id"])] == ["restored", "deleted", "created"]


def test_put_replaces_and_needs_if_match(api, owner, ticket):
    path = f"/v1/tickets/{ticket['id']}"
    assert api.put(path, {"subject": "New", "priority": "low"}, as_=owner).status == 428
    reply = api.put(path, {"subject": "New", "priority": "low"}, as_=owner, headers={"If-Match": '"1"'})
    assert reply.status == 200
    assert reply.json["customer_id"] is None and reply.json["assignee"] is None and reply.json["status"] == "open"


def test_batch(api, owner):
    reply = api.post("/v1/tickets/batch", {"items": [{"subject": "a"}, {"priority": "low"}, {"subject": "b", "customer_id": "nope"}]},
                     as_=owner)
    assert [result["status"] for result in reply.json["results"]] == [201, 422, 422]
    assert len(api.get("/v1/tickets", as_=owner).json["items"]) == 1
    assert counters_with_prefix(owner.org_id, "tickets_status") == {"open": 1}


def test_filters_equal_a_brute_force_filter(api, owner, login_as):
    other_customer = api.post("/v1/customers", {"name": "Other"}, as_=owner).json["id"]
    first_customer = api.post("/v1/customers", {"name": "First"}, as_=owner).json["id"]
    add_users(owner.org_id, "user-1", "user-2")
    created = []
    for number, (priority, assignee, customer_id) in enumerate(itertools.product(
            ["low", "urgent"], ["user-1", "user-2", None], [first_customer, other_customer, None])):
        body = {"subject": f"T{number}", "priority": priority, "assignee": assignee, "customer_id": customer_id}
        ticket = api.post("/v1/tickets", body, as_=owner).json
        if number % 3 == 0:
            ticket = api.patch(f"/v1/tickets/{ticket['id']}", {"status": "pending"}, as_=owner).json
        created.append(ticket)
    api.delete(f"/v1/tickets/{created[1]['id']}", as_=owner)
    live = [ticket for index, ticket in enumerate(created) if index != 1]
    api.post("/v1/tickets", {"subject": "theirs", "priority": "low"}, as_=login_as("owner"))
    queries = [{}, {"status": "pending"}, {"assignee": "user-1"}, {"priority": "urgent"}, {"customer_id": first_customer},
               {"status": "open", "priority": "low"}, {"assignee": "user-2", "customer_id": other_customer, "status": "open"},
               {"priority": "low", "assignee": "user-1", "sort": "-created"}]
    for query in queries:
        expected = [t["id"] for t in live if all(t[name] == value for name, value in query.items() if name != "sort")]
        if query.get("sort") == "-created":
            expected.reverse()
        seen, cursor = [], None
        while True:
            params = "&".join(f"{name}={value}" for name, value in {**query, "limit": 2}.items())
            reply = api.get(f"/v1/tickets?{params}" + (f"&cursor={cursor}" if cursor else ""), as_=owner)
            assert reply.status == 200, reply.body
            seen += [item["id"] for item in reply.json["items"]]
            cursor = reply.json["next_cursor"]
            if not cursor:
                break
        assert seen == expected, query


@pytest.mark.parametrize("query", ["colour=red", "status=solved", "priority=p1", "sort=name", "limit=0"])
def test_bad_filters_are_400(api, owner, query):
    reply = api.get(f"/v1/tickets?{query}", as_=owner)
    assert reply.status == 400 and reply.json["field"] in query


ROUTES = [
    ("GET", "/v1/tickets/{id}", None),
    ("PUT", "/v1/tickets/{id}", {"subject": "Hijacked", "priority": "low"}),
    ("PATCH", "/v1/tickets/{id}", {"subject": "Hijacked"}),
    ("DELETE", "/v1/tickets/{id}", None),
    ("POST", "/v1/tickets/{id}/restore", None),
]


@pytest.mark.parametrize("method, template, body", ROUTES)
def test_another_organizations_ticket_is_404(api, login_as, owner, ticket, method, template, body):
    intruder = login_as("owner")
    reply = api.call(method, template.format(id=ticket["id"]), body, as_=intruder, headers={"If-Match": '"1"'})
    assert reply.status == 404 and reply.header("content-type") == "application/problem+json"
    assert api.get(f"/v1/tickets/{ticket['id']}", as_=owner).json == ticket
    assert api.get("/v1/tickets", as_=intruder).json["items"] == []


@pytest.mark.parametrize("method, template, body", [("POST", "/v1/tickets", {"subject": "x"}),
                                                    ("POST", "/v1/tickets/batch", {"items": [{"subject": "x"}]})] + ROUTES[1:])
def test_viewers_cannot_write(api, login_as, owner, ticket, method, template, body):
    viewer = login_as("viewer", org_of=owner)
    assert api.get(f"/v1/tickets/{ticket['id']}", as_=viewer).status == 200
    reply = api.call(method, template.format(id=ticket["id"]), body, as_=viewer, headers={"If-Match": '"1"'})
    assert reply.status == 403
    assert api.get(f"/v1/tickets/{ticket['id']}", as_=owner).json == ticket
