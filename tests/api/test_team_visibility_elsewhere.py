"""Team visibility beyond the REST routes (docs/api/teams.md, What visibility covers): WebSocket
events, as the stream delivers them and as a reconnecting client replays them, GraphQL and files
reach a member only for the records they may see; aggregates count only those."""
from __future__ import annotations

import json

import requests

from tests.api.test_files import file_body
from tests.api.test_graphql import graphql
from tests.api.test_team_visibility import _create, world  # noqa: F401 (a fixture)
from tests.api.test_websocket import frames_until_pong, open_socket, websocket_api  # noqa: F401 (a fixture)
from tests.jobs_fixtures import wait_for_job


def _heard(socket) -> set[str]:
    return {frame["subject_id"] for frame in frames_until_pong(socket)}


def test_events_reach_only_those_who_see_the_record(websocket_api, api, world, event_stream):
    owner, alice, bob, carol = world["owner"], world["alice"], world["bob"], world["carol"]
    event_stream.drain()
    with open_socket(websocket_api, alice.access_token) as alices, open_socket(websocket_api, carol.access_token) as carols, \
            open_socket(websocket_api, owner.access_token) as owners:
        bobs = _create(api, world, "customers", bob.user_id)["id"]
        owners_own = _create(api, world, "deals", owner.user_id)["id"]
        team_bs = api.post("/v1/companies", {"name": "B's", "owner_team_id": world["team_b"]["id"]}, as_=owner).json["id"]
        shared = api.post("/v1/tickets", {"subject": "Nobody's yet"}, as_=owner).json["id"]
        event_stream.drain()
        assert _heard(alices) == {bobs, shared}
        assert _heard(carols) == {team_bs, shared}
        assert _heard(owners) == {bobs, owners_own, team_bs, shared}
        # Handed from bob to carol: alice saw it before, carol sees it now; both hear the change.
        assert api.patch(f"/v1/customers/{bobs}", {"owner": carol.user_id}, as_=owner).status == 200
        assert api.patch(f"/v1/deals/{owners_own}", {"name": "Still the owner's"}, as_=owner).status == 200
        event_stream.drain()
        assert _heard(alices) == {bobs}
        assert _heard(carols) == {bobs}
        assert _heard(owners) == {bobs, owners_own}


def test_a_reconnecting_member_is_replayed_only_what_they_see(websocket_api, api, world, event_stream):
    owner, alice = world["owner"], world["alice"]
    event_stream.drain()
    with open_socket(websocket_api, alice.access_token) as alices:
        _create(api, world, "customers", alice.user_id)
        event_stream.drain()
        last_seen = frames_until_pong(alices)[-1]["id"]
    hidden = _create(api, world, "customers", owner.user_id)["id"]
    seen = _create(api, world, "customers", world["bob"].user_id)["id"]
    event_stream.drain()
    with open_socket(websocket_api, alice.access_token, since=last_seen) as alices:
        replayed = frames_until_pong(alices)
    assert [frame.get("subject_id") for frame in replayed] == [seen, None], replayed
    assert replayed[-1]["type"] == "replayed" and hidden not in str(replayed)


def test_graphql_answers_a_hidden_record_as_missing(api, world):
    alice = world["alice"]
    hidden = _create(api, world, "customers", world["owner"].user_id)["id"]
    seen = _create(api, world, "customers", world["bob"].user_id)["id"]
    reply = graphql(api, alice, f'{{ customer(id: "{hidden}") {{ id }} }}')
    assert reply.json["data"] == {"customer": None} and reply.json["errors"][0]["extensions"]["status"] == 404
    listed = {node["id"] for node in graphql(api, alice, "{ customers { nodes { id } } }").json["data"]["customers"]["nodes"]}
    assert seen in listed and hidden not in listed


