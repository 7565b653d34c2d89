"""Table `audit_logs`: who changed what, when, written in the same transaction as the change.
Partition `org_id`, sort `entry_id` (time-ordered); `by_target` lists one record's history."""
from __future__ import annotations

from pynamodb.attributes import UnicodeAttribute, UTCDateTimeAttribute
from pynamodb.models import Model

from chalicelib.platform.tables.base import global_index, table_meta


class AuditLogModel(Model):
    Meta = table_meta("audit_logs")

    org_id = UnicodeAttribute(hash_key=True)
    entry_id = UnicodeAttribute(range_key=True)
    actor = UnicodeAttribute()
    action = UnicodeAttribute()
    target_type = UnicodeAttribute()
    target_id = UnicodeAttribute()
    # "<org_id>#<target_type>#<target_id>": the organization is part of the key, so the index
    # cannot be queried across tenants.
    target_key = UnicodeAttribute()
    at = UTCDateTimeAttribute()
    changes_json = UnicodeAttribute()

    by_target = global_index("by_target", "target_key", "entry_id")


def target_key(org_id: str, target_type: str, target_id: str) -> str:
    return f"{org_id}#{target_type}#{target_id}"
