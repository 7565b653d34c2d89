"""Marketing automation runs, end to end on moto's Step Functions interpreter (tests/jobs_fixtures.py):
a web lead is enrolled from its lead.created event, waits in a Wait state, gets the template by mail
(the local mailbox) and a task for its owner, and every step's outcome is in the run's history.
Also: one run per record at a time, idempotent enrolment, loops prevented, the daily limit, pause."""
from __future__ import annotations

import threading
import time

from datetime import timedelta

import pytest

from chalicelib.core import clock
from chalicelib.localdev.mailbox import MailboxNotifier, messages

RUN_TIMEOUT_SECONDS = 120
WEB_LEADS = {"event": "lead.created", "conditions": [{"field": "source", "operator": "equals", "value": "web"}]}


@pytest.fixture
def mailbox(tmp_path, monkeypatch):
    from chalicelib.crm.marketing.services import automation_runs

    path = str(tmp_path / "mailbox.jsonl")
    notifier = MailboxNotifier(path)
    monkeypatch.setattr(automation_runs, "get_notifier", lambda: notifier)
    return path


@pytest.fixture
def template(api, owner):
    reply = api.post("/v1/email-templates", {"name": "Welcome", "subject": "Welcome, {{name}}",
                                             "body": "Hello {{name}}, thanks for visiting."}, as_=owner)
    assert reply.status == 201, reply.body
    return reply.json


def automate(api, caller, trigger, *steps, name="Welcome web leads"):
    reply = api.post("/v1/automations", {"name": name, "status": "active", "trigger": trigger, "steps": list(steps)},
                     as_=caller)
    assert reply.status == 201, reply.body
    return reply.json


def runs_of(api, caller, automation):
    reply = api.get(f"/v1/automations/{automation['id']}/runs", as_=caller)
    assert reply.status == 200, reply.body
    return reply.json["items"]


def wait_for_run(api, caller, automation, run_id):
    """The run's body once it has ended (the interpreter runs executions on its own thread)."""
    deadline = time.monotonic() + RUN_TIMEOUT_SECONDS
    while True:
        reply = api.get(f"/v1/automations/{automation['id']}/runs/{run_id}", as_=caller)
        assert reply.status == 200, reply.body
        if reply.json["status"] != "running":
            return reply.json
        assert time.monotonic() < deadline, reply.json
        time.sleep(0.05)


def new_lead(api, caller, **fields):
    reply = api.post("/v1/leads", {"name": "Ada Lovelace", "email": "ada@example.com", "source": "web", **fields},
                     as_=caller)
    assert reply.status == 201, reply.body
    return reply.json


def test_a_web_lead_waits_gets_the_template_and_a_task_with_its_history(
    api, owner, template, mailbox, step_functions, event_stream
):
    automation = automate(
        api, owner, WEB_LEADS,
        {"type": "wait", "seconds": 1},
        {"type": "send_email", "template_id": template["id"]},
        {"type": "create_task", "subject": "Call the new lead", "due_in_seconds": 86400},
    )  # fmt: skip
    lead = new_lead(api, owner)
    new_lead(api, owner, name="Walk In", email="walk@example.com", source="event")
    event_stream.drain()

    [run] = runs_of(api, owner, automation)  # the walk-in does not match the condition
    assert (run["record_type"], run["record_id"], run["event_type"]) == ("lead", lead["id"], "lead.created")
    run = wait_for_run(api, owner, automation, run["id"])
    assert run["status"] == "succeeded", run
    wait, email, task = run["steps"]
    assert (wait["type"], wait["status"]) == ("wait", "succeeded")
    assert clock.parse(wait["finished_at"]) - clock.parse(wait["started_at"]) >= timedelta(seconds=1)
    assert email["status"] == "succeeded" and email["to"] == "ada@example.com"
    assert email["subject"] == "Welcome, Ada Lovelace"
    assert task["status"] == "succeeded" and task["assignee"] == owner.user_id

    [mail] = messages(mailbox)
    assert (mail["to"], mail["subject"]) == ("ada@example.com", "Welcome, Ada Lovelace")
    assert mail["text"] == "Hello Ada Lovelace, thanks for visiting."
    created = api.get(f"/v1/activities/{task['activity_id']}", as_=owner).json
    assert (created["type"], created["lead_id"], created["assignee"]) == ("task", lead["id"], owner.user_id)
    assert created["created_by"] == f"automation:{automation['id']}"
    mine = api.get("/v1/activities?assignee=me&status=open", as_=owner).json["items"]
    assert [item["id"] for item in mine] == [created["id"]]


def test_enrolment_is_idempotent_on_the_event_and_one_run_per_record(
    api, owner, step_functions, delivered_events
):
    from chalicelib.crm.marketing.services import automation_runs

    release = threading.Event()
    step = step_functions["automation_step"]

    def held(event, context):
        release.wait(RUN_TIMEOUT_SECONDS)
        return step(event, context)

    step_functions["automation_step"] = held
    automation = automate(api, owner, {"event": "lead.updated"}, {"type": "set_field", "field": "status", "value": "contacted"})
    lead = new_lead(api, owner)
    path = f"/v1/leads/{lead['id']}"
    assert api.patch(path, {"phone": "+44 20 7946 0000"}, as_=owner).status == 200
    assert api.patch(path, {"company": "Analytical Engines"}, as_=owner).status == 200
    events = delivered_events()
    automation_runs.consume(events)  # the stream delivering the batch again
    [run] = runs_of(api, owner, automation)  # the second update came while the record was in a run
    release.set()
    assert wait_for_run(api, owner, automation, run["id"])["status"] == "succeeded"
    # The record is free again once its run ended.
    assert api.patch(path, {"company": "Babbage & Co"}, as_=owner).status == 200
    delivered_events()
    assert len(runs_of(api, owner, automation)) == 2


