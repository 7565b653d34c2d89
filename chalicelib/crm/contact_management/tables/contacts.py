"""Table `contacts`: people at companies. Partition `org_id`, sort `contact_id` (time-ordered).
Soft-deleted contacts expire 30 days later (TTL `purge_at`).

GET /v1/companies/{id}/contacts: GSI `by_company` (org_company = "<org>#<company_id>",
contact_id), one Query per page (plus the company's GetItem, so another tenant's id is 404).

GET /v1/contacts: every filter and sort of chalicelib/platform/tables/search.py, email_prefix
included (GSI by_email), one Query per page; tag links under "<org>#contact#<tag>".
"""
from __future__ import annotations

from typing import Any

from pynamodb.attributes import UnicodeAttribute

from chalicelib.platform.tables.base import global_index, query_page, table_meta
from chalicelib.platform.tables.search import SearchableRecord, SearchableTable, email_index


class ContactModel(SearchableRecord):
    Meta = table_meta("contacts")

    contact_id = UnicodeAttribute(range_key=True)
    email = UnicodeAttribute(null=True)
    phone = UnicodeAttribute(null=True)
    title = UnicodeAttribute(null=True)
    company_id = UnicodeAttribute(null=True)
    # The customer this person is a contact of (set when a lead is converted).
    customer_id = UnicodeAttribute(null=True)

    org_company = UnicodeAttribute(null=True)

    by_email = email_index()
    by_company = global_index("by_company", "org_company", "contact_id")


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
