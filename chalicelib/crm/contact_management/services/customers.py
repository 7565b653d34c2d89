"""Customers (their notes and activities: services/notes.py, services/activities.py)."""
from __future__ import annotations

from typing import Any

from chalicelib.crm.contact_management.tables.companies import companies
from chalicelib.crm.contact_management.tables.customers import CustomerModel, customers
from chalicelib.platform.services.records import SearchableRecords, shared_fields
from chalicelib.platform.services.representations import PersonName
from chalicelib.platform.services.roles import Principal
from chalicelib.platform.tables.references import reference_check, reference_checks
from chalicelib.platform.tables.writes import Change

STATUSES = ["lead", "prospect", "active", "inactive", "churned"]
PROPERTIES: dict[str, Any] = {
    **shared_fields("name", "email", "phone", "company"),
    # `company` stays free text for quick entry; `company_id` links a company record.
    "company_id": {"type": ["string", "null"], "minLength": 1, "maxLength": 64},
    **shared_fields("tags"),
    "status": {"type": "string", "enum": STATUSES},
    **shared_fields("owner", "custom_fields"),
}


class CustomerRecords(SearchableRecords[CustomerModel]):
    """A customer's company record must be live in this tenant when the write naming it commits."""

    def also_on_create(self, principal: Principal, record: CustomerModel) -> list[Change]:
        return reference_checks(principal.org_id, [("company_id", companies, record.company_id)])

    def also_on_update(self, principal: Principal, current: CustomerModel, updated: CustomerModel) -> list[Change]:
        # Only a new link is checked: a customer may keep naming a company deleted since.
        moved = updated.company_id != current.company_id
        return reference_checks(principal.org_id, [("company_id", companies, updated.company_id)]) if moved else []


records = CustomerRecords(
    customers,
    "customers",
    PROPERTIES,
    default_status="active",
    view=("name", "email", "phone", "company", "company_id", "tags", "status", "owner", "custom_fields"),
    representation=PersonName(),
)


def customer_reference(org_id: str, customer_id: str) -> Change:
    """A body's `customer_id` must name a live customer of the caller's organization when the write
    commits; otherwise 422 naming the field (a customer in the path is 404 instead)."""
    return reference_check(customers, org_id, customer_id, "customer_id")
