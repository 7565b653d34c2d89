"""Contacts: people, each at most at one company of the same organization."""
from __future__ import annotations

from dataclasses import replace
from typing import Any

from chalicelib.core.errors import ValidationFailed
from chalicelib.crm.contact_management.tables.companies import companies
from chalicelib.crm.contact_management.tables.contacts import ContactModel, contacts
from chalicelib.platform.services.records import SearchableRecords, shared_fields
from chalicelib.platform.services.roles import Principal
from chalicelib.platform.tables.writes import Change

STATUSES = ["active", "inactive"]
PROPERTIES: dict[str, Any] = {
    **shared_fields("name", "email", "phone", "tags", "owner", "custom_fields"),
    "title": {"type": ["string", "null"], "maxLength": 200},
    "company_id": {"type": ["string", "null"], "minLength": 1, "maxLength": 64},
    "status": {"type": "string", "enum": STATUSES},
}


class ContactRecords(SearchableRecords[ContactModel]):
    """A contact's company must be live in this tenant when the write naming it commits."""

    def also_on_create(self, principal: Principal, record: ContactModel) -> list[Change]:
        return _company_check(principal.org_id, record.company_id)

    def also_on_update(self, principal: Principal, current: ContactModel, updated: ContactModel) -> list[Change]:
        # Only a new company link is checked: a contact may keep naming a company deleted since.
        moved = updated.company_id != current.company_id
        return _company_check(principal.org_id, updated.company_id) if moved else []

    def of_company(self, principal: Principal, company_id: str, limit: int, cursor: str | None) -> dict[str, Any]:
        companies.get(principal.org_id, company_id)
        items, next_cursor = contacts.of_company(principal.org_id, company_id, limit, cursor)
        return {"items": [self.view(item) for item in items], "next_cursor": next_cursor}


records = ContactRecords(
    contacts,
    "contacts",
    PROPERTIES,
    default_status="active",
    view=("name", "email", "phone", "title", "company_id", "customer_id", "tags", "status", "owner", "custom_fields"),
)


def _company_check(org_id: str, company_id: str | None) -> list[Change]:
    """The company must be live in this tenant when the write commits (same transaction)."""
    if not company_id:
        return []
    check = companies.existence_check(org_id, company_id)
    error = ValidationFailed(
        "company_id names no company of this organization.",
        [{"field": "company_id", "message": "company_id names no company of this organization"}],
    )
    return [replace(check, on_condition_failed=error)]
