"""The least a Chalice app can do for GET /v1/customers/{customer_id}: one PynamoDB GetItem on the
customers table, the item as JSON. The app is measured against it, warm and cold.

Nothing is imported at module level beyond the standard library, so that a cold start of the
baseline pays for Chalice, PynamoDB (and the X-Ray SDK when traced) and nothing of ours.
"""
from __future__ import annotations

from typing import Any

ROUTE = "/v1/customers/{customer_id}"


def patch_botocore_for_xray() -> None:
    """What a bare Lambda function with active tracing does: the X-Ray SDK records every AWS call."""
    from aws_xray_sdk.core import patch

    patch(["botocore"])


def build_baseline_app(table_name: str, host: str | None, region: str) -> Any:
    from chalice import Chalice, NotFoundError
    from pynamodb.attributes import (
        ListAttribute,
        MapAttribute,
        NumberAttribute,
        TTLAttribute,
        UnicodeAttribute,
        UTCDateTimeAttribute,
    )
    from pynamodb.models import Model

    class Customer(Model):
        Meta = type("Meta", (), {"table_name": table_name, "host": host, "region": region})

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
        purge_at = TTLAttribute(null=True)

    baseline = Chalice(app_name="bench-baseline")

    @baseline.route(ROUTE, methods=["GET"])
    def get_customer(customer_id: str) -> dict[str, Any]:
        org_id = baseline.current_request.context["authorizer"]["org_id"]
        try:
            return Customer.get(org_id, customer_id).to_simple_dict()
        except Customer.DoesNotExist:
            raise NotFoundError("No customer with this id.") from None

    return baseline
