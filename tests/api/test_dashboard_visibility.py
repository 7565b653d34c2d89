"""The dashboard under team visibility (docs/api/reporting.md): a member gets the figures of exactly
the records they see, owners and admins the organization's. Brute force: random leads,
opportunities and tickets across owners and teams, created, reassigned, moved, converted, deleted
and restored over HTTP on several days; then each caller's dashboard is compared with what the list
routes show that caller (opportunities by stage, tickets by status) and, for the leads created and
converted per day (history: a deleted lead still counts, as in the organization's figures), with
the visibility rule applied to every lead written."""
from __future__ import annotations

import json
import random
from collections import Counter
from datetime import timedelta
from typing import Any

import pytest

from chalicelib.core import clock
from chalicelib.crm.sales_pipeline.services.pipeline import CLOSED_STAGES, OPEN_STAGES
from chalicelib.crm.support.services.tickets import TRANSITIONS
from chalicelib.platform.services.org_settings import STAGES
from tests import aws_calls

DAYS = 4
MEMBERS = ("lead_a", "bob", "carol", "erin", "dave", "viewer")
# Team memberships: lead_a leads team A; erin is in A and B; dave and the viewer are in no team;
# nobody queries as frank, whose team C owns records too.
TEAMS = {"A": ("lead_a", "bob", "erin"), "B": ("carol", "erin"), "C": ("frank",)}


def _all(api, path: str, caller) -> list[dict[str, Any]]:
    """Every item a list route shows `caller`, following its cursors."""
    items, cursor = [], None
    while True:
        reply = api.get(f"{path}?limit=100" + (f"&cursor={cursor}" if cursor else ""), as_=caller)
        assert reply.status == 200, reply.body
        items += reply.json["items"]
        cursor = reply.json["next_cursor"]
        if not cursor:
            return items


def _set_visibility(api, owner, value: str) -> None:
    settings = api.get("/v1/settings", as_=owner)
    reply = api.patch("/v1/settings", {"record_visibility": value}, as_=owner, headers={"If-Match": settings.header("etag")})
    assert reply.status == 200 and reply.json["record_visibility"] == value, reply.body


def _route_queries() -> Counter[str]:
    """DynamoDB calls the REST function made so far, by call (the authorizer is a function of its own)."""
    calls: Counter[str] = Counter()
    for key, count in aws_calls.requirements_seen.items():
        requirement = json.loads(key)
        if requirement["function"] == aws_calls.REST_HANDLER and requirement["call"].startswith("dynamodb."):
            calls[requirement["call"]] += count
    return calls


@pytest.fixture
def org(api, login_as):
    owner = login_as("owner")
    people = {"owner": owner, "admin": login_as("admin", org_of=owner), "viewer": login_as("viewer", org_of=owner)}
    people.update({name: login_as("member", org_of=owner) for name in ("lead_a", "bob", "carol", "erin", "dave", "frank")})
    teams = {}
    for name, members in TEAMS.items():
        teams[name] = api.post("/v1/teams", {"name": f"Team {name}"}, as_=owner).json["id"]
        for member in members:
            body = {"lead": True} if member == "lead_a" else {}
            assert api.put(f"/v1/teams/{teams[name]}/members/{people[member].user_id}", body, as_=owner).status == 200
    _set_visibility(api, owner, "team")
    return {"people": people, "teams": teams}


