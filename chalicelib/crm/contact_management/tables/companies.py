"""Table `companies`: partition `org_id`, sort `company_id` (time-ordered). Soft-deleted companies
expire 30 days later (TTL `purge_at`). A company's contacts: see tables/contacts.py.

GET /v1/companies: the filters and sorts of chalicelib/platform/tables/search.py, one Query per
page; tag links under "<org>#company#<tag>". Companies have no email, hence no by_email index, and
`email_prefix` is not a filter here (400).

A lead's conversion finds a company by its exact name (case-insensitive): one Query of GSI
`by_name` with `name_sort = <lower-cased name>`.
"""
from __future__ import annotations

from pynamodb.attributes import UnicodeAttribute

from chalicelib.platform.tables.base import table_meta
from chalicelib.platform.tables.search import SearchableRecord, SearchableTable


class CompanyModel(SearchableRecord):
    Meta = table_meta("companies")

    company_id = UnicodeAttribute(range_key=True)
    domain = UnicodeAttribute(null=True)
    industry = UnicodeAttribute(null=True)


companies = SearchableTable(CompanyModel, "company_id", "company", feed_kind="companies")


def named(org_id: str, name: str) -> CompanyModel | None:
    """The oldest live company whose name is `name`, ignoring case, or None (one Query)."""
    matches = CompanyModel.by_name.query(
        org_id, range_key_condition=CompanyModel.name_sort == name.lower(),
        filter_condition=CompanyModel.deleted_at.does_not_exist(),
    )
    return min(matches, key=lambda company: company.company_id, default=None)
