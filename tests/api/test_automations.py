"""Marketing automations: definitions (CRUD, validation, pause/resume, the active limit), tenancy,
roles and audit. Enrolment and runs: test_automation_runs.py."""
from __future__ import annotations

import pytest

from tests.conftest import add_users

WEB_LEADS = {"event": "lead.created", "conditions": [{"field": "source", "operator": "equals", "value": "web"}]}


@pytest.fixture
def template(api, owner):
    reply = api.post("/v1/email-templates", {"name": "Welcome", "subject": "Hi {{name}}", "body": "Welcome, {{name}}."},
                     as_=owner)
    assert reply.status == 201, reply.body
    return reply.json


def definition(template_id: str, **extra):
    return {
        "name": "Welcome web leads",
        "trigger": WEB_LEADS,
        "steps": [
            {"type": "wait", "seconds": 60},
            {"type": "send_email", "template_id": template_id},
            {"type": "create_task", "subject": "Call the new lead", "due_in_seconds": 86400},
        ],
        **extra,
    }


def history(api, caller, automation_id):
    reply = api.get(f"/v1/audit-logs?target_type=automation&target_id={automation_id}", as_=caller)
    assert reply.status == 200, reply.body
    return [entry["action"] for entry in reply.json["items"]]


def test_create_read_list_and_audit(api, owner, template):
    reply = api.post("/v1/automations", definition(template["id"]), as_=owner)
    assert reply.status == 201, reply.body
    automation = reply.json
    assert automation["status"] == "paused"  # reviewed before it acts
    assert automation["trigger"] == WEB_LEADS and len(automation["steps"]) == 3
    assert reply.header("location") == f"/v1/automations/{automation['id']}" and reply.header("etag") == '"1"'
    fetched = api.get(f"/v1/automations/{automation['id']}", as_=owner)
    assert fetched.status == 200 and fetched.json == automation
    assert api.get("/v1/automations", as_=owner).json == {"items": [automation], "next_cursor": None}
    assert api.get("/v1/automations?status=active", as_=owner).json["items"] == []
    assert history(api, owner, automation["id"]) == ["created"]


def test_pause_resume_and_the_active_limit(api, owner, template, monkeypatch):
    from chalicelib.crm.marketing.services import automations

    monkeypatch.setattr(automations, "MAX_ACTIVE", 1)
    first = api.post("/v1/automations", definition(template["id"], status="active"), as_=owner).json
    assert first["status"] == "active"
    second = api.post("/v1/automations", definition(template["id"]), as_=owner).json
    refused = api.post(f"/v1/automations/{second['id']}/resume", as_=owner)
    assert refused.status == 409 and refused.json["limit"] == 1
    assert api.post("/v1/automations", definition(template["id"], status="active"), as_=owner).status == 409
    paused = api.post(f"/v1/automations/{first['id']}/pause", as_=owner)
    assert paused.status == 200 and paused.json["status"] == "paused" and paused.header("etag") == '"2"'
    resumed = api.post(f"/v1/automations/{second['id']}/resume", as_=owner)
    assert resumed.status == 200 and resumed.json["status"] == "active"
    # Deleting the active one frees its place; a restored automation comes back paused.
    assert api.delete(f"/v1/automations/{second['id']}", as_=owner).status == 204
    assert api.patch(f"/v1/automations/{first['id']}", {"status": "active"}, as_=owner).status == 200
    restored = api.post(f"/v1/automations/{second['id']}/restore", as_=owner)
    assert restored.status == 200 and restored.json["status"] == "paused"
    assert history(api, owner, second["id"]) == ["restored", "deleted", "updated", "created"]  # newest first


def test_replace_needs_if_match_and_patch_checks_the_version(api, owner, template):
    automation = api.post("/v1/automations", definition(template["id"]), as_=owner).json
    path = f"/v1/automations/{automation['id']}"
    assert api.put(path, definition(template["id"], name="Renamed"), as_=owner).status == 428
    replaced = api.put(path, definition(template["id"], name="Renamed"), as_=owner, headers={"If-Match": '"1"'})
    assert replaced.status == 200 and replaced.json["name"] == "Renamed"
    assert api.patch(path, {"name": "Again"}, as_=owner, headers={"If-Match": '"1"'}).status == 412


