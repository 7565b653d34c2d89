"""Marketing campaigns, their members (leads, contacts, customers) and conversion analytics.

Lifecycle: draft -> active -> paused <-> active -> completed (draft may also be completed, e.g.
called off). New campaigns start as drafts; a status change through PUT/PATCH that is not a legal
step is 409. A completed campaign takes no new members.

Membership changes commit in one transaction with: the membership item, a condition check that
the member exists (live) in the caller's organization in its own table, and an atomic ADD to the
campaign's tallies (members, conversions), so analytics never need a scan or a count query.
"""
from __future__ import annotations

from typing import Any

from chalicelib.core import clock
from chalicelib.core.errors import Conflict, ValidationFailed
from chalicelib.core.documents import NUMBER_LIMITS
from chalicelib.core.ids import new_id
from chalicelib.core.search import list_filters
from chalicelib.core.validation import validate
from chalicelib.crm.contact_management.tables.contacts import contacts
from chalicelib.crm.contact_management.tables.customers import customers
from chalicelib.crm.contact_management.tables.leads import leads
from chalicelib.crm.marketing.tables.campaign_members import CampaignMemberModel, campaign_members, member_key, of_campaign
from chalicelib.crm.marketing.tables.campaigns import CampaignModel, campaigns
from chalicelib.observability import count
from chalicelib.platform.services.roles import Principal
from chalicelib.platform.tables.base import query_page
from chalicelib.platform.tables.references import reference_check
from chalicelib.platform.tables.tenant_table import TenantTable
from chalicelib.platform.tables.writes import Change, audited, commit

STATUSES = ("draft", "active", "paused", "completed")
LIST_FILTERS = ("status",)
# The values a list filter takes, checked by list_filters and declared in the OpenAPI document
# (routes: RecordSchemas(choices=...)).
LIST_CHOICES = {"status": STATUSES}
TRANSITIONS = {
    "draft": {"active", "completed"},
    "active": {"paused", "completed"},
    "paused": {"active", "completed"},
    "completed": set(),
}
CHANNELS = ("email", "sms", "social", "ads", "event", "web", "other")
MEMBER_TABLES: dict[str, TenantTable[Any]] = {"lead": leads, "contact": contacts, "customer": customers}

_TIME = {"type": ["string", "null"], "format": "date-time"}
_FIELDS: dict[str, Any] = {
    "name": {"type": "string", "minLength": 1, "maxLength": 200},
    "channel": {"type": "string", "enum": list(CHANNELS)},
    "starts_at": _TIME,
    "ends_at": _TIME,
    "budget": {"type": ["number", "null"], **NUMBER_LIMITS, "minimum": 0, "maximum": 1e12},
}
CAMPAIGN_SCHEMA = {"type": "object", "additionalProperties": False, "required": ["name", "channel"], "properties": _FIELDS}
REPLACE_SCHEMA = {
    "type": "object",
    "additionalProperties": False,
    "required": ["name", "channel"],
    "properties": {**_FIELDS, "status": {"type": "string", "enum": list(STATUSES)}},
}
PATCH_SCHEMA = {
    "type": "object",
    "additionalProperties": False,
    "minProperties": 1,
    "properties": {**_FIELDS, "status": {"type": "string", "enum": list(STATUSES)}},
}
MEMBER_SCHEMA = {
    "type": "object",
    "additionalProperties": False,
    "required": ["member_type", "member_id"],
    "properties": {
        "member_type": {"type": "string", "enum": list(MEMBER_TABLES)},
        "member_id": {"type": "string", "minLength": 1, "maxLength": 64, "pattern": "^[^#]+$"},
    },
}


def create_campaign(principal: Principal, body: Any) -> dict[str, Any]:
    fields = _times(validate(CAMPAIGN_SCHEMA, body))
    _check_window(fields.get("starts_at"), fields.get("ends_at"))
    campaign = CampaignModel(
        principal.org_id,
        new_id(),
        name=fields["name"],
        channel=fields["channel"],
        status="draft",
        starts_at=fields.get("starts_at"),
        ends_at=fields.get("ends_at"),
        budget=fields.get("budget"),
        member_count=0,
        conversion_count=0,
    )
    campaigns.insert(campaign, principal.user_id)
    count("CampaignCreated")
    return campaign_view(campaign)


