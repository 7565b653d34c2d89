"""Table `notes`: partition `org_id`, sort `note_key` = "<customer_id>#<note_id>", so one Query
with begins_with lists a customer's notes oldest first."""
from __future__ import annotations

from pynamodb.attributes import NumberAttribute, UnicodeAttribute, UTCDateTimeAttribute
from pynamodb.expressions.condition import Condition
from pynamodb.models import Model

from chalicelib.data.base import table_meta
from chalicelib.data.tenant_table import TenantTable


class NoteModel(Model):
    Meta = table_meta("notes")

    org_id = UnicodeAttribute(hash_key=True)
    note_key = UnicodeAttribute(range_key=True)
    note_id = UnicodeAttribute()
    customer_id = UnicodeAttribute()
    body = UnicodeAttribute()
    created_by = UnicodeAttribute()
    updated_by = UnicodeAttribute()
    created_at = UTCDateTimeAttribute()
    updated_at = UTCDateTimeAttribute()
    version = NumberAttribute(default=1)
    deleted_at = UTCDateTimeAttribute(null=True)


notes = TenantTable(NoteModel, "note_key", "note", id_attribute="note_id")


def note_key(customer_id: str, note_id: str) -> str:
    return f"{customer_id}#{note_id}"


def of_customer(customer_id: str) -> Condition:
    return NoteModel.note_key.startswith(f"{customer_id}#")
