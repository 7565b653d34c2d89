"""Table `customers`: partition `org_id`, sort `customer_id` (time-ordered, so lists run oldest
first). Searchable: see chalicelib/data/search.py for the indexes and what each serves."""
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

from chalicelib.data.base import table_meta
from chalicelib.data.search import (
    ByEmailIndex,
    ByNameIndex,
    ByOwnerIndex,
    ByStatusIndex,
    ByUpdatedIndex,
    SearchableTable,
)


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
    owner = UnicodeAttribute(null=True)
    custom_fields = MapAttribute(default=dict)
    created_by = UnicodeAttribute()
    updated_by = UnicodeAttribute()
    created_at = UTCDateTimeAttribute()
    updated_at = UTCDateTimeAttribute()
    version = NumberAttribute(default=1)
    deleted_at = UTCDateTimeAttribute(null=True)
    # Soft-deleted customers stay restorable for 30 days; then DynamoDB's TTL removes them.
    purge_at = TTLAttribute(null=True)

    name_sort = UnicodeAttribute()
    email_sort = UnicodeAttribute(null=True)
    org_status = UnicodeAttribute()
    org_owner = UnicodeAttribute(null=True)
    updated_sort = UnicodeAttribute()
    created_sort = UnicodeAttribute()

    by_name = ByNameIndex()
    by_email = ByEmailIndex()
    by_status = ByStatusIndex()
    by_owner = ByOwnerIndex()
    by_updated = ByUpdatedIndex()


customers = SearchableTable(CustomerModel, "customer_id", "customer")
