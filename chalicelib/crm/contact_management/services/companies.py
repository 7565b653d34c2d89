"""Companies: the organizations contacts work at."""
from __future__ import annotations

from typing import Any

from chalicelib.core import clock
from chalicelib.core.ids import new_id
from chalicelib.core.search import SearchSpec
from chalicelib.core.validation import validate
from chalicelib.crm.contact_management.services.customers import FIELD_SCHEMAS
from chalicelib.crm.contact_management.tables.companies import CompanyModel, companies
from chalicelib.observability import count
from chalicelib.platform.services import custom_fields
from chalicelib.platform.services.records import merge_patch, normalize_tags, replacement
from chalicelib.platform.services.roles import Principal
from chalicelib.platform.tables.writes import plain

STATUSES = ["active", "inactive"]
_OPTIONAL_TEXT = {"type": ["string", "null"], "maxLength": 200}
_FIELDS: dict[str, Any] = {
    **{name: FIELD_SCHEMAS[name] for name in ("name", "tags", "owner", "custom_fields")},
    "domain": {"type": ["string", "null"], "maxLength": 253, "pattern": r"^[A-Za-z0-9.-]+\.[A-Za-z]{2,}$"},
    "industry": _OPTIONAL_TEXT,
    "status": {"type": "string", "enum": STATUSES},
}
COMPANY_SCHEMA = {"type": "object", "additionalProperties": False, "required": ["name"], "properties": _FIELDS}
COMPANY_PATCH_SCHEMA = {
    "type": "object",
    "additionalProperties": False,
    "minProperties": 1,
    "properties": {**_FIELDS, "tags": {"oneOf": [_FIELDS["tags"], {"type": "null"}]}},
}
_OPTIONAL_FIELDS = ("domain", "industry")


def create_company(principal: Principal, body: Any) -> dict[str, Any]:
    fields = validate(COMPANY_SCHEMA, body)
    custom_fields.check_values(principal.org_id, "companies", fields.get("custom_fields"))
    company = CompanyModel(
        principal.org_id,
        new_id(),
        name=fields["name"],
        domain=fields.get("domain"),
        industry=fields.get("industry"),
        tags=normalize_tags(fields.get("tags", [])),
        status=fields.get("status", "active"),
        owner=fields.get("owner", principal.user_id),
        custom_fields=fields.get("custom_fields", {}),
    )
    companies.insert(company, principal.user_id)
    count("CompanyCreated")
    return company_view(company)


def get_company(principal: Principal, company_id: str) -> dict[str, Any]:
    return company_view(companies.get(principal.org_id, company_id))


def list_companies(principal: Principal, spec: SearchSpec, limit: int, cursor: str | None) -> dict[str, Any]:
    items, next_cursor = companies.search(principal.org_id, spec, limit, cursor)
    return {"items": [company_view(item) for item in items], "next_cursor": next_cursor}


def replace_company(principal: Principal, company_id: str, body: Any, expected_version: int) -> dict[str, Any]:
    fields = validate(COMPANY_SCHEMA, body)
    defaults = {"tags": [], "status": "active", "owner": principal.user_id, "custom_fields": {}}
    complete = replacement(principal.org_id, "companies", fields, {**defaults, **dict.fromkeys(_OPTIONAL_FIELDS)})
    return _apply(principal, company_id, complete, expected_version)


def patch_company(principal: Principal, company_id: str, body: Any, expected_version: int | None) -> dict[str, Any]:
    changes = validate(COMPANY_PATCH_SCHEMA, body)
    changes = merge_patch(principal.org_id, "companies", changes)
    return _apply(principal, company_id, changes, expected_version)


def delete_company(principal: Principal, company_id: str, expected_version: int | None) -> None:
    """Its contacts stay, still naming the company: a restore brings the link back whole."""
    companies.soft_delete(principal.org_id, company_id, expected_version, principal.user_id)
    count("CompanyDeleted")


def restore_company(principal: Principal, company_id: str) -> dict[str, Any]:
    company = companies.restore(principal.org_id, company_id, principal.user_id)
    count("CompanyRestored")
    return company_view(company)


def company_view(company: CompanyModel) -> dict[str, Any]:
    return {
        "id": company.company_id,
        "name": company.name,
        "domain": company.domain,
        "industry": company.industry,
        "tags": list(company.tags or []),
        "status": company.status,
        "owner": company.owner,
        "custom_fields": plain(company.custom_fields) if company.custom_fields else {},
        "created_at": clock.isoformat(company.created_at),
        "updated_at": clock.isoformat(company.updated_at),
        "version": company.version,
    }


def _apply(principal: Principal, company_id: str, changes: dict[str, Any], expected_version: int | None) -> dict[str, Any]:
    company = companies.update(principal.org_id, company_id, changes, expected_version, principal.user_id)
    count("CompanyUpdated")
    return company_view(company)