def get_campaign(principal: Principal, campaign_id: str) -> dict[str, Any]:
    return campaign_view(campaigns.get(principal.org_id, campaign_id))


def list_campaigns(principal: Principal, query: dict[str, str], limit: int, cursor: str | None) -> dict[str, Any]:
    status = list_filters(query, LIST_FILTERS, LIST_CHOICES).get("status")
    if status is None:
        items, next_cursor = campaigns.page(principal.org_id, limit, cursor)
    else:
        key = f"{principal.org_id}#{status}"
        items, next_cursor = query_page(
            CampaignModel.by_status, CampaignModel, {"org_id": principal.org_id, "org_status": key}, key,
            frozenset({"campaign_id"}), limit, cursor, filter_condition=CampaignModel.deleted_at.does_not_exist(),
        )
    return {"items": [campaign_view(item) for item in items], "next_cursor": next_cursor}


def replace_campaign(principal: Principal, campaign_id: str, body: Any, expected_version: int) -> dict[str, Any]:
    fields = _times(validate(REPLACE_SCHEMA, body))
    return _apply(principal, campaign_id, {"starts_at": None, "ends_at": None, "budget": None, **fields}, expected_version)


def patch_campaign(principal: Principal, campaign_id: str, body: Any, expected_version: int | None) -> dict[str, Any]:
    return _apply(principal, campaign_id, _times(validate(PATCH_SCHEMA, body)), expected_version)


def delete_campaign(principal: Principal, campaign_id: str, expected_version: int | None) -> None:
    campaigns.soft_delete(principal.org_id, campaign_id, expected_version, principal.user_id)
    count("CampaignDeleted")


def restore_campaign(principal: Principal, campaign_id: str) -> dict[str, Any]:
    campaign = campaigns.restore(principal.org_id, campaign_id, principal.user_id)
    count("CampaignRestored")
    return campaign_view(campaign)


def add_member(principal: Principal, campaign_id: str, body: Any) -> dict[str, Any]:
    fields = validate(MEMBER_SCHEMA, body)
    org_id = principal.org_id
    campaign = campaigns.get(org_id, campaign_id)
    if campaign.status == "completed":
        raise Conflict("A completed campaign takes no new members.", field="campaign_id")
    member = CampaignMemberModel(
        org_id,
        member_key(campaign_id, fields["member_id"]),
        membership_id=new_id(),
        campaign_id=campaign_id,
        member_type=fields["member_type"],
        member_id=fields["member_id"],
    )
    parts = campaign_members.creation(member, principal.user_id)
    parts[0].on_condition_failed = Conflict("This member is already in the campaign.", field="member_id")
    table = MEMBER_TABLES[member.member_type]
    commit([*parts, reference_check(table, org_id, member.member_id, "member_id"), campaigns.tally(org_id, campaign_id, members=1)])
    count("CampaignMemberAdded")
    return member_view(member)


def list_members(principal: Principal, campaign_id: str, limit: int, cursor: str | None) -> dict[str, Any]:
    campaigns.get(principal.org_id, campaign_id)
    items, next_cursor = campaign_members.page(principal.org_id, limit, cursor, range_key_condition=of_campaign(campaign_id))
    return {"items": [member_view(item) for item in items], "next_cursor": next_cursor}


def get_member(principal: Principal, campaign_id: str, member_id: str) -> dict[str, Any]:
    """One GetItem: the membership's key holds the campaign, so another tenant's or campaign's is 404."""
    return member_view(campaign_members.get(principal.org_id, member_key(campaign_id, member_id)))


