"""Table `customers`: partition `org_id`, sort `customer_id` (time-ordered, so lists run oldest
first). Soft-deleted customers expire 30 days later (TTL `purge_at`); merged ones too.

GET /v1/customers: every filter and sort of chalicelib/platform/tables/search.py, email_prefix
included (GSI by_email), one Query per page; tag links under "<org>#customer#<tag>".
`company` is free text for quick entry; `company_id` links a company record: GET
/v1/customers?company_id= is served by GSI `by_company` (org_company = "<org>#<company_id>",
customer_id).
"""
from __future__ import annotations

from pynamodb.attributes import UnicodeAttribute

from chalicelib.platform.tables.base import table_meta
from chalicelib.platform.tables.search import SearchableRecord, SearchableTable, email_index, link_index


class CustomerModel(SearchableRecord):
    Meta = table_meta("customers")

    customer_id = UnicodeAttribute(range_key=True)
    # The person's name in parts, when written through API v2 (platform/services/representations.py).
    given_name = UnicodeAttribute(null=True)
    family_name = UnicodeAttribute(null=True)
    email = UnicodeAttribute(null=True)
    phone = UnicodeAttribute(null=True)
    company = UnicodeAttribute(null=True)
    company_id = UnicodeAttribute(null=True)
    # Set when POST /v1/customers/merge folded this customer into another (then soft-deleted).
    merged_into = UnicodeAttribute(null=True)

    org_company = UnicodeAttribute(null=True)

    by_email = email_index()
    by_company = link_index("company_id", "customer_id")


customers = SearchableTable(CustomerModel, "customer_id", "customer", feed_kind="customers")
