"""Table `customers`: partition `org_id`, sort `customer_id` (time-ordered, so lists run oldest
first). Soft-deleted customers expire 30 days later (TTL `purge_at`); merged ones too.

GET /v1/customers: every filter and sort of chalicelib/platform/tables/search.py, email_prefix
included (GSI by_email), one Query per page; tag links under "<org>#customer#<tag>".
"""
from __future__ import annotations

from pynamodb.attributes import UnicodeAttribute

from chalicelib.platform.tables.base import table_meta
from chalicelib.platform.tables.search import SearchableRecord, SearchableTable, email_index


class CustomerModel(SearchableRecord):
    Meta = table_meta("customers")

    customer_id = UnicodeAttribute(range_key=True)
    email = UnicodeAttribute(null=True)
    phone = UnicodeAttribute(null=True)
    company = UnicodeAttribute(null=True)
    # Set when POST /v1/customers/merge folded this customer into another (then soft-deleted).
    merged_into = UnicodeAttribute(null=True)

    by_email = email_index()


customers = SearchableTable(CustomerModel, "customer_id", "customer")
