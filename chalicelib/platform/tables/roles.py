"""Table `roles`: an organization's custom roles (the built-in ones live in code,
services/roles.py). Partition `org_id`, sort `role_id` (time-ordered).

Access patterns: list = one Query of the organization's partition (oldest first, deleted ones
filtered out); one role = GetItem. Names are unique per organization through `role_names`
(partition `org_id`, sort the lower-cased name): creating or renaming a role claims its name with
a conditional put in the same transaction, so two roles can never share a name.
"""
from __future__ import annotations

from pynamodb.attributes import (
    ListAttribute,
    UnicodeAttribute,
)
from pynamodb.models import Model

from chalicelib.core.errors import Conflict
from chalicelib.platform.tables.base import table_meta
from chalicelib.platform.tables.tenant_table import TenantRecord, TenantTable
from chalicelib.platform.tables.writes import Change


class RoleModel(TenantRecord):
    Meta = table_meta("roles")

    role_id = UnicodeAttribute(range_key=True)
    name = UnicodeAttribute()
    description = UnicodeAttribute(null=True)
    permissions = ListAttribute(of=UnicodeAttribute, default=list)


class RoleNameModel(Model):
    """A claim on a role name within an organization; exists exactly while a live role bears it."""

    Meta = table_meta("role_names")

    org_id = UnicodeAttribute(hash_key=True)
    name_key = UnicodeAttribute(range_key=True)
    role_id = UnicodeAttribute()


roles = TenantTable(RoleModel, "role_id", "role")


def name_key(name: str) -> str:
    return name.strip().lower()


def name_claim(org_id: str, name: str, role_id: str) -> Change:
    return Change(
        "put",
        RoleNameModel(org_id, name_key(name), role_id=role_id),
        condition=RoleNameModel.name_key.does_not_exist(),
        on_condition_failed=Conflict("A role with this name already exists.", field="name"),
    )


def name_release(org_id: str, name: str, role_id: str) -> Change:
    return Change(
        "delete",
        RoleNameModel(org_id, name_key(name)),
        condition=RoleNameModel.role_id == role_id,
        on_condition_failed=Conflict("The role's name changed while this request ran; retry."),
    )
