"""/v1/teams: teams, their members and leads; tenancy, roles and audit."""
from __future__ import annotations

import pytest


@pytest.fixture
def team(api, owner):
    reply = api.post("/v1/teams", {"name": "Sales East", "description": "East coast"}, as_=owner)
    assert reply.status == 201, reply.body
    assert reply.header("location") == f"/v1/teams/{reply.json['id']}"
    return reply.json


def test_crud(api, owner, team):
    assert team["name"] == "Sales East" and team["member_count"] == 0 and team["version"] == 1
    assert api.get(f"/v1/teams/{team['id']}", as_=owner).json == team
    renamed = api.patch(f"/v1/teams/{team['id']}", {"name": "Sales North"}, as_=owner, headers={"If-Match": '"1"'})
    assert renamed.status == 200 and renamed.json["name"] == "Sales North" and renamed.json["version"] == 2
    assert api.patch(f"/v1/teams/{team['id']}", {"name": "Late"}, as_=owner, headers={"If-Match": '"1"'}).status == 412
    assert [item["id"] for item in api.get("/v1/teams", as_=owner).json["items"]] == [team["id"]]
    assert api.delete(f"/v1/teams/{team['id']}", as_=owner).status == 204
    assert api.get(f"/v1/teams/{team['id']}", as_=owner).status == 404
    assert api.get("/v1/teams", as_=owner).json["items"] == []
    assert api.post("/v1/teams", {"name": ""}, as_=owner).status == 422
    assert api.post("/v1/teams", {"name": "X", "members": []}, as_=owner).status == 422


def test_members_and_leads(api, owner, login_as, team):
    alice, bob = login_as("member", org_of=owner), login_as("member", org_of=owner)
    path = f"/v1/teams/{team['id']}/members"
    added = api.put(f"{path}/{alice.user_id}", {"lead": True}, as_=owner)
    assert added.status == 200 and added.json["lead"] is True and added.json["user_id"] == alice.user_id
    assert api.put(f"{path}/{bob.user_id}", {}, as_=owner).json["lead"] is False
    # Adding again changes nothing; the lead flag alone changes.
    assert api.put(f"{path}/{bob.user_id}", {}, as_=owner).json["version"] == 1
    promoted = api.put(f"{path}/{bob.user_id}", {"lead": True}, as_=owner).json
    assert promoted["lead"] is True and promoted["version"] == 2
    members = api.get(path, as_=bob).json["items"]
    assert {member["user_id"] for member in members} == {alice.user_id, bob.user_id}
    assert api.get(f"/v1/teams/{team['id']}", as_=owner).json["member_count"] == 2
    assert api.delete(f"{path}/{bob.user_id}", as_=owner).status == 204
    assert api.delete(f"{path}/{bob.user_id}", as_=owner).status == 404
    assert api.get(f"/v1/teams/{team['id']}", as_=owner).json["member_count"] == 1


def test_a_lead_manages_members_but_names_no_leads(api, owner, login_as, team):
    lead, member, outsider = (login_as("member", org_of=owner) for _ in range(3))
    path = f"/v1/teams/{team['id']}/members"
    api.put(f"{path}/{lead.user_id}", {"lead": True}, as_=owner)
    assert api.put(f"{path}/{member.user_id}", {}, as_=lead).status == 200
    assert api.put(f"{path}/{outsider.user_id}", {}, as_=member).status == 403
    assert api.put(f"{path}/{member.user_id}", {"lead": True}, as_=lead).status == 403
    assert api.delete(f"{path}/{member.user_id}", as_=outsider).status == 403
    assert api.delete(f"{path}/{member.user_id}", as_=lead).status == 204
    assert api.post("/v1/teams", {"name": "Mine"}, as_=lead).status == 403


def test_only_active_users_of_the_organization_join(api, owner, login_as, team):
    stranger = login_as("owner")
    reply = api.put(f"/v1/teams/{team['id']}/members/{stranger.user_id}", {}, as_=owner)
    assert reply.status == 422 and reply.json["errors"][0]["field"] == "user_id"
    assert api.get(f"/v1/teams/{team['id']}/members", as_=owner).json["items"] == []


@pytest.mark.parametrize(
    "method, template, body",
    [
        ("GET", "/v1/teams/{id}", None),
        ("PATCH", "/v1/teams/{id}", {"name": "Hijacked"}),
        ("DELETE", "/v1/teams/{id}", None),
        ("GET", "/v1/teams/{id}/members", None),
        ("PUT", "/v1/teams/{id}/members/{user}", {}),
        ("DELETE", "/v1/teams/{id}/members/{user}", None),
    ],
)
def test_another_organizations_team_is_404(api, owner, login_as, team, method, template, body):
    intruder = login_as("owner")
    reply = api.call(method, template.format(id=team["id"], user=intruder.user_id), body, as_=intruder)
    assert reply.status == 404 and reply.header("content-type") == "application/problem+json"
    assert api.get(f"/v1/teams/{team['id']}", as_=owner).json == team


@pytest.mark.parametrize("role", ["member", "viewer"])
def test_only_owners_and_admins_change_teams(api, owner, login_as, team, role):
    caller = login_as(role, org_of=owner)
    assert api.get(f"/v1/teams/{team['id']}", as_=caller).status == 200
    assert api.post("/v1/teams", {"name": "Nope"}, as_=caller).status == 403
    assert api.patch(f"/v1/teams/{team['id']}", {"name": "Nope"}, as_=caller).status == 403
    assert api.delete(f"/v1/teams/{team['id']}", as_=caller).status == 403
    assert api.put(f"/v1/teams/{team['id']}/members/{caller.user_id}", {}, as_=caller).status == 403
    assert api.get(f"/v1/teams/{team['id']}", as_=owner).json == team


def test_every_write_is_audited(api, owner, login_as, team):
    alice = login_as("member", org_of=owner)
    api.put(f"/v1/teams/{team['id']}/members/{alice.user_id}", {}, as_=owner)
    api.delete(f"/v1/teams/{team['id']}/members/{alice.user_id}", as_=owner)
    team_actions = [entry["action"] for entry in api.get(f"/v1/audit-logs?target_type=team&target_id={team['id']}", as_=owner).json["items"]]
    assert "created" in team_actions
    member_key = f"{team['id']}%23{alice.user_id}"
    member_entries = api.get(f"/v1/audit-logs?target_type=team_member&target_id={member_key}", as_=owner).json["items"]
    assert sorted(entry["action"] for entry in member_entries) == ["created", "deleted"]
