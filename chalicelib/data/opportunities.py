"""Table `opportunities`: partition `org_id`, sort `opportunity_id` (time-ordered).
`by_customer` lists a customer's opportunities (GET /v1/customers/{id}/deals); `by_stage` serves
the pipeline by stage, newest close date first."""
from __future__ import annotations

from pynamodb.attributes import (
    ListAttribute,
    MapAttribute,
    NumberAttribute,
    UnicodeAttribute,
    UTCDateTimeAttribute,
)
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex
from pynamodb.models import Model

from chalicelib.data.base import table_meta
from chalicelib.data.tenant_table import TenantTable


class ByCustomerIndex(GlobalSecondaryIndex):
    class Meta:
        index_name = "by_customer"
        projection = AllProjection()

    org_customer = UnicodeAttribute(hash_key=True)
    opportunity_id = UnicodeAttribute(range_key=True)


class ByStageIndex(GlobalSecondaryIndex):
    class Meta:
        index_name = "by_stage"
        projection = AllProjection()

    org_stage = UnicodeAttribute(hash_key=True)
    close_date = UnicodeAttribute(range_key=True)


class StageChange(MapAttribute):
    at = UnicodeAttribute()
    by = UnicodeAttribute()
    from_stage = UnicodeAttribute(null=True)
    to_stage = UnicodeAttribute()
    reason = UnicodeAttribute(null=True)


class OpportunityModel(Model):
    Meta = table_meta("opportunities")

    org_id = UnicodeAttribute(hash_key=True)
    opportunity_id = UnicodeAttribute(range_key=True)
    name = UnicodeAttribute()
    amount = NumberAttribute()
    currency = UnicodeAttribute()
    customer_id = UnicodeAttribute(null=True)
    # ISO date (YYYY-MM-DD): sorts as text and groups by month with a prefix.
    close_date = UnicodeAttribute()
    owner = UnicodeAttribute()
    stage = UnicodeAttribute()
    probability = NumberAttribute()
    stage_history = ListAttribute(of=StageChange, default=list)
    created_by = UnicodeAttribute()
    updated_by = UnicodeAttribute()
    created_at = UTCDateTimeAttribute()
    updated_at = UTCDateTimeAttribute()
    version = NumberAttribute(default=1)
    deleted_at = UTCDateTimeAttribute(null=True)

    org_customer = UnicodeAttribute(null=True)
    org_stage = UnicodeAttribute()

    by_customer = ByCustomerIndex()
    by_stage = ByStageIndex()


def index_keys(item: OpportunityModel) -> dict[str, str | None]:
    return {
        "org_customer": f"{item.org_id}#{item.customer_id}" if item.customer_id else None,
        "org_stage": f"{item.org_id}#{item.stage}",
    }


opportunities = TenantTable(
    OpportunityModel,
    "opportunity_id",
    "opportunity",
    derive=index_keys,
    derived_attributes=frozenset({"org_customer", "org_stage"}),
)
