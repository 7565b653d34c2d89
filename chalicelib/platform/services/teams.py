"""Teams within an organization, their members and leads, and the record visibility they decide.

A team (table `teams`) has a name and members (table `team_members`); a user may be in several
teams (at most MAX_TEAMS_PER_USER). Owners and admins (`teams:write`) create, rename and delete
teams and manage every team's members and leads; a team's lead manages its members (adds and
removes them, but names no leads). Every write is audited.

Record visibility: the organization's setting `record_visibility` (services/org_settings.py) is
"everyone" (the default: the read permission decides alone) or "team": then a caller who is not
an owner or admin sees a team-owned record (platform/tables/visibility.py) only if it is theirs,
a member's of one of their teams, or owned by one of their teams (`owner_team_id`). The caller's
scope is read on the first team-owned record a request touches: the settings' GetItem, then under
"team" one Query of the caller's memberships and one BatchGetItem of their teams (with their
members); a request touching no such record makes none of these calls.
"""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from chalicelib.core import clock
from chalicelib.core.errors import Conflict, Forbidden
from chalicelib.core.ids import new_id
from chalicelib.core.validation import validate
from chalicelib.observability import count
from chalicelib.platform.services.org_members import check_active_users
from chalicelib.platform.services.org_settings import TEAM, settings_of
from chalicelib.platform.services.roles import Principal
from chalicelib.platform.tables.team_members import (
    MAX_TEAMS_PER_USER,
    TeamMemberModel,
    find_member,
    member_key,
    memberships_of,
    of_team,
    team_members,
)
from chalicelib.platform.tables.teams import TeamModel, teams, teams_by_id
from chalicelib.platform.tables.visibility import Scope, scoped
from chalicelib.platform.tables.writes import Change, audited, commit

# Roles that see every record whatever the setting: they administer the organization.
SEE_EVERYTHING = frozenset({"owner", "admin"})
MANAGE = "teams:write"

_FIELDS: dict[str, Any] = {
    "name": {"type": "string", "minLength": 1, "maxLength": 100},
    "description": {"type": ["string", "null"], "maxLength": 1000},
}
TEAM_SCHEMA = {"type": "object", "additionalProperties": False, "required": ["name"], "properties": _FIELDS}
PATCH_SCHEMA = {"type": "object", "additionalProperties": False, "minProperties": 1, "properties": _FIELDS}
MEMBER_SCHEMA = {"type": "object", "additionalProperties": False, "properties": {"lead": {"type": "boolean"}}}
TEAM_VIEW = {
    "type": "object",
    "properties": {
        "id": {"type": "string"},
        "name": {"type": "string"},
        "description": {"type": ["string", "null"]},
        "member_count": {"type": "integer"},
        "created_at": {"type": "string", "format": "date-time"},
        "updated_at": {"type": "string", "format": "date-time"},
        "version": {"type": "integer"},
    },
    "required": ["id", "name", "member_count", "version"],
}
MEMBER_VIEW = {
    "type": "object",
    "properties": {
        "team_id": {"type": "string"},
        "user_id": {"type": "string"},
        "lead": {"type": "boolean"},
        "added_by": {"type": "string"},
        "created_at": {"type": "string", "format": "date-time"},
        "updated_at": {"type": "string", "format": "date-time"},
        "version": {"type": "integer"},
    },
    "required": ["team_id", "user_id", "lead", "version"],
}


# Teams


def list_teams(principal: Principal, limit: int, cursor: str | None) -> dict[str, Any]:
    items, next_cursor = teams.page(principal.org_id, limit, cursor)
    return {"items": [team_view(item) for item in items], "next_cursor": next_cursor}


def create_team(principal: Principal, body: Any) -> dict[str, Any]:
    fields = validate(TEAM_SCHEMA, body)
    team = TeamModel(principal.org_id, new_id(), name=fields["name"], description=fields.get("description"))
    teams.insert(team, principal.user_id)
    count("TeamCreated")
    return team_view(team)


def get_team(principal: Principal, team_id: str) -> dict[str, Any]:
    return team_view(teams.get(principal.org_id, team_id))


def patch_team(principal: Principal, team_id: str, body: Any, expected_version: int | None) -> dict[str, Any]:
    changes = validate(PATCH_SCHEMA, body)
    team = teams.update(principal.org_id, team_id, changes, expected_version, principal.user_id)
    count("TeamUpdated")
    return team_view(team)


def delete_team(principal: Principal, team_id: str, expected_version: int | None) -> None:
    """A deleted team no longer widens anyone's visibility; its records keep their owner_team_id
    (seen then by their owners, owners and admins) until they are given another team."""
    teams.soft_delete(principal.org_id, team_id, expected_version, principal.user_id)
    count("TeamDeleted")