def remove_member(principal: Principal, campaign_id: str, member_id: str) -> None:
    org_id = principal.org_id
    campaigns.get(org_id, campaign_id)
    member = campaign_members.get(org_id, member_key(campaign_id, member_id))
    audit, event = audited(org_id, principal.user_id, "deleted", campaign_members.kind, member.membership_id,
                           {"campaign_id": campaign_id, "member_type": member.member_type, "member_id": member_id})
    removal = Change(
        "delete",
        CampaignMemberModel(org_id, member.member_key),
        condition=CampaignMemberModel.version == member.version,
        on_condition_failed=Conflict("The membership changed while this request ran; retry.", field="member_id"),
        audit=audit,
        event=event,
    )
    converted = 1 if member.converted_at is not None else 0
    commit([removal, campaigns.tally(org_id, campaign_id, members=-1, conversions=-converted)])
    count("CampaignMemberRemoved")


def convert_member(principal: Principal, campaign_id: str, member_id: str) -> dict[str, Any]:
    org_id = principal.org_id
    campaigns.get(org_id, campaign_id)
    member = campaign_members.get(org_id, member_key(campaign_id, member_id))
    if member.converted_at is not None:
        raise Conflict("This member has already converted.", field="member_id")
    parts, converted = campaign_members.modification(member, {"converted_at": clock.now()}, principal.user_id,
                                                     action="converted")
    parts[0].on_condition_failed = Conflict("This member has already converted.", field="member_id")
    commit([*parts, campaigns.tally(org_id, campaign_id, conversions=1)])
    count("CampaignConversion")
    return member_view(converted)


def analytics(principal: Principal, campaign_id: str) -> dict[str, Any]:
    campaign = campaigns.get(principal.org_id, campaign_id, consistent=True)
    members = int(campaign.member_count or 0)
    conversions = int(campaign.conversion_count or 0)
    return {
        "campaign_id": campaign.campaign_id,
        "members": members,
        "conversions": conversions,
        "conversion_rate": round(conversions / members, 4) if members else 0.0,
    }


def campaign_view(campaign: CampaignModel) -> dict[str, Any]:
    return {
        "id": campaign.campaign_id,
        "name": campaign.name,
        "channel": campaign.channel,
        "status": campaign.status,
        "starts_at": clock.isoformat(campaign.starts_at) if campaign.starts_at else None,
        "ends_at": clock.isoformat(campaign.ends_at) if campaign.ends_at else None,
        "budget": _number(campaign.budget),
        "created_by": campaign.created_by,
        "created_at": clock.isoformat(campaign.created_at),
        "updated_at": clock.isoformat(campaign.updated_at),
        "version": campaign.version,
    }


def member_view(member: CampaignMemberModel) -> dict[str, Any]:
    return {
        "id": member.membership_id,
        "campaign_id": member.campaign_id,
        "member_type": member.member_type,
        "member_id": member.member_id,
        "converted": member.converted_at is not None,
        "converted_at": clock.isoformat(member.converted_at) if member.converted_at else None,
        "added_by": member.created_by,
        "created_at": clock.isoformat(member.created_at),
        "version": member.version,
    }


def _apply(principal: Principal, campaign_id: str, changes: dict[str, Any], expected_version: int | None) -> dict[str, Any]:
    current = campaigns.get(principal.org_id, campaign_id)
    campaigns.check_version(current, expected_version)
    status = changes.get("status", current.status)
    if status != current.status and status not in TRANSITIONS[current.status]:
        raise Conflict(f"A campaign cannot go from {current.status} to {status}.", field="status")
    _check_window(changes.get("starts_at", current.starts_at), changes.get("ends_at", current.ends_at))
    parts, updated = campaigns.modification(current, changes, principal.user_id)
    if parts:
        commit(parts)
        count("CampaignUpdated")
    return campaign_view(updated)


def _times(fields: dict[str, Any]) -> dict[str, Any]:
    for name in ("starts_at", "ends_at"):
        if fields.get(name):
            fields[name] = clock.parse(fields[name])
    return fields


def _check_window(starts_at: Any, ends_at: Any) -> None:
    if starts_at and ends_at and ends_at < starts_at:
        raise ValidationFailed("ends_at is before starts_at.", [{"field": "ends_at", "message": "ends_at is before starts_at"}])


def _number(value: Any) -> Any:
    if value is None:
        return None
    return int(value) if value == int(value) else float(value)
