"""Table `activities`: calls, emails, meetings and tasks of a customer.
Partition `org_id`, sort `activity_key` = "<customer_id>#<activity_id>"."""
from __future__ import annotations

from pynamodb.attributes import NumberAttribute, UnicodeAttribute, UTCDateTimeAttribute
from pynamodb.expressions.condition import Condition
from pynamodb.models import Model

from chalicelib.data.base import table_meta
from chalicelib.data.tenant_table import TenantTable


class ActivityModel(Model):
    Meta = table_meta("activities")

    org_id = UnicodeAttribute(hash_key=True)
    activity_key = UnicodeAttribute(range_key=True)
    activity_id = UnicodeAttribute()
    customer_id = UnicodeAttribute()
    type = UnicodeAttribute()
    subject = UnicodeAttribute()
    body = UnicodeAttribute(null=True)
    due_at = UTCDateTimeAttribute(null=True)
    assignee = UnicodeAttribute(null=True)
    status = UnicodeAttribute()
    created_by = UnicodeAttribute()
    updated_by = UnicodeAttribute()
    created_at = UTCDateTimeAttribute()
    updated_at = UTCDateTimeAttribute()
    version = NumberAttribute(default=1)
    deleted_at = UTCDateTimeAttribute(null=True)


activities = TenantTable(ActivityModel, "activity_key", "activity", id_attribute="activity_id")


def activity_key(customer_id: str, activity_id: str) -> str:
    return f"{customer_id}#{activity_id}"


def of_customer(customer_id: str) -> Condition:
    return ActivityModel.activity_key.startswith(f"{customer_id}#")