def team_view(team: TeamModel) -> dict[str, Any]:
    return {
        "id": team.team_id,
        "name": team.name,
        "description": team.description,
        "member_count": len(team.member_ids or ()),
        "created_at": clock.isoformat(team.created_at),
        "updated_at": clock.isoformat(team.updated_at),
        "version": team.version,
    }


# Members


def list_members(principal: Principal, team_id: str, limit: int, cursor: str | None) -> dict[str, Any]:
    teams.get(principal.org_id, team_id)
    items, next_cursor = team_members.page(principal.org_id, limit, cursor, range_key_condition=of_team(team_id))
    return {"items": [member_view(item) for item in items], "next_cursor": next_cursor}


def put_member(principal: Principal, team_id: str, user_id: str, body: Any) -> dict[str, Any]:
    """Adds `user_id` to the team (a lead when `lead` is true), or sets their lead flag; answers the
    membership as it is now. Naming a lead takes teams:write; a team's lead may add members."""
    fields = validate(MEMBER_SCHEMA, body if body is not None else {})
    org_id = principal.org_id
    teams.get(org_id, team_id)
    _check_may_manage(principal, team_id, naming_lead="lead" in fields)
    current = find_member(org_id, team_id, user_id)
    lead = fields.get("lead", current.lead if current is not None else False)
    if current is not None:
        parts, updated = team_members.modification(current, {"lead": lead}, principal.user_id)
        if parts:
            commit(parts)
            count("TeamLeadChanged")
        return member_view(updated)
    check_active_users(org_id, {"user_id": user_id})
    if len(memberships_of(org_id, user_id)) >= MAX_TEAMS_PER_USER:
        raise Conflict(f"This user is already in {MAX_TEAMS_PER_USER} teams, the most one may be in.", field="user_id")
    member = TeamMemberModel(org_id, member_key(team_id, user_id), team_id=team_id, user_id=user_id, lead=lead)
    parts = team_members.creation(member, principal.user_id)
    parts[0].on_condition_failed = Conflict("This user was added to the team while this request ran; retry.", field="user_id")
    commit([*parts, teams.members_change(org_id, team_id, added=user_id)])
    count("TeamMemberAdded")
    return member_view(member)


def remove_member(principal: Principal, team_id: str, user_id: str) -> None:
    org_id = principal.org_id
    teams.get(org_id, team_id)
    _check_may_manage(principal, team_id, naming_lead=False)
    member = team_members.get(org_id, member_key(team_id, user_id))
    audit, event = audited(
        org_id, principal.user_id, "deleted", team_members.kind, member.member_key,
        {"team_id": team_id, "user_id": user_id, "lead": member.lead},
    )  # fmt: skip
    removal = Change(
        "delete",
        TeamMemberModel(org_id, member.member_key),
        condition=TeamMemberModel.version == member.version,
        on_condition_failed=Conflict("The membership changed while this request ran; retry.", field="user_id"),
        audit=audit,
        event=event,
    )
    commit([removal, teams.members_change(org_id, team_id, removed=user_id)])
    count("TeamMemberRemoved")


def member_view(member: TeamMemberModel) -> dict[str, Any]:
    return {
        "team_id": member.team_id,
        "user_id": member.user_id,
        "lead": bool(member.lead),
        "added_by": member.created_by,
        "created_at": clock.isoformat(member.created_at),
        "updated_at": clock.isoformat(member.updated_at),
        "version": member.version,
    }


def _check_may_manage(principal: Principal, team_id: str, naming_lead: bool) -> None:
    if MANAGE in principal.permissions:
        return
    if not naming_lead:
        caller = find_member(principal.org_id, team_id, principal.user_id)
        if caller is not None and caller.lead:
            return
    raise Forbidden(
        f"The {principal.role} role lacks the {MANAGE} permission"
        + ("." if naming_lead else ", and the caller does not lead this team.")
    )


# Record visibility


@contextmanager
def record_visibility(principal: Principal) -> Iterator[None]:
    """Within it, reads of team-owned records show `principal` what the organization's setting
    lets them see (module docstring)."""
    with scoped(lambda: scope_of(principal)):
        yield


def scope_of(principal: Principal) -> Scope | None:
    """None when the caller sees every record; else the users and teams whose records they see."""
    if principal.role in SEE_EVERYTHING or settings_of(principal.org_id).record_visibility != TEAM:
        return None
    team_ids = [membership.team_id for membership in memberships_of(principal.org_id, principal.user_id)]
    live = teams_by_id(principal.org_id, team_ids)
    users = {principal.user_id}.union(*(team.member_ids or () for team in live))
    return Scope(users=frozenset(users), teams=frozenset(team.team_id for team in live))
