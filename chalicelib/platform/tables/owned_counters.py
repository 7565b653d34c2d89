"""Counters per owner, kept beside the organization's (tables/counters.py), so a caller who sees only
some records (team visibility, tables/visibility.py) gets the figures of exactly what they see.

What a record counts for is a list of `Tally`s (a figure and a value: `leads_created` on a day,
`tickets_status` "open"), counted under its ownership: the user it is visible to and its owning
team (`visibility.ownership`). Every write moving a tally commits, in its own transaction, the
organization's counter ("<figure>#<value>", as before) and the owner's, in the `counters`
partition of the organization:

    owned#u#<user or ->#<section>#<value>#<figure>#<team or ->    per (user, team) pair
    owned#t#<team>#<section>#<value>#<figure>                      per team (records with a team)

`section` is "day" for figures counted per day (the value a YYYY-MM-DD day, so a period is one key
range) and "now" for figures of the records' current state (a key prefix). A change of ownership
(owner, assignee or owner_team_id changed) moves the record's tallies from its old pair and team
to its new ones, in the write's transaction: `recount(org_id, before, after)`.

A caller's figures (`owned_figures`) count each record once: the team counters of the caller's
teams (every record owned by one of them, whoever its user), the pair counters of the users they
see for the records owned by no team of theirs, and the pair counters of records owned by nobody
(the shared queue). Two Queries (one per section) per user and per team of the scope, and two for
nobody: 2 × (users + teams + 1), users being the caller and their teams' members.
"""
from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from typing import Any

from chalicelib.platform.tables.counters import CounterModel
from chalicelib.platform.tables.visibility import ownership
from chalicelib.platform.tables.writes import Change, increment

OWNED_PREFIX = "owned#"
NOBODY = "-"
DAY, NOW = "day", "now"
# Sorts after any team id, day or figure: the end of a key range.
_LAST = "~"


@dataclass(frozen=True)
class Tally:
    """One figure a record counts for: per day (`value` a YYYY-MM-DD day) or of its current state."""

    figure: str
    value: str
    daily: bool = False

    @property
    def counter_key(self) -> str:
        """The organization's counter."""
        return f"{self.figure}#{self.value}"

    @property
    def section(self) -> str:
        return DAY if self.daily else NOW


@dataclass(frozen=True)
class Counted:
    """What a record counts for, and under whom."""

    tallies: tuple[Tally, ...] = ()
    user: str | None = None
    team: str | None = None


NOTHING = Counted()


def counted(record: Any, tallies: Sequence[Tally]) -> Counted:
    user, team = ownership(record)
    return Counted(tuple(tallies), user, team)


def recount(org_id: str, before: Counted, after: Counted) -> list[Change]:
    """The counter updates taking a record from counting as `before` to counting as `after`
    (NOTHING before a creation, after a delete), for the write's transaction: one update per
    counter that moves (a transaction names an item once), none for a counter left as it was."""
    moves: dict[str, int] = {}
    for counts, sign in ((before, -1), (after, 1)):
        for tally in counts.tallies:
            for key in [tally.counter_key, *owned_keys(tally, counts.user, counts.team)]:
                moves[key] = moves.get(key, 0) + sign
    return [increment(org_id, key, by) for key, by in moves.items() if by]


def owned_keys(tally: Tally, user: str | None, team: str | None) -> list[str]:
    """The owner's counters of `tally`: its (user, team) pair's, and its team's when it has one."""
    keys = [f"{OWNED_PREFIX}u#{user or NOBODY}#{tally.section}#{tally.value}#{tally.figure}#{team or NOBODY}"]
    if team:
        keys.append(f"{OWNED_PREFIX}t#{team}#{tally.section}#{tally.value}#{tally.figure}")
    return keys


@dataclass
class Figures:
    """figure -> value (a day, or a state) -> count."""

    daily: dict[str, dict[str, int]] = field(default_factory=dict)
    current: dict[str, dict[str, int]] = field(default_factory=dict)

    def add(self, section: str, value: str, figure: str, count: int) -> None:
        figures = self.daily if section == DAY else self.current
        values = figures.setdefault(figure, {})
        values[value] = values.get(value, 0) + count


def owned_figures(org_id: str, users: Collection[str], teams: Collection[str], first: str, last: str) -> Figures:
    """The figures of the records owned by `teams`, or else by `users`, or by nobody: the daily
    ones from day `first` to day `last` (inclusive), the current ones whole."""
    figures = Figures()
    for team in teams:
        for section, value, figure, _, count in _read(org_id, f"{OWNED_PREFIX}t#{team}", first, last):
            figures.add(section, value, figure, count)
    for user in [*users, NOBODY]:
        for section, value, figure, team, count in _read(org_id, f"{OWNED_PREFIX}u#{user}", first, last):
            if team not in teams and (user != NOBODY or team == NOBODY):
                figures.add(section, value, figure, count)
    return figures


def _read(org_id: str, owner: str, first: str, last: str) -> list[tuple[str, str, str, str | None, int]]:
    """(section, value, figure, team, count) of each of the owner's counters (team None for a
    team's own): one Query per section."""
    days = CounterModel.counter_key.between(f"{owner}#{DAY}#{first}", f"{owner}#{DAY}#{last}#{_LAST}")
    states = CounterModel.counter_key.startswith(f"{owner}#{NOW}#")
    read = []
    for condition in (days, states):
        for item in CounterModel.query(org_id, range_key_condition=condition):
            section, value, figure, *team = item.counter_key[len(owner) + 1 :].split("#")
            read.append((section, value, figure, team[0] if team else None, int(item.value)))
    return read
