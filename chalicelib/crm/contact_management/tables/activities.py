"""Table `activities`: calls, emails, meetings and tasks of a customer. Partition `org_id`, sort
`activity_id` (time-ordered), so GET/PATCH/DELETE /v1/activities/{activity_id} is one GetItem.
Soft-deleted activities expire 30 days later (TTL `purge_at`).

Two derived sort attributes order by due time: `due_key` is the due time (ISO-8601 UTC, fixed
width, so text order is time order) or "~" for none, which sorts after every time; `status_due` is
"<status>#<due_key>", so one partition holds open then done, each by due time, and a status (with a
due range) is a key condition on it.

Access pattern of each list filter (GET /v1/activities, GET /v1/customers/{id}/activities), one
Query per page; the first filter present in this order picks the index:

| filter        | served by                                                  | key condition            |
|---------------|------------------------------------------------------------|--------------------------|
| customer_id   | GSI by_customer (org_customer = "<org>#<customer>", activity_id) | -                  |
| assignee      | GSI by_assignee (org_assignee = "<org>#<assignee>", status_due)  | status (+ due range) |
| type          | GSI by_type     (org_type = "<org>#<type>", status_due)          | status (+ due range) |
| status        | GSI by_status   (org_status = "<org>#<status>", due_key)         | due range            |
| due range     | GSI by_due      (org_id, due_key)                                | due range            |
| none          | the table (org_id, activity_id)                                  | -                    |

The other filters given become the FilterExpression of that same Query. So
`?assignee=<user>&status=open` (a user's task list) reads one partition in due order, and
`?type=meeting&status=open&due_after=..&due_before=..` (meetings coming up, as reminders need) is a
key range of by_type.

`by_reminder_hour` (sparse): open meetings and tasks with a due time not yet reminded, partitioned
by the hour they are due ("YYYY-MM-DDTHH", every organization's together: only the reminder
schedule reads it, never a request), so a 15-minute window is one or two Queries.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any

from pynamodb.attributes import TTLAttribute, UnicodeAttribute, UTCDateTimeAttribute

from chalicelib.core import clock
from chalicelib.platform.tables.base import global_index, table_meta
from chalicelib.platform.tables.tenant_table import TenantRecord, TenantTable

NO_DUE = "~"
EARLIEST_DUE = "0000-01-01T00:00:00.000Z"
LATEST_DUE = "9999-12-31T23:59:59.999Z"


class ActivityModel(TenantRecord):
    Meta = table_meta("activities")
    # Team-owned: its assignee decides who sees it under team visibility (platform/tables/visibility.py).
    VISIBLE_TO = "assignee"

    activity_id = UnicodeAttribute(range_key=True)
    # The customer the activity is of; a task a marketing automation made about a lead names the
    # lead instead (`lead_id`), and the lead's conversion does not move it.
    customer_id = UnicodeAttribute(null=True)
    lead_id = UnicodeAttribute(null=True)
    type = UnicodeAttribute()
    subject = UnicodeAttribute()
    body = UnicodeAttribute(null=True)
    due_at = UTCDateTimeAttribute(null=True)
    assignee = UnicodeAttribute(null=True)
    status = UnicodeAttribute()
    completed_at = UTCDateTimeAttribute(null=True)
    # Deleted activities stay restorable for 30 days; then DynamoDB's TTL removes them.
    purge_at = TTLAttribute(null=True)
    reminded_at = UTCDateTimeAttribute(null=True)

    org_customer = UnicodeAttribute(null=True)
    org_assignee = UnicodeAttribute(null=True)
    org_type = UnicodeAttribute()
    org_status = UnicodeAttribute()
    due_key = UnicodeAttribute()
    status_due = UnicodeAttribute()

    by_customer = global_index("by_customer", "org_customer", "activity_id")
    by_assignee = global_index("by_assignee", "org_assignee", "status_due")
    by_type = global_index("by_type", "org_type", "status_due")
    by_status = global_index("by_status", "org_status", "due_key")
    by_due = global_index("by_due", "org_id", "due_key")

    reminder_hour = UnicodeAttribute(null=True)
    by_reminder_hour = global_index("by_reminder_hour", "reminder_hour", "activity_id")


REMINDED_TYPES = frozenset({"meeting", "task"})


def reminder_hour(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H")


def due_for_reminder(hour: str, start: datetime, end: datetime) -> list[ActivityModel]:
    """Activities of every organization due in [start, end) within that hour and not reminded."""
    return list(ActivityModel.by_reminder_hour.query(
        hour, filter_condition=ActivityModel.due_at.between(start, end) & (ActivityModel.due_at != end)))


def due_key(due_at: datetime | None) -> str:
    return clock.isoformat(due_at) if due_at else NO_DUE


def customer_partition(org_id: str, customer_id: str) -> str:
    return f"{org_id}#{customer_id}"


def index_keys(item: ActivityModel) -> dict[str, Any]:
    due = due_key(item.due_at)
    return {
        "org_customer": customer_partition(item.org_id, item.customer_id) if item.customer_id else None,
        "org_assignee": f"{item.org_id}#{item.assignee}" if item.assignee else None,
        "org_type": f"{item.org_id}#{item.type}",
        "org_status": f"{item.org_id}#{item.status}",
        "due_key": due,
        "status_due": f"{item.status}#{due}",
        "reminder_hour": reminder_hour(item.due_at) if _awaits_reminder(item) else None,
    }


def _awaits_reminder(item: ActivityModel) -> bool:
    return (item.type in REMINDED_TYPES and item.status == "open" and item.due_at is not None
            and item.reminded_at is None and item.deleted_at is None)


activities = TenantTable(
    ActivityModel,
    "activity_id",
    "activity",
    derive=index_keys,
    derived_attributes=frozenset(
        {"org_customer", "org_assignee", "org_type", "org_status", "due_key", "status_due", "reminder_hour"}
    ),
    feed_kind="activities",
)
