"""Table `leads`: partition `org_id`, sort `lead_id` (time-ordered, so lists run oldest first).
Soft-deleted leads expire 30 days later (TTL `purge_at`).

GET /v1/leads: every filter and sort of chalicelib/platform/tables/search.py, email_prefix
included (GSI by_email), one Query per page; tag links under "<org>#lead#<tag>".
"""
from __future__ import annotations

from pynamodb.attributes import UnicodeAttribute, UTCDateTimeAttribute

from chalicelib.platform.tables.base import table_meta
from chalicelib.platform.tables.search import SearchableRecord, SearchableTable, email_index


class LeadModel(SearchableRecord):
    Meta = table_meta("leads")

    lead_id = UnicodeAttribute(range_key=True)
    # The person's name in parts, when written through API v2 (platform/services/representations.py).
    given_name = UnicodeAttribute(null=True)
    family_name = UnicodeAttribute(null=True)
    email = UnicodeAttribute(null=True)
    phone = UnicodeAttribute(null=True)
    company = UnicodeAttribute(null=True)
    source = UnicodeAttribute(null=True)
    # Set once, by the conversion transaction.
    converted_customer_id = UnicodeAttribute(null=True)
    converted_contact_id = UnicodeAttribute(null=True)
    converted_opportunity_id = UnicodeAttribute(null=True)
    converted_at = UTCDateTimeAttribute(null=True)

    by_email = email_index()


leads = SearchableTable(LeadModel, "lead_id", "lead", feed_kind="leads")


def created_counter(day: str) -> str:
    """Dashboard counter of leads created on a UTC day (YYYY-MM-DD)."""
    return f"leads_created#{day}"


def converted_counter(day: str) -> str:
    return f"leads_converted#{day}"
