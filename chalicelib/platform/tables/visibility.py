"""Record visibility within an organization: which of its team-owned records a caller may see.

A record type is team-owned when its model names the attribute holding its owning user
(`VISIBLE_TO = "owner"`, or "assignee" for work handed to someone); it may also carry
`owner_team_id`. When the organization's setting is "team" (platform/services/teams.py), a caller
who is neither its owner nor an admin sees such a record only if its user is the caller or a member
of one of the caller's teams, or its `owner_team_id` is one of the caller's teams. A record naming
neither a user nor a team (an unassigned ticket) is the organization's shared queue: visible to all.

Enforced here, below every service: `base.find` answers a hidden record as missing (the same 404
as another tenant's id, for reads and, since every write reads the record first, for writes), and
`base.query_page` leaves hidden records out of every list, search and snapshot page, and
`TenantTable.existence_check` (a record named in a path or a body, checked in a write's
transaction) fails for one, as for a missing record (404 in a path, 422 in a body). The caller's
scope is set per request by the route wrapper (`scoped`) and resolved on the first read of a
team-owned record only, so a request touching none costs nothing.
"""
from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

OWNER_TEAM_ATTRIBUTE = "owner_team_id"


@dataclass(frozen=True)
class Scope:
    """What a caller under team visibility sees: records of these users or of these teams."""

    users: frozenset[str]
    teams: frozenset[str]

    def sees(self, record: Any) -> bool:
        user, team = ownership(record)
        if user is None and team is None:
            return True
        return user in self.users or team in self.teams


def ownership(record: Any) -> tuple[str | None, str | None]:
    """The user a team-owned record is visible to (its owner or assignee) and its owning team."""
    return getattr(record, type(record).VISIBLE_TO, None), getattr(record, OWNER_TEAM_ATTRIBUTE, None)


# The current request's scope: a function resolving it once (None: the caller sees everything).
_resolver: ContextVar[Callable[[], Scope | None] | None] = ContextVar("visibility_scope", default=None)


@contextmanager
def scoped(resolve: Callable[[], Scope | None]) -> Iterator[None]:
    """Reads inside see what `resolve()` allows; it is called at most once, on the first read of a
    team-owned record."""
    resolved: list[Scope | None] = []

    def once() -> Scope | None:
        if not resolved:
            resolved.append(resolve())
        return resolved[0]

    token = _resolver.set(once)
    try:
        yield
    finally:
        _resolver.reset(token)


def is_team_owned(model: type) -> bool:
    return isinstance(getattr(model, "VISIBLE_TO", None), str)


def narrowed(model: type) -> bool:
    """Whether the current caller sees only some records of `model`."""
    resolve = _resolver.get()
    return is_team_owned(model) and resolve is not None and resolve() is not None


def sees_every_record() -> bool:
    """Whether the current caller sees every team-owned record (True outside a request's scope).
    What was read with another user's visibility (a report's rows, an export's file) is shown to
    a caller who does not only when it is their own."""
    resolve = _resolver.get()
    return resolve is None or resolve() is None


def current_scope() -> Scope | None:
    """The current caller's scope, resolved now if no read did yet (None: they see everything, as
    everyone does outside a request's scope)."""
    resolve = _resolver.get()
    return resolve() if resolve is not None else None


def hidden(record: Any) -> bool:
    """Whether the current caller may not see `record` (False outside a request's scope, e.g. in
    the event consumers, and for records that are not team-owned)."""
    if record is None or not is_team_owned(type(record)):
        return False
    resolve = _resolver.get()
    scope = resolve() if resolve is not None else None
    return scope is not None and not scope.sees(record)
