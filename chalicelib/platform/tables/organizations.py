"""Table `organizations`: one item per tenant."""
from __future__ import annotations

from pynamodb.attributes import MapAttribute, UnicodeAttribute, UTCDateTimeAttribute
from pynamodb.models import Model

from chalicelib.platform.tables.base import table_meta


class OrganizationModel(Model):
    Meta = table_meta("organizations")

    org_id = UnicodeAttribute(hash_key=True)
    name = UnicodeAttribute()
    plan = UnicodeAttribute(default="basic")
    # The "custom" plan's per-user daily quotas, metered action -> limit (platform/services/quotas.py).
    custom_quotas = MapAttribute(null=True)
    created_at = UTCDateTimeAttribute()

