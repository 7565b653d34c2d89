"""Table `roles`: an organization's custom roles (the built-in ones live in code)."""
from __future__ import annotations

from pynamodb.attributes import ListAttribute, NumberAttribute, UnicodeAttribute, UTCDateTimeAttribute
from pynamodb.models import Model

from chalicelib.data.base import table_meta
from chalicelib.data.tenant_table import TenantTable


class RoleModel(Model):
    Meta = table_meta("roles")

    org_id = UnicodeAttribute(hash_key=True)
    role_id = UnicodeAttribute(range_key=True)
    name = UnicodeAttribute()
    description = UnicodeAttribute(null=True)
    permissions = ListAttribute(of=UnicodeAttribute, default=list)
    created_by = UnicodeAttribute()
    updated_by = UnicodeAttribute()
    created_at = UTCDateTimeAttribute()
    updated_at = UTCDateTimeAttribute()
    version = NumberAttribute(default=1)
    deleted_at = UTCDateTimeAttribute(null=True)


roles = TenantTable(RoleModel, "role_id", "role")
