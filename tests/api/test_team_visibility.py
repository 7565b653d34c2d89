"""Team visibility (docs/api/teams.md): with the organization's `record_visibility` at "team", a
member sees the team-owned records of their own, of their teams' members and of their teams, on
every route. Every route of the route table addressing a team-owned record answers a hidden one
exactly as it answers another organization's id (404, nothing written); lists, searches and the
sync feed leave hidden records out. Owners and admins see everything; roles still apply."""
from __future__ import annotations

import re
from typing import Any

import pytest

from app import app
from tests.benchmarks.dynamodb_calls import SCENARIO

# Team-owned collections, and the body creating one whose owning user is `user` (with `customer`
# for those that belong to one).
CREATIONS = {
    "customers": lambda user, customer: {"name": "Record", "owner": user},
    "leads": lambda user, customer: {"name": "Record", "owner": user},
    "contacts": lambda user, customer: {"name": "Record", "owner": user},
    "companies": lambda user, customer: {"name": "Record", "owner": user},
    "opportunities": lambda user, customer: {"name": "Record", "amount": 10, "close_date": "2030-01-01", "owner": user},
    "deals": lambda user, customer: {"name": "Record", "customer_id": customer, "owner": user},
    "tickets": lambda user, customer: {"subject": "Record", "assignee": user},
    "activities": lambda user, customer: {"customer_id": customer, "type": "call", "subject": "Record", "assignee": user},
}


class _State(dict):
    """A SCENARIO step's state: the caller's token, and the hidden record's id for any id it names."""

    def __init__(self, token: str, record_id: str) -> None:
        super().__init__(access_token=token)
        self.record_id = record_id

    def __missing__(self, key: str) -> Any:
        return self.record_id


def _record_routes(collection: str) -> list[tuple[str, str]]:
    """Every route of the route table addressing one record of `collection`, in every API version."""
    pattern = re.compile(rf"^(/v\d)?/{re.escape(collection)}/\{{[a-z_]+\}}")
    return sorted((path, method) for path, methods in app.routes.items() for method in methods if pattern.match(path))


def _step_request(path: str, method: str, token: str, record_id: str) -> tuple[str, bytes | None, dict[str, str]]:
    """The route's SCENARIO request (its body and headers), aimed at `record_id` with `token`."""
    step = next((step for step in SCENARIO if (step.route, step.method) == (path, method) and not step.variant), None)
    step = step or next(step for step in SCENARIO if (step.route, step.method) == (path, method))
    built = step.request(_State(token, record_id))
    concrete = re.sub(r"\{[a-z_]+\}", lambda match: built.get("path", {}).get(match.group(0)[1:-1], record_id), path)
    concrete = re.sub(r"\{[a-z_]+_id\}", record_id, concrete)
    return concrete, built.get("body"), built.get("headers", {})


@pytest.fixture
def world(api, login_as):
    """An organization under team visibility: alice and bob in team A, carol in team B."""
    owner = login_as("owner")
    people = {name: login_as("member", org_of=owner) for name in ("alice", "bob", "carol")}
    team_a = api.post("/v1/teams", {"name": "Team A"}, as_=owner).json
    team_b = api.post("/v1/teams", {"name": "Team B"}, as_=owner).json
    for name, team in (("alice", team_a), ("bob", team_a), ("carol", team_b)):
        assert api.put(f"/v1/teams/{team['id']}/members/{people[name].user_id}", {}, as_=owner).status == 200
    settings = api.get("/v1/settings", as_=owner)
    reply = api.patch("/v1/settings", {"record_visibility": "team"}, as_=owner, headers={"If-Match": settings.header("etag")})
    assert reply.status == 200 and reply.json["record_visibility"] == "team", reply.body
    customer = api.post("/v1/customers", {"name": "Shared parent", "owner": people["alice"].user_id}, as_=owner).json
    return {"owner": owner, **people, "team_a": team_a, "team_b": team_b, "customer": customer["id"], "intruder": login_as("owner")}


