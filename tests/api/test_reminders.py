"""Meeting and task reminders: the schedule (its Lambda handler) reminds each open meeting or task
due within 15 minutes exactly once, through the event stream, addressed to the assignee."""
from __future__ import annotations

from datetime import timedelta

import pytest

from app import app
from chalicelib.core import clock

SCHEDULED_EVENT = {"version": "0", "id": "x", "detail-type": "Scheduled Event", "source": "aws.events",
                   "account": "123456789012", "time": "2026-01-01T00:00:00Z", "region": "us-east-1",
                   "resources": [], "detail": {}}


def run_schedule():
    app.handler_map["send_reminders"](SCHEDULED_EVENT, None)


def due_in(minutes):
    return clock.isoformat(clock.now() + timedelta(minutes=minutes))


@pytest.fixture
def activities(api, owner, customer):
    path = f"/v1/customers/{customer['id']}/activities"

    def add(kind, minutes, **fields):
        reply = api.post(path, {"type": kind, "subject": f"{kind} in {minutes}", "due_at": due_in(minutes), **fields},
                         as_=owner)
        assert reply.status == 201, reply.body
        return reply.json

    return add


def reminders(events):
    return [event for event in events if event.type.endswith(".reminder")]


def test_due_meetings_and_tasks_are_reminded_once_to_their_assignee(api, owner, activities, delivered_events):
    meeting = activities("meeting", 10, assignee=owner.user_id)
    task = activities("task", 14)
    activities("call", 5)  # not a meeting or task
    activities("meeting", 40)  # not due yet
    done = activities("task", 5, status="done")
    run_schedule()
    run_schedule()
    sent = reminders(delivered_events())
    assert sorted((event.type, event.subject_id) for event in sent) == sorted(
        [("meeting.reminder", meeting["id"]), ("task.reminder", task["id"])])
    assert all(event.data["recipients"] == [owner.user_id] for event in sent)
    assert done["id"] not in {event.subject_id for event in sent}


def test_a_meeting_coming_due_later_is_reminded_when_its_time_comes(api, owner, activities, delivered_events, monkeypatch):
    meeting = activities("meeting", 40, assignee=owner.user_id)
    run_schedule()
    assert reminders(delivered_events()) == []
    real_now = clock.now
    monkeypatch.setattr(clock, "now", lambda: real_now() + timedelta(minutes=30))
    run_schedule()
    sent = reminders(delivered_events())
    print([(e.id, e.occurred_at) for e in sent])
    assert [event.subject_id for event in sent] == [meeting["id"]]



def test_a_run_that_read_before_another_reminded_does_not_remind_again(api, owner, activities, delivered_events,
                                                                       monkeypatch):
    """Two overlapping runs both find the meeting; the second's write finds it reminded (its
    condition fails) and announces nothing."""
    from chalicelib.crm.contact_management.services import reminders as service

    meeting = activities("meeting", 3, assignee=owner.user_id)
    read = service.due_for_reminder
    stale = {}

    def read_once_then_replay(hour, start, end):
        stale.setdefault(hour, read(hour, start, end))
        return stale[hour]

    monkeypatch.setattr(service, "due_for_reminder", read_once_then_replay)
    run_schedule()
    run_schedule()  # sees what the first run saw, as a concurrent run would
    assert [event.subject_id for event in reminders(delivered_events())] == [meeting["id"]]
