"""Table `characters`: partition `org_id` (the family), sort `character_id` (time-ordered): the
family's own characters, beside the built-in catalogue (stories/services/catalogue.py, not stored).
Lists are the table's Query; soft-deleted characters expire 30 days later (TTL `purge_at`)."""
from __future__ import annotations

from pynamodb.attributes import TTLAttribute, UnicodeAttribute

from chalicelib.platform.tables.base import table_meta
from chalicelib.platform.tables.tenant_table import TenantRecord, TenantTable


class CharacterModel(TenantRecord):
    Meta = table_meta("characters")

    character_id = UnicodeAttribute(range_key=True)
    name = UnicodeAttribute()
    # What a generated story says of them: species, looks, manner ("a shy dragon who loves tea").
    description = UnicodeAttribute(null=True)
    purge_at = TTLAttribute(null=True)


characters = TenantTable(CharacterModel, "character_id", "character", feed_kind="characters")
