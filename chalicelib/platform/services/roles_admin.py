"""Custom roles: per-organization permission sets beside the built-in roles.

A user's permissions travel in their access token, so a change to a role (or to who holds it)
takes effect at that user's next token refresh, within the 15 minutes an access token lives.
"""
from __future__ import annotations

from typing import Any

from chalicelib.core import clock
from chalicelib.core.errors import Conflict, ValidationFailed
from chalicelib.core.ids import new_id
from chalicelib.core.validation import validate
from chalicelib.observability import count
from chalicelib.platform.services.roles import ALL_PERMISSIONS, BUILT_IN_ROLES, CHILD, Principal, is_built_in
from chalicelib.platform.tables import memberships
from chalicelib.platform.tables.roles import RoleModel, name_claim, name_key, name_release, roles
from chalicelib.platform.tables.writes import Change, commit

_FIELDS: dict[str, Any] = {
    "name": {"type": "string", "minLength": 1, "maxLength": 64, "pattern": r"\S"},
    "description": {"type": ["string", "null"], "maxLength": 500},
    "permissions": {
        "type": "array",
        "maxItems": len(ALL_PERMISSIONS),
        "uniqueItems": True,
        "items": {"type": "string", "enum": sorted(ALL_PERMISSIONS)},
    },
}
ROLE_SCHEMA = {
    "type": "object",
    "additionalProperties": False,
    "required": ["name", "permissions"],
    "properties": _FIELDS,
}
ROLE_PATCH_SCHEMA = {"type": "object", "additionalProperties": False, "minProperties": 1, "properties": _FIELDS}


def list_roles(principal: Principal, limit: int, cursor: str | None) -> dict[str, Any]:
    """The built-in roles lead the first page; custom roles follow, one Query per page."""
    items, next_cursor = roles.page(principal.org_id, limit, cursor)
    built_in = [built_in_view(name) for name in BUILT_IN_ROLES] if cursor is None else []
    return {"items": built_in + [role_view(item) for item in items], "next_cursor": next_cursor}


def get_role(principal: Principal, role_id: str) -> dict[str, Any]:
    if is_built_in(role_id):
        return built_in_view(role_id)
    return role_view(roles.get(principal.org_id, role_id))


def create_role(principal: Principal, body: Any) -> dict[str, Any]:
    fields = validate(ROLE_SCHEMA, body)
    name = _checked_name(fields["name"])
    role = RoleModel(
        principal.org_id,
        new_id(),
        name=name,
        description=fields.get("description"),
        permissions=sorted(fields["permissions"]),
    )
    roles.insert(role, principal.user_id, also=[name_claim(principal.org_id, name, role.role_id)])
    count("RoleCreated")
    return role_view(role)


def replace_role(principal: Principal, role_id: str, body: Any, expected_version: int | None) -> dict[str, Any]:
    fields = validate(ROLE_SCHEMA, body)
    return _apply(principal, role_id, {"description": None, **fields}, expected_version)


def patch_role(principal: Principal, role_id: str, body: Any, expected_version: int | None) -> dict[str, Any]:
    return _apply(principal, role_id, validate(ROLE_PATCH_SCHEMA, body), expected_version)


def delete_role(principal: Principal, role_id: str, expected_version: int | None) -> None:
    _refuse_built_in(role_id)
    current = roles.get(principal.org_id, role_id)
    roles.check_version(current, expected_version)
    if memberships.holders_of_role(principal.org_id, role_id):
        raise Conflict("Users still hold this role; give them another role first.")
    changes, _ = roles.modification(current, {"deleted_at": clock.now()}, principal.user_id, action="deleted")
    commit([*changes, name_release(principal.org_id, current.name, role_id)])
    count("RoleDeleted")


def assignable_check(org_id: str, role: str) -> list[Change]:
    """Transaction parts asserting `role` may be given to a user: nothing for a built-in role, a
    condition check that the custom role is live in this organization otherwise (422 if not). The
    child role is no person's: a child logs in with what their parent set up (StoryVerse)."""
    if role == CHILD:
        detail = "role child belongs to children's profiles (/v1/children), not to users with an email login"
        raise ValidationFailed(f"The request body is invalid: {detail}.", [{"field": "role", "message": detail}])
    if is_built_in(role):
        return []
    detail = "role is neither a built-in role nor a custom role of this organization"
    return [
        Change(
            "check",
            RoleModel(org_id, role),
            condition=RoleModel.role_id.exists() & RoleModel.deleted_at.does_not_exist(),
            on_condition_failed=ValidationFailed(f"The request body is invalid: {detail}.", [{"field": "role", "message": detail}]),
        )
    ]


def built_in_view(name: str) -> dict[str, Any]:
    return {
        "id": name,
        "name": name,
        "description": f"Built-in {name} role",
        "permissions": sorted(BUILT_IN_ROLES[name]),
        "built_in": True,
    }


def role_view(role: RoleModel) -> dict[str, Any]:
    return {
        "id": role.role_id,
        "name": role.name,
        "description": role.description,
        "permissions": list(role.permissions or []),
        "built_in": False,
        "created_at": clock.isoformat(role.created_at),
        "updated_at": clock.isoformat(role.updated_at),
        "version": role.version,
    }


def _apply(principal: Principal, role_id: str, changes: dict[str, Any], expected_version: int | None) -> dict[str, Any]:
    _refuse_built_in(role_id)
    current = roles.get(principal.org_id, role_id)
    roles.check_version(current, expected_version)
    if "permissions" in changes:
        changes["permissions"] = sorted(changes["permissions"])
    also = []
    if "name" in changes:
        changes["name"] = _checked_name(changes["name"])
        if name_key(changes["name"]) != name_key(current.name):
            also = [name_release(principal.org_id, current.name, role_id), name_claim(principal.org_id, changes["name"], role_id)]
    to_commit, updated = roles.modification(current, changes, principal.user_id)
    if to_commit:
        commit([*to_commit, *also])
        count("RoleUpdated")
    return role_view(updated)


def _checked_name(name: str) -> str:
    name = name.strip()
    if is_built_in(name_key(name)):
        raise Conflict(f"{name!r} is the name of a built-in role.", field="name")
    return name


def _refuse_built_in(role_id: str) -> None:
    if is_built_in(role_id):
        raise Conflict(f"The built-in {role_id} role cannot be changed.")
