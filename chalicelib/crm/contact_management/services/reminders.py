"""Meeting and task reminders: every minute, each open meeting or task due within the next 15
minutes is reminded once.

Once: the reminder is a conditional write (on the version read, not deleted) that sets
`reminded_at` and takes the activity out of the reminder index, with its audit entry carrying
`meeting.reminder` / `task.reminder` for the assignee; so the event comes through the stream like
any other, and of two schedules running at once (a retry, an overlap) only one write succeeds.
"""
from __future__ import annotations

from datetime import timedelta

from chalicelib.core import clock
from chalicelib.core.errors import PreconditionFailed
from chalicelib.core.events import DomainEvent
from chalicelib.crm.contact_management.tables.activities import (
    ActivityModel,
    activities,
    due_for_reminder,
    reminder_hour,
)
from chalicelib.observability import count
from chalicelib.platform.tables.writes import commit

WINDOW = timedelta(minutes=15)
# Who the audit log names for what the schedule does.
SCHEDULER = "system:reminders"


def send_due_reminders() -> int:
    """Remind every activity due in [now - WINDOW, now + WINDOW) not reminded yet (the past quarter
    catches what a failed run left); returns how many this run reminded."""
    now = clock.now()
    start, end = now - WINDOW, now + WINDOW
    hours = sorted({reminder_hour(start), reminder_hour(end)})  # the window is shorter than an hour
    reminded = sum(_remind(activity) for hour in hours for activity in due_for_reminder(hour, start, end))
    if reminded:
        count("ReminderSent", reminded)
    return reminded


def _remind(activity: ActivityModel) -> bool:
    now = clock.now()
    parts, _ = activities.modification(activity, {"reminded_at": now}, SCHEDULER, action="reminded")
    parts[0].event = DomainEvent(
        id=parts[0].audit.entry_id, type=f"{activity.type}.reminder", org_id=activity.org_id, actor=SCHEDULER,
        subject_type="activity", subject_id=activity.activity_id, occurred_at=clock.isoformat(now),
        data={"customer_id": activity.customer_id, "subject": activity.subject, "due_at": clock.isoformat(activity.due_at),
              "recipients": [activity.assignee] if activity.assignee else []},
    )
    try:
        commit(parts)
    except PreconditionFailed:
        return False  # another run reminded it, or someone changed it meanwhile (the next run sees it)
    return True
