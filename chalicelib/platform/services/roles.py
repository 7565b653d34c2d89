"""Who may do what. A permission is "<resource>:<action>"; a route declares the one it needs.

Built-in roles map to fixed permission sets. Custom roles (per organization) list permissions of
their own; their list travels in the access token, so a role change applies at the next refresh
(within 15 minutes) and costs no lookup per request.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from chalicelib.core.errors import Forbidden

READ = "read"
WRITE = "write"

CRM_RESOURCES = (
    "customers",
    "leads",
    "contacts",
    "companies",
    "opportunities",
    "deals",
    "products",
    "forecast",
    "campaigns",
    "email_templates",
    "automations",
    "tickets",
    "sla_policies",
    "kb",
    "dashboard",
    "reports",
)
# StoryVerse (chalicelib/storyverse): a family's children, their stories with the characters and
# universes they use, and the generation of a story's text, pictures and narration.
STORYVERSE_RESOURCES = ("children", "stories", "characters", "universes", "generation")
ADMIN_RESOURCES = ("users", "roles", "settings", "custom_fields", "audit_logs", "teams", "api_keys")
# Platform services every product's users reach; a file also needs its record's permission.
SHARED_RESOURCES = ("files",)
# Long-running work (platform/services/jobs.py): reading and cancelling the organization's jobs,
# starting exports (which also need the exported resource's read permission).
JOB_RESOURCES = ("jobs", "exports")
# Every signed-in caller may manage their own session (logout), whatever their role.
SESSION = "session:write"

ALL_PERMISSIONS = frozenset(
    f"{resource}:{action}"
    for resource in CRM_RESOURCES + STORYVERSE_RESOURCES + ADMIN_RESOURCES + SHARED_RESOURCES + JOB_RESOURCES
    for action in (READ, WRITE)
    if (resource, action) not in {("audit_logs", WRITE), ("exports", READ), ("generation", READ)}
)
# What an organization's API key may hold: everything but managing API keys, which stays with people.
API_KEY_PERMISSIONS = ALL_PERMISSIONS - {"api_keys:read", "api_keys:write"}
_CRM_READ = frozenset(f"{resource}:{READ}" for resource in CRM_RESOURCES)
_CRM_WRITE = frozenset(f"{resource}:{WRITE}" for resource in CRM_RESOURCES)
_STORYVERSE_READ = frozenset(f"{resource}:{READ}" for resource in STORYVERSE_RESOURCES) - {"generation:read"}
_STORYVERSE_WRITE = frozenset(f"{resource}:{WRITE}" for resource in STORYVERSE_RESOURCES)
_DIRECTORY_READ = frozenset({"users:read", "roles:read", "settings:read", "custom_fields:read", "teams:read"})
_SHARED_READ = frozenset(f"{resource}:{READ}" for resource in SHARED_RESOURCES)
_SHARED_WRITE = frozenset(f"{resource}:{WRITE}" for resource in SHARED_RESOURCES)
_JOBS = frozenset({"jobs:read", "jobs:write", "exports:write"})

BUILT_IN_ROLES: dict[str, frozenset[str]] = {
    "owner": ALL_PERMISSIONS,
    "admin": ALL_PERMISSIONS,
    "member": _CRM_READ | _CRM_WRITE | _STORYVERSE_READ | _STORYVERSE_WRITE | _DIRECTORY_READ | _SHARED_READ
    | _SHARED_WRITE | _JOBS,
    "viewer": _CRM_READ | _STORYVERSE_READ | _DIRECTORY_READ | _SHARED_READ | {"jobs:read"},
    # A StoryVerse child (chalicelib/storyverse/families): the caller's `user_id` is the child's
    # id. They read and write stories in their own space and generate for them; the services narrow
    # every read and write to that space (a sibling's private story is missing to them).
    "child": frozenset({
        "stories:read", "stories:write", "characters:read", "universes:read", "generation:write",
        "files:read", "jobs:read",
    }),
}
OWNER = "owner"
CHILD = "child"


def can(resource: str, action: str) -> str:
    """The permission string a route declares; unknown ones fail at import, not at request time."""
    permission = f"{resource}:{action}"
    if permission not in ALL_PERMISSIONS and permission != SESSION:
        raise ValueError(f"unknown permission {permission}")
    return permission


USER = "user"
# An organization's API key (services/api_keys.py): its `user_id` is the key's id (what audit
# entries name as the actor), it has no session and no login.
API_KEY = "api_key"


@dataclass(frozen=True)
class Principal:
    """Who is calling, as the authorizer verified it from the access token or API key."""

    user_id: str
    org_id: str
    role: str
    session_id: str
    permissions: frozenset[str]
    kind: str = USER

    def require(self, permission: str) -> None:
        if self.kind == API_KEY:
            if permission == SESSION:
                raise Forbidden("This route acts on a user's session; an API key has none. Use a user's access token.")
            if permission not in self.permissions:
                raise Forbidden(f"This API key lacks the {permission} permission.")
            return
        if permission != SESSION and permission not in self.permissions:
            raise Forbidden(f"The {self.role} role lacks the {permission} permission.")



def principal(
    user_id: str, org_id: str, role: str, session_id: str, custom_permissions: Iterable[str] | None = None
) -> Principal:
    """Build a caller; ValueError for a role that is neither built in nor carries valid permissions."""
    if role in BUILT_IN_ROLES:
        permissions = BUILT_IN_ROLES[role]
    elif custom_permissions is not None and set(custom_permissions) <= ALL_PERMISSIONS:
        permissions = frozenset(custom_permissions)
    else:
        raise ValueError(f"unknown role {role}")
    return Principal(user_id=user_id, org_id=org_id, role=role, session_id=session_id, permissions=permissions)


def is_built_in(role: str) -> bool:
    return role in BUILT_IN_ROLES
