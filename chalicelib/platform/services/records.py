"""Preparing the writes that customers, leads, contacts and companies share: a PUT that replaces
the whole record, a JSON merge patch, custom fields checked and tags normalized on both."""
from __future__ import annotations

from typing import Any

from chalicelib.platform.services import custom_fields


def replacement(org_id: str, entity: str, fields: dict[str, Any], defaults: dict[str, Any]) -> dict[str, Any]:
    """PUT replaces: every field the body leaves out goes back to its default (None if optional)."""
    custom_fields.check_values(org_id, entity, fields.get("custom_fields"))
    return _with_normal_tags({**defaults, **fields})


def merge_patch(org_id: str, entity: str, changes: dict[str, Any]) -> dict[str, Any]:
    """RFC 7396: only the fields named change; null clears one (tags: null empties the list)."""
    if "tags" in changes and changes["tags"] is None:
        changes["tags"] = []
    if "custom_fields" in changes:
        custom_fields.check_values(org_id, entity, changes["custom_fields"])
    return _with_normal_tags(changes)


def normalize_tags(tags: list[str]) -> list[str]:
    """Tags match case-insensitively, so they are kept lower-case, once each, in the given order."""
    return list(dict.fromkeys(tag.strip().lower() for tag in tags if tag.strip()))


def _with_normal_tags(changes: dict[str, Any]) -> dict[str, Any]:
    if "tags" in changes:
        changes["tags"] = normalize_tags(changes["tags"])
    return changes
