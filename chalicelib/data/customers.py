"""Table `customers`: partition `org_id`, sort `customer_id` (time-ordered, so lists run oldest first)."""
from __future__ import annotations

from pynamodb.attributes import (
    ListAttribute,
    MapAttribute,
    NumberAttribute,
    TTLAttribute,
    UnicodeAttribute,
    UTCDateTimeAttribute,
)
from pynamodb.models import Model

from chalicelib.data.base import TenantTable, table_meta


class CustomerModel(Model):
    Meta = table_meta("customers")

    org_id = UnicodeAttribute(hash_key=True)
    customer_id = UnicodeAttribute(range_key=True)
    name = UnicodeAttribute()
    email = UnicodeAttribute(null=True)
    phone = UnicodeAttribute(null=True)
    company = UnicodeAttribute(null=True)
    tags = ListAttribute(of=UnicodeAttribute, default=list)
    status = UnicodeAttribute()
    owner = UnicodeAttribute()
    custom_fields = MapAttribute(default=dict)
    created_by = UnicodeAttribute()
    created_at = UTCDateTimeAttribute()
    updated_at = UTCDateTimeAttribute()
    version = NumberAttribute(default=1)
    deleted_at = UTCDateTimeAttribute(null=True)
    # Soft-deleted customers stay restorable for 30 days; then DynamoDB's TTL removes them.
    purge_at = TTLAttribute(null=True)


customers = TenantTable(CustomerModel, "customer_id", "customer")
LIVE = CustomerModel.deleted_at.does_not_exist()
