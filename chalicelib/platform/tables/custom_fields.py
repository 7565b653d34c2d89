"""Table `custom_fields`: an organization's field definitions for customers, leads, contacts and
companies. Partition `org_id`, sort `field_id` = "<entity>.<key>".

Access patterns, one Query each:

| request                                  | served by                                          |
|------------------------------------------|----------------------------------------------------|
| GET /v1/custom-fields                    | the table (org_id): every definition, by entity/key |
| GET /v1/custom-fields?entity=<entity>    | the table (org_id, field_id begins_with "<entity>.") |
| a write of a record of <entity>          | the same begins_with Query, all live definitions    |

The key in the sort key makes a definition unique per organization and entity: a second one with
the same key fails the creation condition (409), no read before.
"""
from __future__ import annotations

from pynamodb.attributes import (
    BooleanAttribute,
    ListAttribute,
    UnicodeAttribute,
)
from pynamodb.expressions.condition import Condition

from chalicelib.platform.tables.base import table_meta
from chalicelib.platform.tables.tenant_table import TenantRecord, TenantTable


class CustomFieldModel(TenantRecord):
    Meta = table_meta("custom_fields")

    field_id = UnicodeAttribute(range_key=True)
    entity = UnicodeAttribute()
    key = UnicodeAttribute()
    label = UnicodeAttribute()
    type = UnicodeAttribute()
    required = BooleanAttribute(default=False)
    options = ListAttribute(of=UnicodeAttribute, null=True)


custom_fields = TenantTable(CustomFieldModel, "field_id", "custom_field")


def field_id(entity: str, key: str) -> str:
    return f"{entity}.{key}"


def of_entity(entity: str) -> Condition:
    return CustomFieldModel.field_id.startswith(f"{entity}.")


def definitions_of(org_id: str, entity: str) -> list[CustomFieldModel]:
    """The live definitions of one entity: one Query (a few hundred definitions fit one 1 MB page)."""
    return list(
        CustomFieldModel.query(
            org_id, range_key_condition=of_entity(entity), filter_condition=CustomFieldModel.deleted_at.does_not_exist()
        )
    )
