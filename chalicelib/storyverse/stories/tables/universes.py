"""Table `universes`: partition `org_id` (the family), sort `universe_id` (time-ordered): the
family's own universes, beside the built-in catalogue (stories/services/catalogue.py, not stored).
Lists are the table's Query; soft-deleted universes expire 30 days later (TTL `purge_at`)."""
from __future__ import annotations

from pynamodb.attributes import TTLAttribute, UnicodeAttribute

from chalicelib.platform.tables.base import table_meta
from chalicelib.platform.tables.tenant_table import TenantRecord, TenantTable


class UniverseModel(TenantRecord):
    Meta = table_meta("universes")

    universe_id = UnicodeAttribute(range_key=True)
    name = UnicodeAttribute()
    # The setting a generated story takes place in: places, rules, mood.
    description = UnicodeAttribute(null=True)
    purge_at = TTLAttribute(null=True)


universes = TenantTable(UniverseModel, "universe_id", "universe", feed_kind="universes")
