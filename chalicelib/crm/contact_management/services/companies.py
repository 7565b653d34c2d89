"""Companies: the organizations contacts work at. A deleted company's contacts stay, still naming
it: a restore brings the link back whole."""
from __future__ import annotations

from typing import Any

from chalicelib.crm.contact_management.tables.companies import CompanyModel, companies
from chalicelib.platform.services.records import SearchableRecords, shared_fields

STATUSES = ["active", "inactive"]
PROPERTIES: dict[str, Any] = {
    **shared_fields("name", "tags", "owner", "custom_fields"),
    "domain": {"type": ["string", "null"], "maxLength": 253, "pattern": r"^[A-Za-z0-9.-]+\.[A-Za-z]{2,}$"},
    "industry": {"type": ["string", "null"], "maxLength": 200},
    "status": {"type": "string", "enum": STATUSES},
}

records: SearchableRecords[CompanyModel] = SearchableRecords(
    companies,
    "companies",
    PROPERTIES,
    default_status="active",
    view=("name", "domain", "industry", "tags", "status", "owner", "custom_fields"),
)
