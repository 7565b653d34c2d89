"""Table `contacts`: people at companies. Partition `org_id`, sort `contact_id` (time-ordered).
Soft-deleted contacts expire 30 days later (TTL `purge_at`).

GET /v1/companies/{id}/contacts: GSI `by_company` (org_company = "<org>#<company_id>",
contact_id), one Query per page (plus the company's GetItem, so another tenant's id is 404).

Access pattern of each filter of GET /v1/contacts (SearchableTable, chalicelib/platform/tables/search.py),
one Query per page; the first row that applies is the Query, the other filters its
FilterExpression (on the tag path: checked on the fetched page):

| filter / sort                                | served by                                          |
|----------------------------------------------|----------------------------------------------------|
| sort=name / -name, or name_prefix            | GSI by_name (org_id, name_sort): begins_with       |
| sort=updated / -updated, or updated range    | GSI by_updated (org_id, updated_sort): key range   |
| tag                                          | table tag_links ("<org>#contact#<tag>", contact_id) + one BatchGetItem |
| email_prefix                                 | GSI by_email (org_id, email_sort): begins_with     |
| owner (+ created range)                      | GSI by_owner ("<org>#<owner>", created_sort)       |
| status (+ created range)                     | GSI by_status ("<org>#<status>", created_sort)     |
| nothing / created range, sort=created/-created | the table (org_id, contact_id)                   |
"""
from __future__ import annotations

from typing import Any

from pynamodb.attributes import (
    ListAttribute,
    MapAttribute,
    TTLAttribute,
    UnicodeAttribute,
)
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex

from chalicelib.platform.tables.base import query_page, table_meta
from chalicelib.platform.tables.search import (
    ByEmailIndex,
    SearchableRecord,
    SearchableTable,
)


class ByCompanyIndex(GlobalSecondaryIndex):
    class Meta:
        index_name = "by_company"
        projection = AllProjection()

    org_company = UnicodeAttribute(hash_key=True)
    contact_id = UnicodeAttribute(range_key=True)


class ContactModel(SearchableRecord):
    Meta = table_meta("contacts")

    contact_id = UnicodeAttribute(range_key=True)
    name = UnicodeAttribute()
    email = UnicodeAttribute(null=True)
    phone = UnicodeAttribute(null=True)
    title = UnicodeAttribute(null=True)
    company_id = UnicodeAttribute(null=True)
    # The customer this person is a contact of (set when a lead is converted).
    customer_id = UnicodeAttribute(null=True)
    tags = ListAttribute(of=UnicodeAttribute, default=list)
    status = UnicodeAttribute()
    owner = UnicodeAttribute(null=True)
    custom_fields = MapAttribute(default=dict)
    purge_at = TTLAttribute(null=True)

    email_sort = UnicodeAttribute(null=True)
    org_company = UnicodeAttribute(null=True)

    by_email = ByEmailIndex()
    by_company = ByCompanyIndex()


class ContactTable(SearchableTable[ContactModel]):
    """The search keys plus the company key of `by_company`."""

    def __init__(self) -> None:
        super().__init__(ContactModel, "contact_id", "contact")
        self.public_fields.remove("org_company")

    def search_keys(self, item: ContactModel) -> dict[str, Any]:
        return {
            **super().search_keys(item),
            "org_company": f"{item.org_id}#{item.company_id}" if item.company_id else None,
        }

    def of_company(self, org_id: str, company_id: str, limit: int, cursor: str | None) -> tuple[list[ContactModel], str | None]:
        company_key = f"{org_id}#{company_id}"
        return query_page(
            ContactModel.by_company,
            ContactModel,
            {"org_id": org_id, "org_company": company_key},
            company_key,
            frozenset({"contact_id"}),
            limit,
            cursor,
            filter_condition=ContactModel.deleted_at.does_not_exist(),
        )


contacts = ContactTable()
