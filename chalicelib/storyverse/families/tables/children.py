"""Table `children`: a family's child profiles. Partition `org_id` (the family), sort `child_id`
(time-ordered; a child's sessions carry it as their user id).

Access patterns: the list (GET /v1/children) is one Query of the family's partition, oldest first;
one child (and a PIN login) is a GetItem. Deleted children stay restorable for 30 days, then
DynamoDB's TTL removes them (`purge_at`).

A child's login secrets live on the profile but are never part of its view or of an audit diff
(services/children.py): `pin_hash` (argon2id, like passwords), and the PIN's brute-force state,
`failed_pins` (wrong PINs since the last success) and `locked_until` (epoch seconds), written by
conditional UpdateItems without a new version (a login is no edit of the profile).
"""
from __future__ import annotations

from pynamodb.attributes import NumberAttribute, TTLAttribute, UnicodeAttribute, UTCDateTimeAttribute
from pynamodb.expressions.condition import Condition

from chalicelib.platform.tables.base import table_meta
from chalicelib.platform.tables.tenant_table import TenantRecord, TenantTable

# Never in a child's view, its audit entries or its events.
LOGIN_SECRETS = frozenset({"pin_hash", "pin_set_at", "failed_pins", "locked_until"})


class ChildModel(TenantRecord):
    Meta = table_meta("children")

    child_id = UnicodeAttribute(range_key=True)
    name = UnicodeAttribute()
    age_band = UnicodeAttribute()
    birth_year = NumberAttribute(null=True)
    avatar = UnicodeAttribute(null=True)
    pin_hash = UnicodeAttribute(null=True)
    pin_set_at = UTCDateTimeAttribute(null=True)
    failed_pins = NumberAttribute(null=True)
    locked_until = NumberAttribute(null=True)
    purge_at = TTLAttribute(null=True)


children = TenantTable(ChildModel, "child_id", "child", derived_attributes=LOGIN_SECRETS)


def live() -> Condition:
    """The condition of a write that needs the child to exist, not deleted."""
    return ChildModel.child_id.exists() & ChildModel.deleted_at.does_not_exist()