def _create(api, world, collection: str, user: str) -> dict[str, Any]:
    reply = api.post(f"/v1/{collection}", CREATIONS[collection](user, world["customer"]), as_=world["owner"])
    assert reply.status == 201, reply.body
    return reply.json


def _listed(api, collection: str, caller) -> set[str]:
    reply = api.get(f"/v1/{collection}?limit=100", as_=caller)
    assert reply.status == 200, reply.body
    return {item["id"] for item in reply.json["items"]}


@pytest.mark.parametrize("collection", sorted(CREATIONS))
def test_a_hidden_record_answers_every_route_as_another_organizations_id(api, world, collection):
    alice, intruder, owner = world["alice"], world["intruder"], world["owner"]
    hidden = _create(api, world, collection, owner.user_id)
    teammates = _create(api, world, collection, world["bob"].user_id)
    routes = _record_routes(collection)
    assert routes, collection
    for path, method in routes:
        answers = {}
        for name, caller in (("intruder", intruder), ("alice", alice)):
            concrete, body, headers = _step_request(path, method, caller.access_token, hidden["id"])
            headers = {**headers, "If-Match": headers.get("If-Match", '"1"')}
            reply = api.call(method, concrete, as_=caller, headers=headers, raw=body)
            answers[name] = (reply.status, reply.header("content-type"))
        assert answers["alice"] == answers["intruder"], (method, path, answers)
        assert 400 <= answers["alice"][0] < 500 and answers["alice"][1] == "application/problem+json", (method, path)
        if method == "GET":
            assert answers["alice"][0] == 404, (method, path)
    assert api.get(f"/v1/{collection}/{hidden['id']}", as_=owner).json["version"] == hidden["version"]
    # Alice sees her teammate's record, and not the owner's; carol (team B) sees neither.
    assert api.get(f"/v1/{collection}/{teammates['id']}", as_=alice).status == 200
    assert api.get(f"/v1/{collection}/{teammates['id']}", as_=world["carol"]).status == 404
    listed = _listed(api, collection, alice)
    assert teammates["id"] in listed and hidden["id"] not in listed
    assert not {teammates["id"], hidden["id"]} & _listed(api, collection, world["carol"])
    assert {teammates["id"], hidden["id"]} <= _listed(api, collection, owner)


@pytest.mark.parametrize("collection", ["customers", "companies"])
def test_a_record_owned_by_a_team_is_seen_by_its_members_only(api, world, collection):
    owner = world["owner"]
    reply = api.post(f"/v1/{collection}", {"name": "Team B's", "owner_team_id": world["team_b"]["id"]}, as_=owner)
    assert reply.status == 201 and reply.json["owner_team_id"] == world["team_b"]["id"], reply.body
    record = reply.json
    assert api.get(f"/v1/{collection}/{record['id']}", as_=world["carol"]).status == 200
    assert api.get(f"/v1/{collection}/{record['id']}", as_=world["alice"]).status == 404
    assert record["id"] in _listed(api, collection, world["carol"])
    assert record["id"] not in _listed(api, collection, world["alice"])
    # Given to team A, it changes hands.
    moved = api.patch(f"/v1/{collection}/{record['id']}", {"owner_team_id": world["team_a"]["id"]}, as_=world["carol"])
    assert moved.status == 200, moved.body
    assert api.get(f"/v1/{collection}/{record['id']}", as_=world["carol"]).status == 404
    assert api.get(f"/v1/{collection}/{record['id']}", as_=world["alice"]).status == 200


def test_an_unknown_or_foreign_team_is_422(api, world):
    other_team = api.post("/v1/teams", {"name": "Elsewhere"}, as_=world["intruder"]).json
    for team_id in ("01J0000000000000000000000Z", other_team["id"]):
        reply = api.post("/v1/customers", {"name": "X", "owner_team_id": team_id}, as_=world["owner"])
        assert reply.status == 422 and reply.json["errors"][0]["field"] == "owner_team_id", reply.body
    assert "X" not in {item["name"] for item in api.get("/v1/customers", as_=world["owner"]).json["items"]}