def bad(template_id: str, user_id: str) -> list[tuple[dict, str]]:
    """Definitions refused, and the field each 422 names."""
    base = definition(template_id)

    def with_steps(*steps):
        return {**base, "steps": list(steps)}

    return [
        ({**base, "trigger": {"event": "ticket.created"}}, "trigger.event"),
        ({**base, "trigger": {"event": "lead.created", "conditions": [{"field": "shoe_size", "operator": "equals", "value": 1}]}},
         "trigger.conditions[0].field"),
        ({**base, "trigger": {"event": "lead.created", "conditions": [{"field": "source", "operator": "in", "value": "web"}]}},
         "trigger.conditions[0].value"),
        ({**base, "trigger": {"event": "lead.created", "conditions": [{"field": "email", "operator": "is_set", "value": 1}]}},
         "trigger.conditions[0].value"),
        (with_steps({"type": "wait"}), "steps[0]"),
        (with_steps({"type": "wait", "seconds": 5, "until_field": "created_at"}), "steps[0]"),
        (with_steps({"type": "wait", "until_field": "source"}), "steps[0].until_field"),
        (with_steps({"type": "wait", "seconds": 0}), "steps[0].seconds"),
        (with_steps({"type": "send_email", "template_id": "01ARZ3NDEKTSV4RRFFQ69G5FAV"}), "steps[0].template_id"),
        (with_steps({"type": "send_email", "template_id": template_id, "subject": "x"}), "steps[0].subject"),
        (with_steps({"type": "create_task", "subject": "Call", "due_in_seconds": 60, "assignee": user_id}),
         "steps[0].assignee"),
        (with_steps({"type": "set_field", "field": "status", "value": "converted"}), "steps[0].value"),
        (with_steps({"type": "set_field", "field": "name", "value": "X"}), "steps[0].field"),
        (with_steps({"type": "add_to_campaign", "campaign_id": "01ARZ3NDEKTSV4RRFFQ69G5FAV"}), "steps[0].campaign_id"),
        (with_steps({"type": "notify_users", "user_ids": [user_id], "message": "New lead"}), "steps[0].user_ids[0]"),
        (with_steps({"type": "launch_rocket"}), "steps[0].type"),
        ({**base, "steps": []}, "steps"),
    ]


def test_bad_definitions_are_422_naming_the_field_and_write_nothing(api, owner, template):
    add_users(owner.org_id, "GONE", status="inactive")
    for body, field in bad(template["id"], "GONE"):
        reply = api.post("/v1/automations", body, as_=owner)
        assert reply.status == 422, (body, reply.body)
        assert reply.header("content-type") == "application/problem+json"
        assert field in [error["field"] for error in reply.json["errors"]], (field, reply.json)
    assert api.get("/v1/automations", as_=owner).json["items"] == []


def test_another_organization_sees_nothing(api, owner, login_as, template):
    automation = api.post("/v1/automations", definition(template["id"]), as_=owner).json
    stranger = login_as("owner")
    path = f"/v1/automations/{automation['id']}"
    assert api.get(path, as_=stranger).status == 404
    assert api.patch(path, {"name": "Mine"}, as_=stranger).status == 404
    assert api.post(f"{path}/resume", as_=stranger).status == 404
    assert api.get(f"{path}/runs", as_=stranger).status == 404
    assert api.delete(path, as_=stranger).status == 404
    assert api.get("/v1/automations", as_=stranger).json["items"] == []
    # A stranger's definition cannot name this organization's template either.
    assert api.post("/v1/automations", definition(template["id"]), as_=stranger).status == 422


def test_a_viewer_reads_but_does_not_write(api, owner, login_as, template):
    automation = api.post("/v1/automations", definition(template["id"]), as_=owner).json
    viewer = login_as("viewer", org_of=owner)
    path = f"/v1/automations/{automation['id']}"
    assert api.get(path, as_=viewer).status == 200
    assert api.get(f"{path}/runs", as_=viewer).status == 200
    assert api.post("/v1/automations", definition(template["id"]), as_=viewer).status == 403
    assert api.post(f"{path}/resume", as_=viewer).status == 403
    assert api.post(f"{path}/pause", as_=viewer).status == 403
    assert api.patch(path, {"name": "x"}, as_=viewer).status == 403
    assert api.get(path, as_=owner).json == automation
