"""Table `leads`: partition `org_id`, sort `lead_id` (time-ordered, so lists run oldest first).
Soft-deleted leads expire 30 days later (TTL `purge_at`).

Access pattern of each filter of GET /v1/leads (SearchableTable, chalicelib/platform/tables/search.py), one
Query per page; the plan takes the first row that applies, the other filters become that Query's
FilterExpression (on the tag path: checked on the fetched page):

| filter / sort                                | served by                                          |
|----------------------------------------------|----------------------------------------------------|
| sort=name / -name, or name_prefix            | GSI by_name (org_id, name_sort): begins_with       |
| sort=updated / -updated, or updated range    | GSI by_updated (org_id, updated_sort): key range   |
| tag                                          | table tag_links ("<org>#lead#<tag>", lead_id) + one BatchGetItem |
| email_prefix                                 | GSI by_email (org_id, email_sort): begins_with     |
| owner (+ created range)                      | GSI by_owner ("<org>#<owner>", created_sort)       |
| status (+ created range)                     | GSI by_status ("<org>#<status>", created_sort)     |
| nothing / created range, sort=created/-created | the table (org_id, lead_id): ids sort by creation |
"""
from __future__ import annotations

from pynamodb.attributes import (
    ListAttribute,
    MapAttribute,
    TTLAttribute,
    UnicodeAttribute,
    UTCDateTimeAttribute,
)

from chalicelib.platform.tables.base import table_meta
from chalicelib.platform.tables.search import (
    ByEmailIndex,
    SearchableRecord,
    SearchableTable,
)


class LeadModel(SearchableRecord):
    Meta = table_meta("leads")

    lead_id = UnicodeAttribute(range_key=True)
    name = UnicodeAttribute()
    email = UnicodeAttribute(null=True)
    phone = UnicodeAttribute(null=True)
    company = UnicodeAttribute(null=True)
    source = UnicodeAttribute(null=True)
    tags = ListAttribute(of=UnicodeAttribute, default=list)
    status = UnicodeAttribute()
    owner = UnicodeAttribute(null=True)
    custom_fields = MapAttribute(default=dict)
    # Set once, by the conversion transaction.
    converted_customer_id = UnicodeAttribute(null=True)
    converted_contact_id = UnicodeAttribute(null=True)
    converted_opportunity_id = UnicodeAttribute(null=True)
    converted_at = UTCDateTimeAttribute(null=True)
    purge_at = TTLAttribute(null=True)

    email_sort = UnicodeAttribute(null=True)

    by_email = ByEmailIndex()


leads = SearchableTable(LeadModel, "lead_id", "lead")


def created_counter(day: str) -> str:
    """Dashboard counter of leads created on a UTC day (YYYY-MM-DD)."""
    return f"leads_created#{day}"


def converted_counter(day: str) -> str:
    return f"leads_converted#{day}"