def test_searches_and_pages_leave_hidden_records_out(api, world):
    owner, alice = world["owner"], world["alice"]
    visible = {_create(api, world, "customers", alice.user_id)["id"] for _ in range(3)}
    for _ in range(5):
        _create(api, world, "customers", owner.user_id)
    visible.add(world["customer"])
    seen: list[str] = []
    cursor = None
    for _ in range(20):
        reply = api.get("/v1/customers?limit=2&sort=name" + (f"&cursor={cursor}" if cursor else ""), as_=alice)
        seen += [item["id"] for item in reply.json["items"]]
        cursor = reply.json["next_cursor"]
        if cursor is None:
            break
    assert sorted(seen) == sorted(visible)
    by_q = api.get("/v1/customers?q=rec", as_=alice).json["items"]
    assert {item["id"] for item in by_q} == visible - {world["customer"]}


def test_owners_and_admins_see_everything_and_everyone_is_the_default(api, world, login_as):
    owner = world["owner"]
    hidden = _create(api, world, "customers", owner.user_id)
    admin = login_as("admin", org_of=owner)
    assert api.get(f"/v1/customers/{hidden['id']}", as_=admin).status == 200
    settings = api.get("/v1/settings", as_=owner)
    api.patch("/v1/settings", {"record_visibility": None}, as_=owner, headers={"If-Match": settings.header("etag")})
    assert api.get("/v1/settings", as_=owner).json["record_visibility"] == "everyone"
    assert api.get(f"/v1/customers/{hidden['id']}", as_=world["carol"]).status == 200


def test_roles_and_teams_compose(api, world, login_as):
    """A viewer in team A reads team A's deals and writes nothing; team B's deals stay hidden."""
    owner = world["owner"]
    viewer = login_as("viewer", org_of=owner)
    api.put(f"/v1/teams/{world['team_a']['id']}/members/{viewer.user_id}", {}, as_=owner)
    team_a_deal = _create(api, world, "deals", world["bob"].user_id)
    team_b_deal = _create(api, world, "deals", world["carol"].user_id)
    assert api.get(f"/v1/deals/{team_a_deal['id']}", as_=viewer).status == 200
    assert api.get(f"/v1/deals/{team_b_deal['id']}", as_=viewer).status == 404
    assert api.patch(f"/v1/deals/{team_a_deal['id']}", {"name": "No"}, as_=viewer).status == 403
    assert _listed(api, "deals", viewer) & {team_a_deal["id"], team_b_deal["id"]} == {team_a_deal["id"]}


def test_leaving_a_team_hides_its_records(api, world):
    bobs = _create(api, world, "customers", world["bob"].user_id)
    alice = world["alice"]
    assert api.get(f"/v1/customers/{bobs['id']}", as_=alice).status == 200
    assert api.delete(f"/v1/teams/{world['team_a']['id']}/members/{alice.user_id}", as_=world["owner"]).status == 204
    assert api.get(f"/v1/customers/{bobs['id']}", as_=alice).status == 404


def test_the_sync_feed_and_snapshot_leave_hidden_records_out(api, world):
    owner, alice = world["owner"], world["alice"]
    snapshot_ids: set[str] = set()
    cursor = None
    for _ in range(50):
        reply = api.get("/v1/sync?kinds=customers" + (f"&since={cursor}" if cursor else ""), as_=alice)
        assert reply.status == 200, reply.body
        snapshot_ids |= {change["id"] for change in reply.json["changes"] if change["op"] == "upsert"}
        cursor = reply.json["next_cursor"]
        if not reply.json["has_more"]:
            break
    assert snapshot_ids == {world["customer"]}
    hidden = _create(api, world, "customers", owner.user_id)
    shown = _create(api, world, "customers", alice.user_id)
    changes = api.get(f"/v1/sync?kinds=customers&since={cursor}", as_=alice).json["changes"]
    upserts = {change["id"]: change["record"] for change in changes if change["op"] == "upsert"}
    assert set(upserts) == {shown["id"]}
    # The hidden record's change tells Alice's copy only that it is not hers to hold.
    assert [change["record"] for change in changes if change["id"] == hidden["id"]] in ([], [None])
