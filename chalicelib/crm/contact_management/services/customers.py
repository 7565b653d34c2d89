"""Customers (their notes and activities: services/notes.py, services/activities.py)."""
from __future__ import annotations

from typing import Any

from chalicelib.core.errors import ValidationFailed
from chalicelib.crm.contact_management.tables.customers import CustomerModel, customers
from chalicelib.platform.services.records import SearchableRecords, shared_fields
from chalicelib.platform.tables.writes import Change

STATUSES = ["lead", "prospect", "active", "inactive", "churned"]
PROPERTIES: dict[str, Any] = {
    **shared_fields("name", "email", "phone", "company", "tags"),
    "status": {"type": "string", "enum": STATUSES},
    **shared_fields("owner", "custom_fields"),
}

records: SearchableRecords[CustomerModel] = SearchableRecords(
    customers,
    "customers",
    PROPERTIES,
    default_status="active",
    view=("name", "email", "phone", "company", "tags", "status", "owner", "custom_fields"),
)


def customer_reference(org_id: str, customer_id: str) -> Change:
    """A body's `customer_id` must name a live customer of the caller's organization when the write
    commits; otherwise 422 naming the field (a customer in the path is 404 instead)."""
    check = customers.existence_check(org_id, customer_id)
    check.on_condition_failed = ValidationFailed(
        "customer_id names no customer of this organization.",
        [{"field": "customer_id", "message": "no customer with this id"}],
    )
    return check