def test_a_hidden_records_files_are_missing(api, world):
    owner, alice = world["owner"], world["alice"]
    hidden = {"id": _create(api, world, "customers", owner.user_id)["id"]}
    created = api.post("/v1/files", file_body(hidden), as_=owner)
    assert created.status == 201, created.body
    assert api.get(f"/v1/files/{created.json['id']}", as_=alice).status == 404
    assert api.get(f"/v1/files?record_type=customers&record_id={hidden['id']}", as_=alice).status == 404
    assert api.post("/v1/files", file_body(hidden), as_=alice).status == 422
    assert api.get(f"/v1/files/{created.json['id']}", as_=owner).status == 200


def _opportunity(api, world, owner_user: str, amount: int) -> None:
    body = {"name": "Pipeline", "amount": amount, "close_date": "2030-01-15", "owner": owner_user}
    assert api.post("/v1/opportunities", body, as_=world["owner"]).status == 201


def test_the_forecast_and_report_runs_count_only_what_a_member_sees(api, world, step_functions):
    owner, alice = world["owner"], world["alice"]
    for user, amount in ((world["bob"].user_id, 10), (alice.user_id, 5), (owner.user_id, 1000), (world["carol"].user_id, 200)):
        _opportunity(api, world, user, amount)
    totals = {caller: api.get("/v1/forecast", as_=world[caller]).json["totals"] for caller in ("alice", "owner")}
    assert [(row["count"], row["amount"]) for row in totals["alice"]] == [(2, 15)]
    assert [(row["count"], row["amount"]) for row in totals["owner"]] == [(4, 1215)]
    report = {"name": "Pipeline", "resource": "opportunities", "group_by": [{"field": "owner"}],
              "measures": [{"function": "count"}, {"function": "sum", "field": "amount"}]}  # fmt: skip
    for caller, expected in (("alice", {alice.user_id: 5, world["bob"].user_id: 10}), ("owner", None)):
        created = api.post("/v1/reports", report, as_=world[caller])
        assert created.status == 201, created.body
        started = api.post(f"/v1/reports/{created.json['id']}/run", as_=world[caller])
        assert started.status == 202, started.body
        job = wait_for_job(api, world[caller], started.json["id"])
        assert job["status"] == "succeeded", job
        rows = api.get(job["result"]["results"], as_=world[caller]).json["rows"]
        sums = {row["owner"]: row["sum_amount"] for row in rows}
        assert sums == (expected or {**{alice.user_id: 5, world["bob"].user_id: 10}, owner.user_id: 1000, world["carol"].user_id: 200})
    # The owner's run counted what alice may not see: its results are not hers to read.
    assert api.get(f"/v1/reports/{created.json['id']}/results", as_=owner).status == 200
    assert api.get(f"/v1/reports/{created.json['id']}/results", as_=alice).status == 404
    assert api.get(job["result"]["results"], as_=alice).status == 404


def test_an_export_holds_only_what_its_creator_sees(api, world, step_functions, login_as):
    owner, alice = world["owner"], world["alice"]
    world["admin"] = login_as("admin", org_of=owner)
    seen = _create(api, world, "customers", world["bob"].user_id)["id"]
    hidden = _create(api, world, "customers", owner.user_id)["id"]
    for caller, rows in (("alice", {seen, world["customer"]}), ("owner", {seen, hidden, world["customer"]})):
        started = api.post("/v1/exports", {"resource": "customers", "format": "jsonl", "fields": ["id"]}, as_=world[caller])
        assert started.status == 202, started.body
        job = wait_for_job(api, world[caller], started.json["id"])
        assert job["status"] == "succeeded", job
        lines = requests.get(job["result"]["download_url"], timeout=30).text.splitlines()
        assert {json.loads(line)["id"] for line in lines} == rows and job["result"]["rows"] == len(rows), caller
    # The owner's file holds what alice may not see: she is shown its row count, not its link.
    assert api.get(f"/v1/jobs/{job['id']}", as_=alice).json["result"] == {"rows": 3, "format": "jsonl"}
    assert "download_url" in api.get(f"/v1/jobs/{job['id']}", as_=world["admin"]).json["result"]
