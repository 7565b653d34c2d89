"""Table `email_templates`: partition `org_id`, sort `template_id` (time-ordered).

Access patterns: GET one is a GetItem; the list (GET /v1/email-templates) is one Query of the
table's own key (org_id), oldest first; it takes no filters. `placeholders` is stored as derived
from subject and body so a list shows them without re-parsing."""
from __future__ import annotations

from pynamodb.attributes import (
    ListAttribute,
    TTLAttribute,
    UnicodeAttribute,
)

from chalicelib.platform.tables.base import table_meta
from chalicelib.platform.tables.tenant_table import TenantRecord, TenantTable


class EmailTemplateModel(TenantRecord):
    Meta = table_meta("email_templates")

    template_id = UnicodeAttribute(range_key=True)
    name = UnicodeAttribute()
    subject = UnicodeAttribute()
    body = UnicodeAttribute()
    placeholders = ListAttribute(of=UnicodeAttribute, default=list)
    # Deleted templates stay restorable for 30 days; then DynamoDB's TTL removes them.
    purge_at = TTLAttribute(null=True)


email_templates = TenantTable(EmailTemplateModel, "template_id", "email_template")
