"""Contacts: people, each at most at one company of the same organization."""
from __future__ import annotations

from dataclasses import replace
from typing import Any

from chalicelib.core import clock
from chalicelib.core.errors import ValidationFailed
from chalicelib.core.ids import new_id
from chalicelib.core.search import SearchSpec
from chalicelib.core.validation import validate
from chalicelib.crm.contact_management.services.customers import FIELD_SCHEMAS
from chalicelib.crm.contact_management.tables.companies import companies
from chalicelib.crm.contact_management.tables.contacts import ContactModel, contacts
from chalicelib.observability import count
from chalicelib.platform.services import custom_fields
from chalicelib.platform.services.records import merge_patch, normalize_tags, replacement
from chalicelib.platform.services.roles import Principal
from chalicelib.platform.tables.writes import Change, commit, plain

STATUSES = ["active", "inactive"]
_OPTIONAL_TEXT = {"type": ["string", "null"], "maxLength": 200}
_FIELDS: dict[str, Any] = {
    **{name: FIELD_SCHEMAS[name] for name in ("name", "email", "phone", "tags", "owner", "custom_fields")},
    "title": _OPTIONAL_TEXT,
    "company_id": {"type": ["string", "null"], "minLength": 1, "maxLength": 64},
    "status": {"type": "string", "enum": STATUSES},
}
CONTACT_SCHEMA = {"type": "object", "additionalProperties": False, "required": ["name"], "properties": _FIELDS}
CONTACT_PATCH_SCHEMA = {
    "type": "object",
    "additionalProperties": False,
    "minProperties": 1,
    "properties": {**_FIELDS, "tags": {"oneOf": [_FIELDS["tags"], {"type": "null"}]}},
}
_OPTIONAL_FIELDS = ("email", "phone", "title", "company_id")


def create_contact(principal: Principal, body: Any) -> dict[str, Any]:
    fields = validate(CONTACT_SCHEMA, body)
    custom_fields.check_values(principal.org_id, "contacts", fields.get("custom_fields"))
    contact = ContactModel(
        principal.org_id,
        new_id(),
        name=fields["name"],
        email=fields.get("email"),
        phone=fields.get("phone"),
        title=fields.get("title"),
        company_id=fields.get("company_id"),
        tags=normalize_tags(fields.get("tags", [])),
        status=fields.get("status", "active"),
        owner=fields.get("owner", principal.user_id),
        custom_fields=fields.get("custom_fields", {}),
    )
    contacts.insert(contact, principal.user_id, also=_company_check(principal.org_id, contact.company_id))
    count("ContactCreated")
    return contact_view(contact)


def get_contact(principal: Principal, contact_id: str) -> dict[str, Any]:
    return contact_view(contacts.get(principal.org_id, contact_id))


def list_contacts(principal: Principal, spec: SearchSpec, limit: int, cursor: str | None) -> dict[str, Any]:
    items, next_cursor = contacts.search(principal.org_id, spec, limit, cursor)
    return {"items": [contact_view(item) for item in items], "next_cursor": next_cursor}


def list_company_contacts(principal: Principal, company_id: str, limit: int, cursor: str | None) -> dict[str, Any]:
    companies.get(principal.org_id, company_id)
    items, next_cursor = contacts.of_company(principal.org_id, company_id, limit, cursor)
    return {"items": [contact_view(item) for item in items], "next_cursor": next_cursor}


def replace_contact(principal: Principal, contact_id: str, body: Any, expected_version: int) -> dict[str, Any]:
    fields = validate(CONTACT_SCHEMA, body)
    defaults = {"tags": [], "status": "active", "owner": principal.user_id, "custom_fields": {}}
    complete = replacement(principal.org_id, "contacts", fields, {**defaults, **dict.fromkeys(_OPTIONAL_FIELDS)})
    return _apply(principal, contact_id, complete, expected_version)


def patch_contact(principal: Principal, contact_id: str, body: Any, expected_version: int | None) -> dict[str, Any]:
    changes = validate(CONTACT_PATCH_SCHEMA, body)
    changes = merge_patch(principal.org_id, "contacts", changes)
    return _apply(principal, contact_id, changes, expected_version)


def delete_contact(principal: Principal, contact_id: str, expected_version: int | None) -> None:
    contacts.soft_delete(principal.org_id, contact_id, expected_version, principal.user_id)
    count("ContactDeleted")


def restore_contact(principal: Principal, contact_id: str) -> dict[str, Any]:
    contact = contacts.restore(principal.org_id, contact_id, principal.user_id)
    count("ContactRestored")
    return contact_view(contact)


def contact_view(contact: ContactModel) -> dict[str, Any]:
    return {
        "id": contact.contact_id,
        "name": contact.name,
        "email": contact.email,
        "phone": contact.phone,
        "title": contact.title,
        "company_id": contact.company_id,
        "customer_id": contact.customer_id,
        "tags": list(contact.tags or []),
        "status": contact.status,
        "owner": contact.owner,
        "custom_fields": plain(contact.custom_fields) if contact.custom_fields else {},
        "created_at": clock.isoformat(contact.created_at),
        "updated_at": clock.isoformat(contact.updated_at),
        "version": contact.version,
    }


def _apply(principal: Principal, contact_id: str, changes: dict[str, Any], expected_version: int | None) -> dict[str, Any]:
    current = contacts.get(principal.org_id, contact_id)
    contacts.check_version(current, expected_version)
    parts, updated = contacts.modification(current, changes, principal.user_id)
    if parts:
        # Only a new company link is checked: a contact may keep naming a company deleted since.
        moved = updated.company_id != current.company_id
        commit([*parts, *(_company_check(principal.org_id, updated.company_id) if moved else [])])
        count("ContactUpdated")
    return contact_view(updated)


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