def test_an_automation_s_own_write_does_not_trigger_it_again(api, owner, step_functions, event_stream):
    automation = automate(api, owner, {"event": "lead.updated"}, {"type": "set_field", "field": "status", "value": "contacted"})
    lead = new_lead(api, owner)
    assert api.patch(f"/v1/leads/{lead['id']}", {"phone": "+44 20 7946 0000"}, as_=owner).status == 200
    event_stream.drain()
    [run] = runs_of(api, owner, automation)
    assert wait_for_run(api, owner, automation, run["id"])["status"] == "succeeded"
    event_stream.drain()  # the set_field's own lead.updated
    assert len(runs_of(api, owner, automation)) == 1
    entries = api.get(f"/v1/audit-logs?target_type=lead&target_id={lead['id']}", as_=owner).json["items"]
    assert entries[0]["actor"] == f"automation:{automation['id']}"
    assert api.get(f"/v1/leads/{lead['id']}", as_=owner).json["status"] == "contacted"


def test_the_daily_limit_refuses_further_enrolments(api, owner, template, mailbox, step_functions, event_stream,
                                                    monkeypatch):
    from chalicelib.crm.marketing.services import automation_runs

    monkeypatch.setattr(automation_runs, "MAX_ENROLLMENTS_PER_DAY", 1)
    automation = automate(api, owner, WEB_LEADS, {"type": "send_email", "template_id": template["id"]})
    new_lead(api, owner)
    new_lead(api, owner, name="Grace Hopper", email="grace@example.com")
    event_stream.drain()
    [run] = runs_of(api, owner, automation)
    assert wait_for_run(api, owner, automation, run["id"])["status"] == "succeeded"
    assert [mail["to"] for mail in messages(mailbox)] == ["ada@example.com"]


def test_pausing_stops_runs_at_their_next_step_and_failures_keep_their_reason(
    api, owner, template, mailbox, step_functions, event_stream
):
    release = threading.Event()
    step = step_functions["automation_step"]

    def held(event, context):
        release.wait(RUN_TIMEOUT_SECONDS)
        return step(event, context)

    step_functions["automation_step"] = held
    paused = automate(api, owner, WEB_LEADS, {"type": "send_email", "template_id": template["id"]}, name="Paused")
    failing = automate(api, owner, WEB_LEADS, {"type": "send_email", "template_id": template["id"]}, name="No email")
    new_lead(api, owner, email=None)
    event_stream.drain()
    assert api.post(f"/v1/automations/{paused['id']}/pause", as_=owner).status == 200
    release.set()
    [cancelled] = runs_of(api, owner, paused)
    cancelled = wait_for_run(api, owner, paused, cancelled["id"])
    assert (cancelled["status"], cancelled["reason"]) == ("cancelled", "The automation was paused.")
    [failed] = runs_of(api, owner, failing)
    failed = wait_for_run(api, owner, failing, failed["id"])
    assert (failed["status"], failed["reason"]) == ("failed", "The lead has no email address.")
    assert failed["steps"] == [{**failed["steps"][0], "status": "failed", "reason": "The lead has no email address."}]
    assert messages(mailbox) == []


def test_runs_are_the_organization_s_own(api, owner, login_as, template, mailbox, step_functions, event_stream):
    automation = automate(api, owner, WEB_LEADS, {"type": "send_email", "template_id": template["id"]})
    new_lead(api, owner)
    event_stream.drain()
    [run] = runs_of(api, owner, automation)
    wait_for_run(api, owner, automation, run["id"])
    stranger = login_as("owner")
    assert api.get(f"/v1/automations/{automation['id']}/runs/{run['id']}", as_=stranger).status == 404
    assert api.get(f"/v1/automations/{automation['id']}/runs", as_=stranger).status == 404
    viewer = login_as("viewer", org_of=owner)
    assert api.get(f"/v1/automations/{automation['id']}/runs/{run['id']}", as_=viewer).status == 200


@pytest.mark.parametrize(
    ("condition", "enrolled"),
    [
        ({"field": "source", "operator": "in", "value": ["ads", "web"]}, True),
        ({"field": "source", "operator": "in", "value": ["ads", "event"]}, False),
        ({"field": "source", "operator": "not_equals", "value": "WEB"}, False),  # text compares without case
        ({"field": "phone", "operator": "is_not_set"}, True),
        ({"field": "email", "operator": "is_not_set"}, False),
        ({"field": "tags", "operator": "equals", "value": "VIP"}, True),  # any of a list's values
        ({"field": "company", "operator": "equals", "value": "Acme"}, False),
        ({"field": "status", "operator": "equals", "value": "new"}, True),  # the default the record got
        ({"field": "custom_fields.score", "operator": "is_set"}, False),
    ],
)
def test_conditions_decide_who_is_enrolled(api, owner, step_functions, event_stream, condition, enrolled):
    automation = automate(api, owner, {"event": "lead.created", "conditions": [condition]}, {"type": "wait", "seconds": 1})
    new_lead(api, owner, company="Initech", tags=["vip"])
    event_stream.drain()
    assert len(runs_of(api, owner, automation)) == (1 if enrolled else 0)
