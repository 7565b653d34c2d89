"""Table `contacts`: people at companies. Partition `org_id`, sort `contact_id` (time-ordered).
Soft-deleted contacts expire 30 days later (TTL `purge_at`).

GET /v1/contacts: every filter and sort of chalicelib/platform/tables/search.py, email_prefix
included (GSI by_email), one Query per page; tag links under "<org>#contact#<tag>". Its links:
- `company_id` (GET /v1/companies/{id}/contacts, GET /v1/contacts?company_id=): GSI `by_company`
  (org_company = "<org>#<company_id>", contact_id);
- `customer_id` (GET /v1/customers/{id}/contacts, GET /v1/contacts?customer_id=): GSI
  `by_customer` (org_customer = "<org>#<customer_id>", contact_id);
one Query per page (the child lists also GetItem the parent, so another tenant's id is 404).
"""
from __future__ import annotations

from pynamodb.attributes import UnicodeAttribute

from chalicelib.platform.tables.base import table_meta
from chalicelib.platform.tables.search import SearchableRecord, SearchableTable, email_index, link_index


class ContactModel(SearchableRecord):
    Meta = table_meta("contacts")

    contact_id = UnicodeAttribute(range_key=True)
    # The person's name in parts, when written through API v2 (platform/services/representations.py).
    given_name = UnicodeAttribute(null=True)
    family_name = UnicodeAttribute(null=True)
    email = UnicodeAttribute(null=True)
    phone = UnicodeAttribute(null=True)
    title = UnicodeAttribute(null=True)
    company_id = UnicodeAttribute(null=True)
    # The customer this person is a contact of.
    customer_id = UnicodeAttribute(null=True)

    org_company = UnicodeAttribute(null=True)
    org_customer = UnicodeAttribute(null=True)

    by_email = email_index()
    by_company = link_index("company_id", "contact_id")
    by_customer = link_index("customer_id", "contact_id")


contacts = SearchableTable(ContactModel, "contact_id", "contact", feed_kind="contacts")
