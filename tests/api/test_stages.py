"""PUT /v1/opportunities/{id}/stage: every (from, to) pair against the pipeline's rules."""
from __future__ import annotations

import pytest

from chalicelib.platform.tables.counters import counters_with_prefix

STAGES = ["lead", "qualified", "proposal", "negotiation", "closed_won", "closed_lost"]
OPEN = STAGES[:4]
PATH_TO = {  # the legal moves that bring a new opportunity to each stage
    "lead": [],
    "qualified": ["qualified"],
    "proposal": ["qualified", "proposal"],
    "negotiation": ["qualified", "proposal", "negotiation"],
    "closed_won": ["qualified", "proposal", "negotiation", "closed_won"],
    "closed_lost": ["closed_lost"],
}
PROBABILITY = {"lead": 10, "qualified": 25, "proposal": 50, "negotiation": 75, "closed_won": 100, "closed_lost": 0}


def expected_status(current, target, reason):
    """The rules, restated independently of services/pipeline.py."""
    if target == "closed_lost" and not reason:
        return 422
    if current in ("closed_won", "closed_lost"):
        return 409
    if target == "closed_lost":
        return 200
    if STAGES.index(target) == STAGES.index(current) + 1:
        return 200
    return 409


def at_stage(api, caller, stage):
    item = api.post("/v1/opportunities", {"name": "Deal", "amount": 100, "close_date": "2026-05-01"}, as_=caller).json
    for step in PATH_TO[stage]:
        body = {"stage": step, "reason": "went elsewhere" if step == "closed_lost" else None}
        reply = api.put(f"/v1/opportunities/{item['id']}/stage", body, as_=caller)
        assert reply.status == 200, reply.body
        item = reply.json
    return item


@pytest.mark.parametrize("reason", [None, "budget cut"])
@pytest.mark.parametrize("target", STAGES)
@pytest.mark.parametrize("current", STAGES)
def test_every_move_follows_the_rules(api, owner, current, target, reason):
    item = at_stage(api, owner, current)
    before = counters_with_prefix(owner.org_id, "opportunities_stage")
    reply = api.put(f"/v1/opportunities/{item['id']}/stage", {"stage": target, "reason": reason}, as_=owner,
                    headers={"If-Match": f'"{item["version"]}"'})
    status = expected_status(current, target, reason)
    assert reply.status == status, (current, target, reason, reply.body)
    after = counters_with_prefix(owner.org_id, "opportunities_stage")
    stored = api.get(f"/v1/opportunities/{item['id']}", as_=owner).json
    if status == 200:
        moved = reply.json
        assert moved["stage"] == target and moved["probability"] == PROBABILITY[target]
        assert moved["version"] == item["version"] + 1 and reply.header("etag") == f'"{moved["version"]}"'
        last = moved["stage_history"][-1]
        assert (last["from_stage"], last["to_stage"], last["by"], last["reason"]) == (current, target, owner.user_id, reason)
        assert last["at"] and len(moved["stage_history"]) == len(item["stage_history"]) + 1
        assert stored == moved
        assert after[current] == before[current] - 1 and after[target] == before.get(target, 0) + 1
        entry = api.get(f"/v1/audit-logs?target_type=opportunity&target_id={item['id']}", as_=owner).json["items"][0]
        assert entry["action"] == "stage_changed" and entry["actor"] == owner.user_id
        assert entry["changes"]["stage"] == {"from": current, "to": target}
    else:
        assert reply.header("content-type") == "application/problem+json"
        if status == 422:
            assert reply.json["errors"][0]["field"] == "reason"
        assert stored == item and after == before


@pytest.mark.parametrize("body, field", [({"stage": "won"}, "stage"), ({}, "stage"), ({"stage": "qualified", "x": 1}, "x"),
                                         ({"stage": "closed_lost", "reason": "   "}, "reason")])
def test_bad_stage_bodies_are_422(api, owner, body, field):
    item = at_stage(api, owner, "lead")
    reply = api.put(f"/v1/opportunities/{item['id']}/stage", body, as_=owner)
    assert reply.status == 422 and field in [error["field"] for error in reply.json["errors"]]


def test_stale_if_match_is_412(api, owner):
    item = at_stage(api, owner, "qualified")
    reply = api.put(f"/v1/opportunities/{item['id']}/stage", {"stage": "proposal"}, as_=owner, headers={"If-Match": '"1"'})
    assert reply.status == 412
    assert api.get(f"/v1/opportunities/{item['id']}", as_=owner).json["stage"] == "qualified"


def test_a_deleted_opportunity_does_not_move(api, owner):
    item = at_stage(api, owner, "lead")
    api.delete(f"/v1/opportunities/{item['id']}", as_=owner)
    assert api.put(f"/v1/opportunities/{item['id']}/stage", {"stage": "qualified"}, as_=owner).status == 404


def test_a_viewer_cannot_move_a_stage(api, owner, login_as):
    item = at_stage(api, owner, "lead")
    viewer = login_as("viewer", org_of=owner)
    assert api.put(f"/v1/opportunities/{item['id']}/stage", {"stage": "qualified"}, as_=viewer).status == 403


def test_counters_follow_the_whole_life_of_an_opportunity(api, owner):
    item = at_stage(api, owner, "negotiation")
    path = f"/v1/opportunities/{item['id']}"

    def counts():
        return {k: v for k, v in counters_with_prefix(owner.org_id, "opportunities_stage").items() if v}

    assert counts() == {"negotiation": 1}
    api.delete(path, as_=owner)
    assert counts() == {}
    api.post(f"{path}/restore", as_=owner)
    assert counts() == {"negotiation": 1}
    api.put(f"{path}/stage", {"stage": "closed_won"}, as_=owner)
    assert counts() == {"closed_won": 1}
