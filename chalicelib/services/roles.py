"""Built-in roles and what each may do. A route declares the permission it needs; this table
decides which roles have it."""
from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from chalicelib.core.errors import Forbidden


class Role(str, Enum):
    OWNER = "owner"
    ADMIN = "admin"
    MEMBER = "member"
    VIEWER = "viewer"


class Permission(str, Enum):
    READ = "read"
    WRITE = "write"
    MANAGE = "manage"


ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.OWNER: frozenset(Permission),
    Role.ADMIN: frozenset(Permission),
    Role.MEMBER: frozenset({Permission.READ, Permission.WRITE}),
    Role.VIEWER: frozenset({Permission.READ}),
}


@dataclass(frozen=True)
class Principal:
    """Who is calling, as the authorizer verified it from the access token."""

    user_id: str
    org_id: str
    role: Role
    session_id: str

    def require(self, permission: Permission) -> None:
        if permission not in ROLE_PERMISSIONS[self.role]:
            raise Forbidden(f"The {self.role.value} role may not {permission.value} here.")
