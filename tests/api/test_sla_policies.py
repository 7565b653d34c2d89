"""SLA policies: one per priority, CRUD, fallback to the organization's settings, tenancy, roles, audit."""
from __future__ import annotations

import pytest

POLICY = {"priority": "urgent", "name": "Hot", "first_response_minutes": 5, "resolution_minutes": 60}


def history(api, caller, target_type, target_id):
    reply = api.get(f"/v1/audit-logs?target_type={target_type}&target_id={target_id}", as_=caller)
    assert reply.status == 200, reply.body
    return reply.json["items"]


@pytest.fixture
def policy(api, owner):
    reply = api.post("/v1/sla-policies", POLICY, as_=owner)
    assert reply.status == 201, reply.body
    return reply.json


def test_create_get_list(api, owner, policy):
    assert policy["id"] == "urgent" and policy["first_response_minutes"] == 5
    reply = api.get("/v1/sla-policies/urgent", as_=owner)
    assert reply.status == 200 and reply.json == policy and reply.header("etag") == '"1"'
    assert reply.header("etag") == '"1"'
    assert api.get("/v1/sla-policies", as_=owner).json == {"items": [policy], "next_cursor": None}
    assert api.post("/v1/sla-policies", POLICY, as_=owner).status == 409


@pytest.mark.parametrize("body, field", [
    ({**POLICY, "priority": "blocker"}, "priority"),
    ({**POLICY, "first_response_minutes": 0}, "first_response_minutes"),
    ({"priority": "low", "resolution_minutes": 5}, "first_response_minutes"),
    ({**POLICY, "extra": 1}, "extra"),
])
def test_invalid_policies_are_422_naming_the_field(api, owner, body, field):
    reply = api.post("/v1/sla-policies", body, as_=owner)
    assert reply.status == 422
    assert field in [error["field"] for error in reply.json["errors"]]


def test_update_delete_and_audit(api, owner, policy):
    assert api.put("/v1/sla-policies/urgent", {"first_response_minutes": 10, "resolution_minutes": 90}, as_=owner).status == 428
    replaced = api.put("/v1/sla-policies/urgent", {"first_response_minutes": 10, "resolution_minutes": 90},
                       as_=owner, headers={"If-Match": '"1"'})
    assert replaced.status == 200 and replaced.json["name"] is None and replaced.json["version"] == 2
    assert api.patch("/v1/sla-policies/urgent", {"name": "x"}, as_=owner, headers={"If-Match": '"1"'}).status == 412
    assert api.patch("/v1/sla-policies/urgent", {"name": "Hotter"}, as_=owner).json["name"] == "Hotter"
    assert api.delete("/v1/sla-policies/urgent", as_=owner, headers={"If-Match": '"1"'}).status == 412
    assert api.delete("/v1/sla-policies/urgent", as_=owner).status == 204
    assert api.get("/v1/sla-policies/urgent", as_=owner).status == 404
    entries = history(api, owner, "sla_policy", "urgent")
    assert [entry["action"] for entry in entries] == ["deleted", "updated", "updated", "created"]
    assert entries[0]["changes"] == {"first_response_minutes": 10, "resolution_minutes": 90}
    assert api.post("/v1/sla-policies", POLICY, as_=owner).status == 201, "a deleted policy's priority is free again"


def test_tickets_use_the_policy_of_their_priority_else_the_settings(api, owner, policy):
    urgent = api.post("/v1/tickets", {"subject": "Down", "priority": "urgent"}, as_=owner).json
    low = api.post("/v1/tickets", {"subject": "Typo", "priority": "low"}, as_=owner).json
    from chalicelib.core import clock

    def minutes(ticket, field):
        return round((clock.parse(ticket[field]) - clock.parse(ticket["created_at"])).total_seconds() / 60)

    assert minutes(urgent, "first_response_due_at") == 5 and minutes(urgent, "resolution_due_at") == 60
    assert minutes(low, "first_response_due_at") == 2880 and minutes(low, "resolution_due_at") == 10080


def test_unknown_priority_is_404(api, owner):
    assert api.get("/v1/sla-policies/blocker", as_=owner).status == 404


ROUTES = [
    ("GET", "/v1/sla-policies/urgent", None),
    ("PUT", "/v1/sla-policies/urgent", {"first_response_minutes": 1, "resolution_minutes": 1}),
    ("PATCH", "/v1/sla-policies/urgent", {"name": "Hijacked"}),
    ("DELETE", "/v1/sla-policies/urgent", None),
]


@pytest.mark.parametrize("method, path, body", ROUTES)
def test_another_organizations_policy_is_404(api, login_as, owner, policy, method, path, body):
    intruder = login_as("owner")
    reply = api.call(method, path, body, as_=intruder, headers={"If-Match": '"1"'})
    assert reply.status == 404
    assert api.get("/v1/sla-policies/urgent", as_=owner).json == policy
    assert api.get("/v1/sla-policies", as_=intruder).json["items"] == []


@pytest.mark.parametrize("method, path, body", [("POST", "/v1/sla-policies", {**POLICY, "priority": "low"})] + ROUTES[1:])
def test_viewers_cannot_write(api, login_as, owner, policy, method, path, body):
    viewer = login_as("viewer", org_of=owner)
    assert api.get("/v1/sla-policies/urgent", as_=viewer).status == 200
    assert api.call(method, path, body, as_=viewer, headers={"If-Match": '"1"'}).status == 403
    assert api.get("/v1/sla-policies/urgent", as_=owner).json == policy
