"""Table `org_settings`: one item per organization (currency, stage probabilities, SLA targets,
record visibility, time zone).

Read with one GetItem on `org_id`; no item means the defaults (version 0). Written whole by
services/settings_admin.py as one conditional put (on `version`, or on the item not existing yet)
in a transaction with its audit entry.
"""
from __future__ import annotations

from pynamodb.attributes import (
    MapAttribute,
    NumberAttribute,
    UnicodeAttribute,
    UTCDateTimeAttribute,
)
from pynamodb.models import Model

from chalicelib.platform.tables.base import find, table_meta


class OrgSettingsModel(Model):
    Meta = table_meta("org_settings")

    org_id = UnicodeAttribute(hash_key=True)
    currency = UnicodeAttribute(null=True)
    stage_probabilities = MapAttribute(null=True)
    sla_targets = MapAttribute(null=True)
    record_visibility = UnicodeAttribute(null=True)
    time_zone = UnicodeAttribute(null=True)
    updated_by = UnicodeAttribute(null=True)
    updated_at = UTCDateTimeAttribute(null=True)
    version = NumberAttribute(default=0)


def find_settings(org_id: str) -> OrgSettingsModel | None:
    return find(OrgSettingsModel, org_id)
