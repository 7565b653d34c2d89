"""Table `organizations`: one item per tenant."""
from __future__ import annotations

from pynamodb.attributes import UnicodeAttribute, UTCDateTimeAttribute
from pynamodb.models import Model

from chalicelib.core.errors import NotFound
from chalicelib.data.base import table_meta


class OrganizationModel(Model):
    Meta = table_meta("organizations")

    org_id = UnicodeAttribute(hash_key=True)
    name = UnicodeAttribute()
    plan = UnicodeAttribute(default="basic")
    created_at = UTCDateTimeAttribute()


def get_organization(org_id: str) -> OrganizationModel:
    try:
        return OrganizationModel.get(org_id)
    except OrganizationModel.DoesNotExist:
        raise NotFound("No such organization.") from None
