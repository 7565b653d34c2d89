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
from pynamodb.exceptions import TransactWriteError
from pynamodb.models import Model
from pynamodb.transactions import TransactWrite

from chalicelib.core.errors import NotFound
from chalicelib.data.base import TenantTable, table_meta, transaction_conditions_failed, transaction_connection


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


def insert_under_customer(org_id: str, customer_id: str, child: Model) -> None:
    """One transaction: a note or activity is written only if its customer exists in the tenant."""
    try:
        with TransactWrite(connection=transaction_connection()) as transaction:
            transaction.condition_check(
                CustomerModel, org_id, customer_id, condition=CustomerModel.customer_id.exists() & LIVE
            )
            transaction.save(child)
    except TransactWriteError as error:
        if any(transaction_conditions_failed(error)):
            raise NotFound("No customer with this id.") from None
        raise
