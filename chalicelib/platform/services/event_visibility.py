"""Team visibility for events: who, among the listeners targeting chose, may hear of a record.

Under the organization's `record_visibility: "team"` (services/teams.py), a member hears an event
about a team-owned record (platform/tables/visibility.py) only when the record is theirs, a member's
of one of their teams, or one of their teams'; owners and admins hear everything, and a record naming
neither a user nor a team (the shared queue) reaches everyone targeting chose. A record that
changes hands is heard by those who saw it before as well (its frame names no values): their copy
learns it changed, as the sync feed tells them it is gone.

Decided per event, not per connection: the users who see the record are its user and the members
of that user's teams and of its team, so an event costs one GetItem of the record, one Query of
its user's memberships and one BatchGetItem of the teams (with their members), however many
connections listen; the organization's setting is read once per batch. None of it is read when
every listener is an owner or admin, or the event is about no team-owned record.
"""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from chalicelib.core.events import DomainEvent
from chalicelib.platform.kinds import record_kinds
from chalicelib.platform.services.org_settings import TEAM, settings_of
from chalicelib.platform.services.realtime import Listener
from chalicelib.platform.services.teams import SEE_EVERYTHING
from chalicelib.platform.tables.base import find
from chalicelib.platform.tables.team_members import memberships_of
from chalicelib.platform.tables.teams import teams_by_id
from chalicelib.platform.tables.visibility import OWNER_TEAM_ATTRIBUTE, is_team_owned


class EventVisibility:
    """Narrows one batch's audiences (the organizations' settings are read once per batch)."""

    def __init__(self) -> None:
        self._team_visibility: dict[str, bool] = {}

    def narrow(self, listeners: Sequence[Listener], event: DomainEvent) -> list[Listener]:
        if all(listener.role in SEE_EVERYTHING for listener in listeners):
            return list(listeners)
        model = _team_owned_model(event.subject_type)
        if model is None or not self._under_team_visibility(event.org_id):
            return list(listeners)
        seers = _seers(model, event)
        if seers is None:
            return list(listeners)
        return [listener for listener in listeners if listener.role in SEE_EVERYTHING or listener.user_id in seers]

    def _under_team_visibility(self, org_id: str) -> bool:
        if org_id not in self._team_visibility:
            self._team_visibility[org_id] = settings_of(org_id).record_visibility == TEAM
        return self._team_visibility[org_id]


def _team_owned_model(subject_type: str) -> type | None:
    return next(
        (kind.table.model for kind in record_kinds().values()
         if kind.table.kind == subject_type and is_team_owned(kind.table.model)),
        None,
    )


def _seers(model: Any, event: DomainEvent) -> frozenset[str] | None:
    """The users who see the event's record, before or after its change; None: everyone."""
    record = find(model, event.org_id, event.subject_id)
    users = _values(record, event, model.VISIBLE_TO)
    teams = _values(record, event, OWNER_TEAM_ATTRIBUTE)
    if not users and not teams:
        return None
    team_ids = {membership.team_id for user in users for membership in memberships_of(event.org_id, user)} | teams
    members = (team.member_ids or set() for team in teams_by_id(event.org_id, sorted(team_ids)))
    return frozenset(users.union(*members))


def _values(record: Any, event: DomainEvent, attribute: str) -> set[str]:
    """The attribute's value now, and the one the change replaced."""
    values = {getattr(record, attribute, None)}
    change = (event.data.get("changes") or {}).get(attribute)
    if isinstance(change, dict):
        values.update((change.get("from"), change.get("to")))
    return {value for value in values if isinstance(value, str)}