class World:
    """The organization's records as written, and the random writes that make them."""

    def __init__(self, api, org, rng: random.Random) -> None:
        self.api, self.rng = api, rng
        self.owner = org["people"]["owner"]
        self.users = [caller.user_id for caller in org["people"].values()]
        self.teams = list(org["teams"].values())
        self.leads: dict[str, dict[str, Any]] = {}
        self.opportunities: dict[str, dict[str, Any]] = {}
        self.tickets: dict[str, dict[str, Any]] = {}
        self.deleted: set[str] = set()

    def write(self) -> None:
        action = self.rng.choice([
            self.create_lead, self.create_lead, self.create_opportunity, self.create_ticket, self.reassign_lead,
            self.reassign_opportunity, self.move_opportunity, self.change_ticket, self.convert_lead, self.delete,
            self.restore,
        ])  # fmt: skip
        action()

    def _ok(self, reply, *statuses: int) -> dict[str, Any]:
        assert reply.status in (statuses or (200,)), reply.body
        return reply.json

    def _team(self) -> str | None:
        return self.rng.choice([*self.teams, None, None])

    def _live(self, records: dict[str, dict[str, Any]], keep=lambda record: True) -> dict[str, Any] | None:
        choices = [record for id_, record in records.items() if id_ not in self.deleted and keep(record)]
        return self.rng.choice(choices) if choices else None

    def create_lead(self) -> None:
        body = {"name": "Lead", "owner": self.rng.choice(self.users), "owner_team_id": self._team()}
        lead = self._ok(self.api.post("/v1/leads", body, as_=self.owner), 201)
        self.leads[lead["id"]] = lead

    def create_opportunity(self) -> None:
        body = {"name": "Deal", "amount": 100, "close_date": "2030-01-01", "owner": self.rng.choice(self.users)}
        opportunity = self._ok(self.api.post("/v1/opportunities", body, as_=self.owner), 201)
        self.opportunities[opportunity["id"]] = opportunity

    def create_ticket(self) -> None:
        body = {"subject": "Help", "assignee": self.rng.choice([*self.users, None])}
        ticket = self._ok(self.api.post("/v1/tickets", body, as_=self.owner), 201)
        self.tickets[ticket["id"]] = ticket

    def reassign_lead(self) -> None:
        lead = self._live(self.leads, lambda lead: lead["status"] != "converted")
        if lead:
            changes = self.rng.choice([{"owner": self.rng.choice(self.users)}, {"owner_team_id": self._team()},
                                       {"owner": self.rng.choice(self.users), "owner_team_id": self._team()}])
            self.leads[lead["id"]] = self._ok(self.api.patch(f"/v1/leads/{lead['id']}", changes, as_=self.owner))

    def reassign_opportunity(self) -> None:
        opportunity = self._live(self.opportunities, lambda item: item["stage"] in OPEN_STAGES)
        if opportunity:
            body = {"owner": self.rng.choice(self.users)}
            reply = self.api.patch(f"/v1/opportunities/{opportunity['id']}", body, as_=self.owner)
            self.opportunities[opportunity["id"]] = self._ok(reply)

    def move_opportunity(self) -> None:
        opportunity = self._live(self.opportunities)
        if opportunity is None:
            return
        path = f"/v1/opportunities/{opportunity['id']}"
        if opportunity["stage"] in CLOSED_STAGES:
            updated = self._ok(self.api.post(f"{path}/reopen", {}, as_=self.owner))
        else:
            following = STAGES[STAGES.index(opportunity["stage"]) + 1]
            body = self.rng.choice([{"stage": following}, {"stage": "closed_lost", "reason": "Budget"}])
            updated = self._ok(self.api.put(f"{path}/stage", body, as_=self.owner))
        self.opportunities[opportunity["id"]] = updated

    def change_ticket(self) -> None:
        ticket = self._live(self.tickets, lambda ticket: ticket["status"] != "closed")
        if ticket:
            changes = self.rng.choice([
                {"assignee": self.rng.choice([*self.users, None])},
                {"status": self.rng.choice(sorted(TRANSITIONS[ticket["status"]]))},
                {"assignee": self.rng.choice(self.users), "status": self.rng.choice(sorted(TRANSITIONS[ticket["status"]]))},
            ])  # fmt: skip
            self.tickets[ticket["id"]] = self._ok(self.api.patch(f"/v1/tickets/{ticket['id']}", changes, as_=self.owner))

    def convert_lead(self) -> None:
        lead = self._live(self.leads, lambda lead: lead["status"] != "converted")
        if lead is None:
            return
        body = {"create_opportunity": True, "opportunity_name": "Won over", "amount": 5} if self.rng.random() < 0.5 else {}
        converted = self._ok(self.api.post(f"/v1/leads/{lead['id']}/convert", body, as_=self.owner), 201)
        self.leads[lead["id"]] = self._ok(self.api.get(f"/v1/leads/{lead['id']}", as_=self.owner))
        if "opportunity_id" in converted:
            opportunity_id = converted["opportunity_id"]
            self.opportunities[opportunity_id] = self._ok(self.api.get(f"/v1/opportunities/{opportunity_id}", as_=self.owner))

    def delete(self) -> None:
        collection, records = self.rng.choice([("leads", self.leads), ("opportunities", self.opportunities),
                                               ("tickets", self.tickets)])
        record = self._live(records, lambda record: record.get("stage") not in CLOSED_STAGES)
        if record:
            self._ok(self.api.delete(f"/v1/{collection}/{record['id']}", as_=self.owner), 204)
            self.deleted.add(record["id"])

    def restore(self) -> None:
        if not self.deleted:
            return
        record_id = self.rng.choice(sorted(self.deleted))
        collection = next(name for name, records in (("leads", self.leads), ("opportunities", self.opportunities),
                                                     ("tickets", self.tickets)) if record_id in records)
        self._ok(self.api.post(f"/v1/{collection}/{record_id}/restore", as_=self.owner))
        self.deleted.discard(record_id)


