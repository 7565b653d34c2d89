"""Table `team_members`: who is in which team. Partition `org_id`, sort `member_key` =
"<team_id>#<user_id>"; `lead` marks a team lead.

| request                                  | served by                                              |
|------------------------------------------|--------------------------------------------------------|
| GET /v1/teams/{team_id}/members          | the table (org_id, member_key begins_with "<team_id>#") |
| one membership (add, remove, lead check) | GetItem                                                |
| the teams of one user (visibility scope) | GSI by_user (org_user = "<org>#<user>", team_id)       |

The key makes a membership unique: adding a member again answers their membership as it is (or
changes only their lead flag). Removing a member deletes the item; its audit entry keeps the history.
"""
from __future__ import annotations

from pynamodb.attributes import BooleanAttribute, NumberAttribute, UnicodeAttribute, UTCDateTimeAttribute
from pynamodb.expressions.condition import Condition
from pynamodb.models import Model

from chalicelib.platform.tables.base import find, global_index, table_meta
from chalicelib.platform.tables.tenant_table import TenantTable

# A user's teams are read in one Query page of this many (services/teams.py caps a user's teams).
MAX_TEAMS_PER_USER = 25


class TeamMemberModel(Model):
    Meta = table_meta("team_members")

    org_id = UnicodeAttribute(hash_key=True)
    member_key = UnicodeAttribute(range_key=True)
    team_id = UnicodeAttribute()
    user_id = UnicodeAttribute()
    lead = BooleanAttribute(default=False)
    org_user = UnicodeAttribute()
    created_by = UnicodeAttribute()
    updated_by = UnicodeAttribute()
    created_at = UTCDateTimeAttribute()
    updated_at = UTCDateTimeAttribute()
    version = NumberAttribute(default=1)

    by_user = global_index("by_user", "org_user", "team_id")


team_members = TenantTable(
    TeamMemberModel, "member_key", "team_member",
    derive=lambda item: {"org_user": f"{item.org_id}#{item.user_id}"}, derived_attributes=frozenset({"org_user"}),
)  # fmt: skip


def member_key(team_id: str, user_id: str) -> str:
    return f"{team_id}#{user_id}"


def of_team(team_id: str) -> Condition:
    return TeamMemberModel.member_key.startswith(f"{team_id}#")


def memberships_of(org_id: str, user_id: str) -> list[TeamMemberModel]:
    """The teams `user_id` is in: one Query of GSI by_user."""
    return list(TeamMemberModel.by_user.query(f"{org_id}#{user_id}", limit=MAX_TEAMS_PER_USER))


def find_member(org_id: str, team_id: str, user_id: str) -> TeamMemberModel | None:
    """One GetItem."""
    return find(TeamMemberModel, org_id, member_key(team_id, user_id))
