"""Table `activities`: calls, emails, meetings and tasks of a customer.
Partition `org_id`, sort `activity_key` = "<customer_id>#<activity_id>".

`by_reminder_hour` (sparse): open meetings and tasks with a due time not yet reminded, partitioned
by the hour they are due ("YYYY-MM-DDTHH", every organization's together: only the reminder
schedule reads it, never a request), so a 15-minute window is one or two Queries.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any

from pynamodb.attributes import UnicodeAttribute, UTCDateTimeAttribute
from pynamodb.expressions.condition import Condition

from chalicelib.platform.tables.base import global_index, table_meta
from chalicelib.platform.tables.tenant_table import TenantRecord, TenantTable


class ActivityModel(TenantRecord):
    Meta = table_meta("activities")

    activity_key = UnicodeAttribute(range_key=True)
    activity_id = UnicodeAttribute()
    customer_id = UnicodeAttribute()
    type = UnicodeAttribute()
    subject = UnicodeAttribute()
    body = UnicodeAttribute(null=True)
    due_at = UTCDateTimeAttribute(null=True)
    assignee = UnicodeAttribute(null=True)
    status = UnicodeAttribute()
    reminded_at = UTCDateTimeAttribute(null=True)
    reminder_hour = UnicodeAttribute(null=True)

    by_reminder_hour = global_index("by_reminder_hour", "reminder_hour", "activity_key")


REMINDED_TYPES = frozenset({"meeting", "task"})


def reminder_hour(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H")


def _reminder_attributes(activity: ActivityModel) -> dict[str, Any]:
    pending = (activity.type in REMINDED_TYPES and activity.status == "open" and activity.due_at is not None
               and activity.reminded_at is None and activity.deleted_at is None)
    return {"reminder_hour": reminder_hour(activity.due_at) if pending else None}


activities = TenantTable(ActivityModel, "activity_key", "activity", id_attribute="activity_id",
                         derive=_reminder_attributes, derived_attributes=frozenset({"reminder_hour"}))


def due_for_reminder(hour: str, start: datetime, end: datetime) -> list[ActivityModel]:
    """Activities of every organization due in [start, end) within that hour and not reminded."""
    return list(ActivityModel.by_reminder_hour.query(
        hour, filter_condition=ActivityModel.due_at.between(start, end) & (ActivityModel.due_at != end)))


def activity_key(customer_id: str, activity_id: str) -> str:
    return f"{customer_id}#{activity_id}"


def of_customer(customer_id: str) -> Condition:
    return ActivityModel.activity_key.startswith(f"{customer_id}#")
