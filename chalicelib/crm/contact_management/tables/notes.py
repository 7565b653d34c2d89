"""Table `notes`: partition `org_id`, sort `note_key` = "<customer_id>#<note_id>", so one Query
with begins_with lists a customer's notes oldest first."""
from __future__ import annotations

from pynamodb.attributes import UnicodeAttribute
from pynamodb.expressions.condition import Condition

from chalicelib.platform.tables.base import table_meta
from chalicelib.platform.tables.tenant_table import TenantRecord, TenantTable


class NoteModel(TenantRecord):
    Meta = table_meta("notes")

    note_key = UnicodeAttribute(range_key=True)
    note_id = UnicodeAttribute()
    customer_id = UnicodeAttribute()
    body = UnicodeAttribute()


notes = TenantTable(NoteModel, "note_key", "note", id_attribute="note_id")


def note_key(customer_id: str, note_id: str) -> str:
    return f"{customer_id}#{note_id}"


def of_customer(customer_id: str) -> Condition:
    return NoteModel.note_key.startswith(f"{customer_id}#")
