"""Table `leads`: partition `org_id`, sort `lead_id` (time-ordered, so lists run oldest first).
Soft-deleted leads expire 30 days later (TTL `purge_at`).

GET /v1/leads: every filter and sort of chalicelib/platform/tables/search.py, email_prefix
included (GSI by_email), one Query per page; tag links under "<org>#lead#<tag>".
"""
from __future__ import annotations

from pynamodb.attributes import UnicodeAttribute, UTCDateTimeAttribute

from chalicelib.platform.tables.base import table_meta
from chalicelib.platform.tables.owned_counters import Counted, Tally, counted
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


def created_tally(day: str) -> Tally:
    """Dashboard figure: leads created on a UTC day (YYYY-MM-DD)."""
    return Tally("leads_created", day, daily=True)


def converted_tally(day: str) -> Tally:
    return Tally("leads_converted", day, daily=True)


def lead_counted(lead: LeadModel, created_on: str | None = None, converted_on: str | None = None) -> Counted:
    """What a lead counts for under its owner: the day it was created, and the day it was converted.
    History: a deleted lead still counts (as the organization's counters do). `created_on` and
    `converted_on` name the day of a creation or conversion being written."""
    created = created_on or lead.created_at.date().isoformat()
    converted = converted_on or (lead.converted_at.date().isoformat() if lead.converted_at else None)
    return counted(lead, [created_tally(created), *([converted_tally(converted)] if converted else [])])
