"""Table `teams`: an organization's teams. Partition `org_id`, sort `team_id` (minted).

| request                                  | served by                                           |
|------------------------------------------|-----------------------------------------------------|
| GET /v1/teams                            | the table (org_id): every live team, oldest first    |
| GET /v1/teams/{team_id}                  | GetItem                                              |
| a caller's visibility scope              | BatchGetItem of the caller's teams (team_members)    |

`member_ids` is the set of the team's members, kept by the membership writes in the same
transaction as their team_members item (services/teams.py), so a caller's scope under team
visibility is one BatchGetItem of their teams, not one Query per team. It is not a field clients
write, and not in the team's audit diffs (each membership change has its own entry).
"""
from __future__ import annotations

from pynamodb.attributes import UnicodeAttribute, UnicodeSetAttribute
from pynamodb.expressions.condition import size

from chalicelib.core.errors import NotFound
from chalicelib.platform.tables.base import table_meta
from chalicelib.platform.tables.tenant_table import TenantRecord, TenantTable
from chalicelib.platform.tables.writes import Change

# The item holds every member's id (26 characters): 500 of them stay far below DynamoDB's 400 KB.
MAX_MEMBERS_PER_TEAM = 500


class TeamModel(TenantRecord):
    Meta = table_meta("teams")

    team_id = UnicodeAttribute(range_key=True)
    name = UnicodeAttribute()
    description = UnicodeAttribute(null=True)
    member_ids = UnicodeSetAttribute(null=True)


class TeamTable(TenantTable[TeamModel]):
    def __init__(self) -> None:
        super().__init__(TeamModel, "team_id", "team")
        # Members change through membership writes (members_change), never through a team update.
        self.public_fields = [name for name in self.public_fields if name != "member_ids"]

    def members_change(self, org_id: str, team_id: str, added: str | None = None, removed: str | None = None) -> Change:
        """An atomic ADD or DELETE of one member id, only while the team exists, live (and, for an
        addition, has room)."""
        model = TeamModel
        condition = model.team_id.exists() & model.deleted_at.does_not_exist()
        if added is not None:
            condition &= model.member_ids.does_not_exist() | (size(model.member_ids) < MAX_MEMBERS_PER_TEAM)
        action = model.member_ids.add({added}) if added is not None else model.member_ids.delete({removed})
        return Change(
            "update",
            model(org_id, team_id),
            actions=[action],
            condition=condition,
            on_condition_failed=NotFound("No team with this id, or it has no room for another member."),
        )


teams = TeamTable()


def teams_by_id(org_id: str, team_ids: list[str]) -> list[TeamModel]:
    """The live teams among `team_ids`: one BatchGetItem (at most 100 ids)."""
    keys = [(org_id, team_id) for team_id in team_ids]
    return [team for team in TeamModel.batch_get(keys) if team.deleted_at is None] if keys else []
