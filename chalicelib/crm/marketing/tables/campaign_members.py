"""Table `campaign_members`: partition `org_id`, sort `member_key` = "<campaign_id>#<member_id>".

The key makes membership unique (adding a member twice fails the creation condition: 409) and
GET /v1/campaigns/{id}/members one Query with begins_with "<campaign_id>#" (plus the GetItem of the
campaign, so another tenant's campaign answers 404). Removing a member deletes the item (a member
may be added again later); the audit entry of the removal keeps its history.
"""
from __future__ import annotations

from pynamodb.attributes import NumberAttribute, UnicodeAttribute, UTCDateTimeAttribute
from pynamodb.expressions.condition import Condition
from pynamodb.models import Model

from chalicelib.platform.tables.base import table_meta
from chalicelib.platform.tables.tenant_table import TenantTable


class CampaignMemberModel(Model):
    Meta = table_meta("campaign_members")

    org_id = UnicodeAttribute(hash_key=True)
    member_key = UnicodeAttribute(range_key=True)
    membership_id = UnicodeAttribute()
    campaign_id = UnicodeAttribute()
    member_type = UnicodeAttribute()
    member_id = UnicodeAttribute()
    converted_at = UTCDateTimeAttribute(null=True)
    created_by = UnicodeAttribute()
    updated_by = UnicodeAttribute()
    created_at = UTCDateTimeAttribute()
    updated_at = UTCDateTimeAttribute()
    version = NumberAttribute(default=1)


campaign_members = TenantTable(CampaignMemberModel, "member_key", "campaign_member", id_attribute="membership_id")


def member_key(campaign_id: str, member_id: str) -> str:
    return f"{campaign_id}#{member_id}"


def of_campaign(campaign_id: str) -> Condition:
    return CampaignMemberModel.member_key.startswith(f"{campaign_id}#")
