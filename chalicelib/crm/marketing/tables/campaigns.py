"""Table `campaigns`: partition `org_id`, sort `campaign_id` (time-ordered, lists oldest first).

Access patterns: GET one is a GetItem; GET /v1/campaigns is one Query per page:
| filter   | served by                                                    |
|----------|--------------------------------------------------------------|
| status   | GSI by_status (org_status = "<org>#<status>", campaign_id)    |
| none     | the table (org_id, campaign_id)                               |

Analytics are kept on the campaign item itself: `member_count` and `conversion_count` change by an
atomic ADD in the same transaction as the membership change (see campaign_members.py), so
GET .../analytics is the one GetItem of the campaign. They are not part of the versioned
representation (a PUT never touches them, and they do not move the ETag).
"""
from __future__ import annotations

from pynamodb.attributes import (
    NumberAttribute,
    TTLAttribute,
    UnicodeAttribute,
    UTCDateTimeAttribute,
)

from chalicelib.core.errors import NotFound
from chalicelib.platform.tables.base import global_index, table_meta
from chalicelib.platform.tables.tenant_table import TenantRecord, TenantTable
from chalicelib.platform.tables.writes import Change


class CampaignModel(TenantRecord):
    Meta = table_meta("campaigns")

    campaign_id = UnicodeAttribute(range_key=True)
    name = UnicodeAttribute()
    channel = UnicodeAttribute()
    status = UnicodeAttribute()
    starts_at = UTCDateTimeAttribute(null=True)
    ends_at = UTCDateTimeAttribute(null=True)
    budget = NumberAttribute(null=True)
    member_count = NumberAttribute(default=0)
    conversion_count = NumberAttribute(default=0)
    # Deleted campaigns stay restorable for 30 days; then DynamoDB's TTL removes them.
    purge_at = TTLAttribute(null=True)

    org_status = UnicodeAttribute()

    by_status = global_index("by_status", "org_status", "campaign_id")


class CampaignTable(TenantTable[CampaignModel]):
    def __init__(self) -> None:
        super().__init__(
            CampaignModel,
            "campaign_id",
            "campaign",
            derive=lambda item: {"org_status": f"{item.org_id}#{item.status}"},
            derived_attributes=frozenset({"org_status"}),
        )
        # Tallies move with membership changes, never through a campaign update.
        self.public_fields = [name for name in self.public_fields if name not in ("member_count", "conversion_count")]

    def tally(self, org_id: str, campaign_id: str, members: int = 0, conversions: int = 0) -> Change:
        """An atomic ADD to the campaign's tallies, only while the campaign exists, live."""
        actions = []
        if members:
            actions.append(CampaignModel.member_count.add(members))
        if conversions:
            actions.append(CampaignModel.conversion_count.add(conversions))
        return Change(
            "update",
            CampaignModel(org_id, campaign_id),
            actions=actions,
            condition=CampaignModel.campaign_id.exists() & CampaignModel.deleted_at.does_not_exist(),
            on_condition_failed=NotFound("No campaign with this id."),
        )


campaigns = CampaignTable()
