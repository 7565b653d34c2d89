"""Table `activities`: calls, emails, meetings and tasks of a customer.
Partition `org_id`, sort `activity_key` = "<customer_id>#<activity_id>"."""
from __future__ import annotations

from pynamodb.attributes import UnicodeAttribute, UTCDateTimeAttribute
from pynamodb.expressions.condition import Condition

from chalicelib.platform.tables.base import table_meta
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


activities = TenantTable(ActivityModel, "activity_key", "activity", id_attribute="activity_id")


def activity_key(customer_id: str, activity_id: str) -> str:
    return f"{customer_id}#{activity_id}"


def of_customer(customer_id: str) -> Condition:
    return ActivityModel.activity_key.startswith(f"{customer_id}#")
