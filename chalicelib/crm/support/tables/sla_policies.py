"""Table `sla_policies`: partition `org_id`, sort `priority` (low | normal | high | urgent).

One policy per priority, enforced by the key itself: creating a second policy for a priority is a
conditional put that fails (409). Ticket creation reads the policy of its priority with one
GetItem; a priority without a policy falls back to the organization's settings (`sla_targets`).
Access patterns: GET one is a GetItem on (org_id, priority); the list is one Query of the table
key (org_id), in priority-name order; no filters. Deletes are hard deletes (a policy is
configuration; the audit trail keeps its history), so a priority can get a new policy later.
"""
from __future__ import annotations

from pynamodb.attributes import NumberAttribute, UnicodeAttribute, UTCDateTimeAttribute
from pynamodb.models import Model

from chalicelib.platform.tables.base import find, table_meta
from chalicelib.platform.tables.tenant_table import TenantTable


class SlaPolicyModel(Model):
    Meta = table_meta("sla_policies")

    org_id = UnicodeAttribute(hash_key=True)
    priority = UnicodeAttribute(range_key=True)
    name = UnicodeAttribute(null=True)
    first_response_minutes = NumberAttribute()
    resolution_minutes = NumberAttribute()
    created_by = UnicodeAttribute()
    updated_by = UnicodeAttribute()
    created_at = UTCDateTimeAttribute()
    updated_at = UTCDateTimeAttribute()
    version = NumberAttribute(default=1)


sla_policies = TenantTable(SlaPolicyModel, "priority", "sla_policy")


def find_policy(org_id: str, priority: str) -> SlaPolicyModel | None:
    return find(SlaPolicyModel, org_id, priority)
