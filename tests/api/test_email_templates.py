"""Email templates: CRUD, placeholders, rendering (no template injection), tenancy, roles, audit."""
from __future__ import annotations

import pytest

TEMPLATE = {"name": "Welcome", "subject": "Hi {{first_name}}", "body": "Dear {{ first_name }}, your plan is {{plan}}."}


def history(api, caller, target_type, target_id):
    reply = api.get(f"/v1/audit-logs?target_type={target_type}&target_id={target_id}", as_=caller)
    assert reply.status == 200, reply.body
    return [entry["action"] for entry in reply.json["items"]]


@pytest.fixture
def template(api, owner):
    reply = api.post("/v1/email-templates", TEMPLATE, as_=owner)
    assert reply.status == 201, reply.body
    return reply.json


def test_create_derives_placeholders_and_answers_location_and_etag(api, owner, template):
    assert template["placeholders"] == ["first_name", "plan"]
    fetched = api.get(f"/v1/email-templates/{template['id']}", as_=owner)
    assert fetched.status == 200 and fetched.json == template
    assert fetched.header("etag") == '"1"'
    assert api.get("/v1/email-templates", as_=owner).json == {"items": [template], "next_cursor": None}


def test_render_replaces_placeholders(api, owner, template):
    reply = api.post(f"/v1/email-templates/{template['id']}/render",
                     {"values": {"first_name": "Ada", "plan": "Pro", "unused": 1}}, as_=owner)
    assert reply.status == 200
    assert reply.json == {"subject": "Hi Ada", "body": "Dear Ada, your plan is Pro."}


def test_render_without_a_value_is_422_naming_the_placeholders(api, owner, template):
    reply = api.post(f"/v1/email-templates/{template['id']}/render", {"values": {}}, as_=owner)
    assert reply.status == 422
    assert [error["field"] for error in reply.json["errors"]] == ["values.first_name", "values.plan"]
    assert "first_name" in reply.json["detail"] and "plan" in reply.json["detail"]


@pytest.mark.parametrize("value", ["{{plan}}", "{{ first_name }}", r"\1 \g<0>", "{% raw %}${7*7}{{7*7}}"])
def test_values_are_inserted_literally_never_evaluated(api, owner, template, value):
    reply = api.post(f"/v1/email-templates/{template['id']}/render",
                     {"values": {"first_name": value, "plan": "Pro"}}, as_=owner)
    assert reply.status == 200
    assert reply.json["subject"] == f"Hi {value}"
    assert reply.json["body"] == f"Dear {value}, your plan is Pro."


@pytest.mark.parametrize("body", [{}, {"values": []}, {"values": {"plan": {"nested": 1}}}, {"values": {}, "x": 1}])
def test_bad_render_bodies_are_422(api, owner, template, body):
    assert api.post(f"/v1/email-templates/{template['id']}/render", body, as_=owner).status == 422


def test_put_patch_recompute_placeholders_and_need_current_version(api, owner, template):
    path = f"/v1/email-templates/{template['id']}"
    assert api.put(path, {**TEMPLATE, "body": "{{x}}"}, as_=owner).status == 428
    replaced = api.put(path, {**TEMPLATE, "body": "Hello {{company}}"}, as_=owner, headers={"If-Match": '"1"'})
    assert replaced.status == 200
    assert replaced.json["placeholders"] == ["first_name", "company"] and replaced.json["version"] == 2
    patched = api.patch(path, {"subject": "Static"}, as_=owner, headers={"If-Match": '"2"'})
    assert patched.status == 200 and patched.json["placeholders"] == ["company"]
    assert api.patch(path, {"name": "Stale"}, as_=owner, headers={"If-Match": '"1"'}).status == 412
    assert api.patch(path, {"subject": None}, as_=owner).status == 422


def test_delete_restore_and_audit(api, owner, template):
    path = f"/v1/email-templates/{template['id']}"
    api.patch(path, {"name": "Renamed"}, as_=owner)
    assert api.delete(path, as_=owner).status == 204
    assert api.get(path, as_=owner).status == 404
    assert api.post(f"{path}/render", {"values": {}}, as_=owner).status == 404
    assert api.get("/v1/email-templates", as_=owner).json["items"] == []
    restored = api.post(f"{path}/restore", as_=owner)
    assert restored.status == 200 and restored.json["name"] == "Renamed"
    assert api.post(f"{path}/restore", as_=owner).status == 409
    assert history(api, owner, "email_template", template["id"]) == ["restored", "deleted", "updated", "created"]


def test_batch_creates_each_item_on_its_own(api, owner):
    reply = api.post("/v1/email-templates/batch",
                     {"items": [TEMPLATE, {"name": "No body", "subject": "x"}, {**TEMPLATE, "name": "Second"}]}, as_=owner)
    assert reply.status == 200
    results = reply.json["results"]
    assert [result["status"] for result in results] == [201, 422, 201]
    assert "error" in results[1] and "id" in results[0]
    names = [item["name"] for item in api.get("/v1/email-templates", as_=owner).json["items"]]
    assert names == ["Welcome", "Second"]
    assert history(api, owner, "email_template", results[0]["id"]) == ["created"]


ROUTES = [
    ("GET", "/v1/email-templates/{id}", None),
    ("PUT", "/v1/email-templates/{id}", TEMPLATE),
    ("PATCH", "/v1/email-templates/{id}", {"name": "Hijacked"}),
    ("DELETE", "/v1/email-templates/{id}", None),
    ("POST", "/v1/email-templates/{id}/restore", None),
    ("POST", "/v1/email-templates/{id}/render", {"values": {"first_name": "x", "plan": "y"}}),
]


@pytest.mark.parametrize("method, template_path, body", ROUTES)
def test_another_organizations_template_is_404(api, login_as, owner, template, method, template_path, body):
    intruder = login_as("owner")
    reply = api.call(method, template_path.format(id=template["id"]), body, as_=intruder, headers={"If-Match": '"1"'})
    assert reply.status == 404
    assert reply.header("content-type") == "application/problem+json"
    assert api.get(f"/v1/email-templates/{template['id']}", as_=owner).json == template
    assert api.get("/v1/email-templates", as_=intruder).json["items"] == []


def test_viewers_read_and_render_but_cannot_write(api, login_as, owner, template):
    viewer = login_as("viewer", org_of=owner)
    path = f"/v1/email-templates/{template['id']}"
    assert api.get(path, as_=viewer).status == 200
    assert api.post(f"{path}/render", {"values": {"first_name": "a", "plan": "b"}}, as_=viewer).status == 200
    for method, target, body in [("POST", "/v1/email-templates", TEMPLATE), ("PUT", path, TEMPLATE),
                                 ("PATCH", path, {"name": "x"}), ("DELETE", path, None),
                                 ("POST", f"{path}/restore", None), ("POST", "/v1/email-templates/batch", {"items": [TEMPLATE]})]:
        reply = api.call(method, target, body, as_=viewer, headers={"If-Match": '"1"'})
        assert reply.status == 403, (method, target)
    member = login_as("member", org_of=owner)
    assert api.post("/v1/email-templates", TEMPLATE, as_=member).status == 201
    assert api.get(path, as_=owner).json == template
