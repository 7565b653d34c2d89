"""The users a record may name as its `owner` or `assignee`: active users of the caller's
organization. A deactivated user, an invited one who never logged in, or a user of another
organization is 422 naming the field.

A body names a user id, the sort key of the organization's `memberships`, so this is one GetItem
per distinct id named, before the write. A user deactivated in the moment between the read and the
write is a harmless race: records keep naming users deactivated later anyway, which is why only a
value the write changes is checked, never one the record already holds.
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from chalicelib.core.errors import ValidationFailed
from chalicelib.platform.tables.memberships import ACTIVE, find_membership


def check_active_users(org_id: str, fields: Mapping[str, str | None], current: Any = None) -> None:
    """Raise ValidationFailed naming every field of `fields` (name -> user id, e.g. {"owner": ...,
    "assignee": ...}) that is not an active user of `org_id`. A null value names nobody and passes;
    with `current` (the record as read), a value equal to its attribute of that name is not checked."""
    named = {
        name: user_id
        for name, user_id in fields.items()
        if user_id and (current is None or getattr(current, name, None) != user_id)
    }
    active = {user_id: _is_active(org_id, user_id) for user_id in set(named.values())}
    errors = [
        {"field": name, "message": "no active user of this organization has this id"}
        for name, user_id in named.items()
        if not active[user_id]
    ]
    if errors:
        names = ", ".join(error["field"] for error in errors)
        raise ValidationFailed(f"{names}: must be an active user of this organization.", errors)


def _is_active(org_id: str, user_id: str) -> bool:
    membership = find_membership(org_id, user_id)
    return membership is not None and membership.status == ACTIVE