def _sees(users: set[str], teams: set[str], user: str | None, team: str | None) -> bool:
    """The visibility rule (platform/tables/visibility.py), for the brute force."""
    return (user is None and team is None) or user in users or team in teams


def _expected_lead_figures(world: World, users: set[str] | None, teams: set[str], days: list[str]) -> dict[str, Any]:
    """Leads created and converted per day among those `users`/`teams` see (every lead: None)."""
    created, converted = Counter(), Counter()
    for lead in world.leads.values():
        if users is None or _sees(users, teams, lead["owner"], lead["owner_team_id"]):
            created[lead["created_at"][:10]] += 1
            if lead["converted_at"]:
                converted[lead["converted_at"][:10]] += 1
    return {
        "leads_created_per_day": [{"date": day, "count": created[day]} for day in days],
        "leads_converted": sum(converted[day] for day in days),
    }


def _listed_figures(api, caller) -> dict[str, Any]:
    """Opportunities by stage and tickets by status, as the list routes show them to `caller`."""
    stages = Counter(item["stage"] for item in _all(api, "/v1/opportunities", caller))
    statuses = Counter(item["status"] for item in _all(api, "/v1/tickets", caller))
    return {
        "opportunities_by_stage": {stage: stages[stage] for stage in STAGES},
        "tickets_by_status": {status: statuses[status] for status in TRANSITIONS},
    }


def _scope_of(org, name: str) -> tuple[set[str], set[str]]:
    people, teams = org["people"], org["teams"]
    mine = {team for team, members in TEAMS.items() if name in members}
    users = {people[name].user_id} | {people[member].user_id for team in mine for member in TEAMS[team]}
    return users, {teams[team] for team in mine}


@pytest.fixture
def days_ago(monkeypatch):
    """days_ago(n): the app's clock from now on reads n days before the real time."""
    real_now = clock.now

    def set_days_ago(number: int) -> None:
        monkeypatch.setattr(clock, "now", lambda: real_now() - timedelta(days=number))

    return set_days_ago


@pytest.fixture
def world(api, org, login_as, days_ago):
    """Writes on DAYS days, oldest first, in an organization under team visibility; another
    organization writes too (none of it may count)."""
    rng = random.Random(15)
    world = World(api, org, rng)
    intruder = login_as("owner")
    for days in range(DAYS - 1, -1, -1):
        days_ago(days)
        api.post("/v1/leads", {"name": "Theirs"}, as_=intruder)
        api.post("/v1/tickets", {"subject": "Theirs"}, as_=intruder)
        api.post("/v1/opportunities", {"name": "Theirs", "amount": 1, "close_date": "2030-01-01"}, as_=intruder)
        for _ in range(30):
            world.write()
    days_ago(0)
    return world


def _period() -> tuple[str, list[str]]:
    today = clock.now().date()
    days = [(today - timedelta(days=offset)).isoformat() for offset in range(DAYS, -1, -1)]
    return f"from={days[0]}&to={days[-1]}", days


