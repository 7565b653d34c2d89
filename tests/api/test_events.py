"""Domain events come from the committed write (the audit_logs stream), through the real Lambda
handler fed by chalicelib/localdev/streams.py: at least once, same ids on redelivery, in order,
none for a refused request."""
from __future__ import annotations

import pytest

from chalicelib.platform import event_consumers


class Crash(Exception):
    pass


@pytest.fixture
def failing_consumer(monkeypatch):
    """A consumer after the real ones that fails while `failing["on"]` is true."""
    failing = {"on": True, "calls": 0}
    consumers = event_consumers.event_consumers

    def flaky(events):
        failing["calls"] += 1
        if failing["on"]:
            raise Crash("consumer died after the commit")

    monkeypatch.setattr(event_consumers, "event_consumers", lambda: [*consumers(), flaky])
    return failing


def test_an_event_survives_a_crash_between_commit_and_delivery(api, owner, event_stream, failing_consumer, delivered_events):
    lead = api.post("/v1/leads", {"name": "Lead One"}, as_=owner).json
    with pytest.raises(Crash):
        event_stream.drain()
    with pytest.raises(Crash):
        event_stream.drain()  # still failing: the batch is delivered again, not skipped
    failing_consumer["on"] = False
    events = delivered_events()
    assert [(event.type, event.subject_id) for event in events][-1:] == [("lead.created", lead["id"])]
    assert event_stream.drain() == 0, "a delivered batch is not delivered again"


def test_a_redelivered_batch_has_the_same_event_ids_and_once_delivers_them_once(api, owner, event_stream, monkeypatch):
    seen_by_plain, seen_by_once = [], []
    attempts = iter([Crash("first attempt fails"), None])

    def plain(events):
        seen_by_plain.extend(event.id for event in events)

    def fails_first(events):
        failure = next(attempts)
        if failure:
            raise failure

    wrapped = event_consumers.once("test-consumer", lambda events: seen_by_once.extend(e.id for e in events))
    monkeypatch.setattr(event_consumers, "event_consumers", lambda: [plain, wrapped, fails_first])
    api.post("/v1/companies", {"name": "Analytical Engines"}, as_=owner)
    with pytest.raises(Crash):
        event_stream.drain()
    event_stream.drain()
    first, second = seen_by_plain[: len(seen_by_plain) // 2], seen_by_plain[len(seen_by_plain) // 2:]
    assert first and first == second, "the redelivery carries the same event ids"
    assert seen_by_once == first, "the idempotent consumer handled each event once"


def test_events_keep_the_order_of_the_writes(api, owner, delivered_events):
    customer = api.post("/v1/customers", {"name": "Ada"}, as_=owner).json
    path = f"/v1/customers/{customer['id']}"
    for name in ("Ada L.", "Ada Lovelace", "Ada, Countess"):
        api.patch(path, {"name": name}, as_=owner)
    api.delete(path, as_=owner)
    api.post(f"{path}/restore", as_=owner)
    mine = [event for event in delivered_events() if event.subject_id == customer["id"]]
    assert [event.type for event in mine] == ["customer.created", *["customer.updated"] * 3, "customer.deleted", "customer.restored"]
    assert [event.data["changes"]["name"]["to"] for event in mine[1:4]] == ["Ada L.", "Ada Lovelace", "Ada, Countess"]
    assert [event.id for event in mine] == sorted(event.id for event in mine)


def test_an_event_carries_who_what_when_and_the_changes(api, owner, delivered_events):
    deal_stage = api.post("/v1/leads", {"name": "Grace", "email": "grace@example.com"}, as_=owner).json
    event = next(event for event in delivered_events() if event.subject_id == deal_stage["id"])
    assert event.type == "lead.created" and event.org_id == owner.org_id and event.actor == owner.user_id
    assert event.subject_type == "lead" and event.occurred_at == deal_stage["created_at"]
    assert event.data["changes"]["email"] == "grace@example.com"


def test_extra_events_ride_in_the_same_commit_with_their_recipients(api, owner, customer, delivered_events):
    reply = api.post(f"/v1/customers/{customer['id']}/activities",
                     {"type": "task", "subject": "Call back", "assignee": owner.user_id,
                      "due_at": "2030-01-01T09:00:00Z"}, as_=owner)
    assert reply.status == 201, reply.body
    activity = reply.json
    events = [event for event in delivered_events() if event.subject_id == activity["id"]]
    assert [event.type for event in events] == ["activity.created", "task.assigned"]
    created, assigned = events
    assert assigned.id == f"{created.id}.1" and assigned.data["recipients"] == [owner.user_id]


def test_a_refused_request_produces_no_event(api, owner, login_as, customer, delivered_events):
    before = len(delivered_events())
    viewer = login_as("viewer", org_of=owner)
    assert api.post("/v1/customers", {"name": "Nope"}, as_=viewer).status == 403
    assert api.post("/v1/customers", {"name": ""}, as_=owner).status == 422
    assert api.patch(f"/v1/customers/{customer['id']}", {"name": "x"}, as_=owner, headers={"If-Match": '"9"'}).status == 412
    other = login_as("owner")
    assert api.delete(f"/v1/customers/{customer['id']}", as_=other).status == 404
    assert len(delivered_events()) == before


def test_every_write_route_of_the_scenario_produces_its_events(aws, event_stream, monkeypatch):
    """Drive every route (tests/benchmarks/dynamodb_calls.py SCENARIO): each audit entry committed
    is delivered as its event(s), ids unique."""
    from chalicelib.platform.tables.audit_logs import AuditLogModel, entry_events
    from tests.benchmarks import dynamodb_calls

    monkeypatch.setattr(dynamodb_calls, "API_KEY", "test-api-key")  # the key these tests' settings accept
    delivered = []
    monkeypatch.setattr(event_consumers, "event_consumers", lambda: [delivered.extend])
    outcome = dynamodb_calls.measure({})
    assert not outcome["failures"], outcome["failures"]
    event_stream.drain()
    committed = [event for entry in AuditLogModel.scan() for event in entry_events(entry)]
    assert len(committed) > 30
    assert sorted(event.id for event in delivered) == sorted(event.id for event in committed)
    assert len({event.id for event in delivered}) == len(delivered)
    assert {"lead.created", "deal.created", "ticket.created", "activity.created"} <= {event.type for event in delivered}
