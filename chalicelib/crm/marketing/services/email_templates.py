"""Email templates: subject and body with {{placeholders}}, rendered with caller-given values.

Rendering is one pass of a regular expression over the stored template: each placeholder is
replaced by its value as plain text, and the replaced text is never scanned again, so a value that
itself contains "{{x}}" (or any other template syntax) comes out literally. Nothing is evaluated.
"""
from __future__ import annotations

import re
from typing import Any

from chalicelib.core import clock
from chalicelib.core.errors import ValidationFailed
from chalicelib.core.documents import NUMBER_LIMITS
from chalicelib.core.ids import new_id
from chalicelib.core.validation import validate
from chalicelib.crm.marketing.tables.email_templates import EmailTemplateModel, email_templates
from chalicelib.observability import count
from chalicelib.platform.services.roles import Principal
from chalicelib.platform.tables.writes import commit

PLACEHOLDER = re.compile(r"\{\{\s*([A-Za-z_][A-Za-z0-9_.]{0,63})\s*\}\}")

_FIELDS: dict[str, Any] = {
    "name": {"type": "string", "minLength": 1, "maxLength": 200},
    "subject": {"type": "string", "minLength": 1, "maxLength": 998},
    "body": {"type": "string", "minLength": 1, "maxLength": 100_000},
}
TEMPLATE_SCHEMA = {
    "type": "object",
    "additionalProperties": False,
    "required": ["name", "subject", "body"],
    "properties": _FIELDS,
}
TEMPLATE_PATCH_SCHEMA = {"type": "object", "additionalProperties": False, "minProperties": 1, "properties": _FIELDS}
RENDER_SCHEMA = {
    "type": "object",
    "additionalProperties": False,
    "required": ["values"],
    "properties": {
        "values": {
            "type": "object",
            "maxProperties": 200,
            "additionalProperties": {"type": ["string", "number", "boolean"], "maxLength": 10_000, **NUMBER_LIMITS},
        }
    },
}


def placeholders_of(*texts: str) -> list[str]:
    """Placeholder names in order of first appearance, once each."""
    return list(dict.fromkeys(name for text in texts for name in PLACEHOLDER.findall(text)))


def create_template(principal: Principal, body: Any) -> dict[str, Any]:
    fields = validate(TEMPLATE_SCHEMA, body)
    template = EmailTemplateModel(
        principal.org_id,
        new_id(),
        name=fields["name"],
        subject=fields["subject"],
        body=fields["body"],
        placeholders=placeholders_of(fields["subject"], fields["body"]),
    )
    email_templates.insert(template, principal.user_id)
    count("EmailTemplateCreated")
    return template_view(template)


def get_template(principal: Principal, template_id: str) -> dict[str, Any]:
    return template_view(email_templates.get(principal.org_id, template_id))


def list_templates(principal: Principal, limit: int, cursor: str | None) -> dict[str, Any]:
    items, next_cursor = email_templates.page(principal.org_id, limit, cursor)
    return {"items": [template_view(item) for item in items], "next_cursor": next_cursor}


def replace_template(principal: Principal, template_id: str, body: Any, expected_version: int) -> dict[str, Any]:
    return _apply(principal, template_id, validate(TEMPLATE_SCHEMA, body), expected_version)


def patch_template(principal: Principal, template_id: str, body: Any, expected_version: int | None) -> dict[str, Any]:
    return _apply(principal, template_id, validate(TEMPLATE_PATCH_SCHEMA, body), expected_version)


def delete_template(principal: Principal, template_id: str, expected_version: int | None) -> None:
    email_templates.soft_delete(principal.org_id, template_id, expected_version, principal.user_id)
    count("EmailTemplateDeleted")


def restore_template(principal: Principal, template_id: str) -> dict[str, Any]:
    template = email_templates.restore(principal.org_id, template_id, principal.user_id)
    count("EmailTemplateRestored")
    return template_view(template)


def render_template(principal: Principal, template_id: str, body: Any) -> dict[str, Any]:
    values = validate(RENDER_SCHEMA, body)["values"]
    template = email_templates.get(principal.org_id, template_id)
    missing = [name for name in placeholders_of(template.subject, template.body) if name not in values]
    if missing:
        raise ValidationFailed(
            "Values are missing for placeholders: " + ", ".join(missing) + ".",
            [{"field": f"values.{name}", "message": f"values.{name} is required by the template"} for name in missing],
        )
    return {"subject": render(template.subject, values), "body": render(template.body, values)}


def render(text: str, values: dict[str, Any]) -> str:
    # A function replacement: the value is inserted verbatim (no backreferences, no re-scan).
    return PLACEHOLDER.sub(lambda match: _as_text(values[match.group(1)]), text)


def _as_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def template_view(template: EmailTemplateModel) -> dict[str, Any]:
    return {
        "id": template.template_id,
        "name": template.name,
        "subject": template.subject,
        "body": template.body,
        "placeholders": list(template.placeholders or []),
        "created_at": clock.isoformat(template.created_at),
        "updated_at": clock.isoformat(template.updated_at),
        "version": template.version,
    }


def _apply(principal: Principal, template_id: str, changes: dict[str, Any], expected_version: int | None) -> dict[str, Any]:
    current = email_templates.get(principal.org_id, template_id)
    email_templates.check_version(current, expected_version)
    changes["placeholders"] = placeholders_of(changes.get("subject", current.subject), changes.get("body", current.body))
    parts, updated = email_templates.modification(current, changes, principal.user_id)
    if parts:
        commit(parts)
        count("EmailTemplateUpdated")
    return template_view(updated)
