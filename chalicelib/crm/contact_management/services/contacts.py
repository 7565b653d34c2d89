"""Contacts: people, each at most at one company and a contact of at most one customer of the same
organization."""
from __future__ import annotations

from typing import Any

from chalicelib.core.search import SearchSpec
from chalicelib.crm.contact_management.tables.companies import companies
from chalicelib.crm.contact_management.tables.contacts import ContactModel, contacts
from chalicelib.crm.contact_management.tables.customers import customers
from chalicelib.platform.services.records import SearchableRecords, shared_fields
from chalicelib.platform.services.representations import PersonName
from chalicelib.platform.services.roles import Principal
from chalicelib.platform.tables.references import reference_checks
from chalicelib.platform.tables.writes import Change

STATUSES = ["active", "inactive"]
_LINK = {"type": ["string", "null"], "minLength": 1, "maxLength": 64}
PROPERTIES: dict[str, Any] = {
    **shared_fields("name", "email", "phone", "tags", "owner", "custom_fields"),
    "title": {"type": ["string", "null"], "maxLength": 200},
    "company_id": _LINK,
    "customer_id": _LINK,
    "status": {"type": "string", "enum": STATUSES},
}
_LINKED_TABLES = (("company_id", companies), ("customer_id", customers))


class ContactRecords(SearchableRecords[ContactModel]):
    """A contact's company and customer must be live in this tenant when the write naming them commits."""

    def also_on_create(self, principal: Principal, record: ContactModel) -> list[Change]:
        return links_checked(principal.org_id, record)

    def also_on_update(self, principal: Principal, current: ContactModel, updated: ContactModel) -> list[Change]:
        # Only a new link is checked: a contact may keep naming a company deleted since.
        return links_checked(principal.org_id, updated, current)

    def linked_to(
        self, principal: Principal, link: str, parent_id: str, limit: int, cursor: str | None, version: int = 1
    ) -> dict[str, Any]:
        """The contacts of a company or customer (`link` company_id / customer_id): a GetItem of the
        parent (404 across tenants) and one Query of the link's index."""
        dict(_LINKED_TABLES)[link].get(principal.org_id, parent_id)
        return self.search(principal, SearchSpec(**{link: parent_id}), limit, cursor, version)


def links_checked(org_id: str, record: ContactModel, current: ContactModel | None = None) -> list[Change]:
    return reference_checks(
        org_id,
        (
            (link, table, getattr(record, link))
            for link, table in _LINKED_TABLES
            if current is None or getattr(record, link) != getattr(current, link)
        ),
    )


records = ContactRecords(
    contacts,
    "contacts",
    PROPERTIES,
    default_status="active",
    view=("name", "email", "phone", "title", "company_id", "customer_id", "tags", "status", "owner", "custom_fields"),
    representation=PersonName(),
)
