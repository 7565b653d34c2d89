"""Table `companies`: partition `org_id`, sort `company_id` (time-ordered). Soft-deleted companies
expire 30 days later (TTL `purge_at`). A company's contacts: see chalicelib/crm/contact_management/tables/contacts.py.

Access pattern of each filter of GET /v1/companies (SearchableTable, chalicelib/platform/tables/search.py),
one Query per page; the first row that applies is the Query, the other filters its
FilterExpression (on the tag path: checked on the fetched page). Companies have no email, so
`email_prefix` is not a filter here (400).

| filter / sort                                | served by                                          |
|----------------------------------------------|----------------------------------------------------|
| sort=name / -name, or name_prefix            | GSI by_name (org_id, name_sort): begins_with       |
| sort=updated / -updated, or updated range    | GSI by_updated (org_id, updated_sort): key range   |
| tag                                          | table tag_links ("<org>#company#<tag>", company_id) + one BatchGetItem |
| owner (+ created range)                      | GSI by_owner ("<org>#<owner>", created_sort)       |
| status (+ created range)                     | GSI by_status ("<org>#<status>", created_sort)     |
| nothing / created range, sort=created/-created | the table (org_id, company_id)                   |
"""
from __future__ import annotations

from pynamodb.attributes import (
    ListAttribute,
    MapAttribute,
    TTLAttribute,
    UnicodeAttribute,
)

from chalicelib.platform.tables.base import table_meta
from chalicelib.platform.tables.search import (
    SearchableRecord,
    SearchableTable,
)


class CompanyModel(SearchableRecord):
    Meta = table_meta("companies")

    company_id = UnicodeAttribute(range_key=True)
    name = UnicodeAttribute()
    domain = UnicodeAttribute(null=True)
    industry = UnicodeAttribute(null=True)
    tags = ListAttribute(of=UnicodeAttribute, default=list)
    status = UnicodeAttribute()
    owner = UnicodeAttribute(null=True)
    custom_fields = MapAttribute(default=dict)
    purge_at = TTLAttribute(null=True)

    # Always empty: SearchableTable derives it for every table; companies have no email index.
    email_sort = UnicodeAttribute(null=True)


companies = SearchableTable(CompanyModel, "company_id", "company")