def test_each_caller_gets_the_figures_of_what_they_see_and_everyone_visibility_shows_all(api, org, world):
    period, days = _period()
    shown = {}
    for name in [*MEMBERS, "admin", "owner"]:
        caller = org["people"][name]
        reply = api.get(f"/v1/dashboard?{period}", as_=caller)
        assert reply.status == 200, reply.body
        figures = shown[name] = reply.json
        users, teams = _scope_of(org, name) if name in MEMBERS else (None, set())
        expected = {**_expected_lead_figures(world, users, teams, days), **_listed_figures(api, caller)}
        assert {field: figures[field] for field in expected} == expected, name
        assert figures["leads_created"] == sum(day["count"] for day in expected["leads_created_per_day"]), name
        # The rule the brute force applies is the list routes' own: the live leads it counts are those listed.
        live = {id_ for id_, lead in world.leads.items() if id_ not in world.deleted
                and (users is None or _sees(users, teams, lead["owner"], lead["owner_team_id"]))}
        assert {lead["id"] for lead in _all(api, "/v1/leads", caller)} == live, name

    # The random writes left members seeing different, partial figures (so the comparison can fail).
    everything = shown["owner"]
    assert shown["admin"] == everything
    assert everything["leads_created"] > max(shown[name]["leads_created"] for name in ("bob", "carol", "dave")) > 0
    assert len({json.dumps(shown[name], sort_keys=True) for name in ("bob", "carol", "dave")}) == 3
    assert world.deleted and any(lead["converted_at"] for lead in world.leads.values())

    _set_visibility(api, org["people"]["owner"], "everyone")
    for name in MEMBERS:
        assert api.get(f"/v1/dashboard?{period}", as_=org["people"][name]).json == everything, name
    _set_visibility(api, org["people"]["owner"], "team")
    assert api.get(f"/v1/dashboard?{period}", as_=org["people"]["dave"]).json == shown["dave"]


@pytest.mark.parametrize("name", ["erin", "dave"])
def test_a_members_dashboard_reads_two_queries_per_user_and_team_of_their_scope(api, org, name):
    users, teams = _scope_of(org, name)
    before = _route_queries()
    assert api.get("/v1/dashboard", as_=org["people"][name]).status == 200
    calls = _route_queries() - before
    # The scope: the settings' GetItem, the caller's memberships (a Query), their teams (a BatchGetItem).
    scope = {"dynamodb.GetItem": 1, "dynamodb.Query": 1, "dynamodb.BatchGetItem": 1 if teams else 0}
    assert calls == +Counter({**scope, "dynamodb.Query": 1 + 2 * (len(users) + len(teams) + 1)})


def test_owners_and_admins_read_the_organizations_four_counter_queries(api, org):
    for name in ("owner", "admin"):
        before = _route_queries()
        assert api.get("/v1/dashboard", as_=org["people"][name]).status == 200
        assert _route_queries() - before == Counter({"dynamodb.Query": 4}), name


def test_the_backfill_gives_records_written_before_the_owner_counters_their_owners_figures(api, org, world):
    """Counters of records written before the owner counters existed: none, or wrong; the backfill
    sets them from the records, and a second run changes nothing."""
    from chalicelib.crm.reporting.tables.backfill_owned_counters import backfill
    from chalicelib.platform.tables.counters import CounterModel
    from chalicelib.platform.tables.owned_counters import OWNED_PREFIX

    period, _ = _period()
    names = ("erin", "dave", "viewer")
    before = {name: api.get(f"/v1/dashboard?{period}", as_=org["people"][name]).json for name in names}
    org_id = org["people"]["owner"].org_id
    owned = list(CounterModel.query(org_id, range_key_condition=CounterModel.counter_key.startswith(OWNED_PREFIX)))
    for item in owned[::2]:
        item.delete()
    for item in owned[1::2]:
        item.update(actions=[CounterModel.value.add(3)])
    assert {name: api.get(f"/v1/dashboard?{period}", as_=org["people"][name]).json for name in names} != before

    assert backfill() > 0
    assert {name: api.get(f"/v1/dashboard?{period}", as_=org["people"][name]).json for name in names} == before
    backfill()
    assert {name: api.get(f"/v1/dashboard?{period}", as_=org["people"][name]).json for name in names} == before
