"""Roles: built-in ones listed and read-only; custom roles CRUD; a custom role's permissions
govern what its holders may do once their token is reissued."""
from __future__ import annotations

import pytest

from chalicelib.platform.services.roles import ALL_PERMISSIONS, BUILT_IN_ROLES


def create(api, caller, name="Support", permissions=("customers:read", "tickets:write"), **extra):
    return api.post("/v1/roles", {"name": name, "permissions": list(permissions), **extra}, as_=caller)


def history(api, caller, role_id):
    return api.get(f"/v1/audit-logs?target_type=role&target_id={role_id}", as_=caller).json["items"]


def test_list_shows_the_built_in_roles_then_the_custom_ones(api, owner):
    role = create(api, owner).json
    items = api.get("/v1/roles", as_=owner).json["items"]
    assert [item["id"] for item in items] == [*BUILT_IN_ROLES, role["id"]]
    assert all(item["built_in"] for item in items[:-1]) and items[-1]["built_in"] is False
    assert set(items[0]["permissions"]) == ALL_PERMISSIONS


def test_custom_role_crud_with_etags_and_audit(api, owner):
    reply = create(api, owner, description="Front line")
    assert reply.status == 201, reply.body
    role = reply.json
    path = f"/v1/roles/{role['id']}"
    assert reply.header("location") == path and reply.header("etag") == '"1"'
    assert role["permissions"] == ["customers:read", "tickets:write"]
    assert api.get(path, as_=owner).json == role
    replaced = api.put(path, {"name": "Support L2", "permissions": ["tickets:read"]}, as_=owner, headers={"If-Match": '"1"'})
    assert replaced.status == 200 and replaced.json["description"] is None and replaced.json["version"] == 2
    assert api.put(path, {"name": "X", "permissions": []}, as_=owner).status == 428
    assert api.patch(path, {"description": "Stale"}, as_=owner, headers={"If-Match": '"1"'}).status == 412
    patched = api.patch(path, {"description": "Second line"}, as_=owner)
    assert patched.status == 200 and patched.json["name"] == "Support L2"
    assert api.delete(path, as_=owner).status == 204
    assert api.get(path, as_=owner).status == 404
    assert role["id"] not in [item["id"] for item in api.get("/v1/roles", as_=owner).json["items"]]
    assert [entry["action"] for entry in history(api, owner, role["id"])] == ["deleted", "updated", "updated", "created"]


def test_names_are_unique_per_organization_case_insensitively(api, login_as, owner):
    first = create(api, owner, name="Sales").json
    reply = create(api, owner, name=" sales ")
    assert reply.status == 409 and reply.json["field"] == "name"
    assert create(api, login_as("owner"), name="Sales").status == 201, "another organization may use the name"
    other = create(api, owner, name="Marketing").json
    assert api.patch(f"/v1/roles/{other['id']}", {"name": "SALES"}, as_=owner).status == 409
    assert api.patch(f"/v1/roles/{first['id']}", {"name": "Revenue"}, as_=owner).status == 200
    assert api.patch(f"/v1/roles/{other['id']}", {"name": "Sales"}, as_=owner).status == 200, "the old name is free"
    assert api.delete(f"/v1/roles/{other['id']}", as_=owner).status == 204
    assert create(api, owner, name="Sales").status == 201, "a deleted role frees its name"


@pytest.mark.parametrize("name", ["owner", "Admin", "viewer"])
def test_a_custom_role_cannot_take_a_built_in_name(api, owner, name):
    assert create(api, owner, name=name).status == 409


@pytest.mark.parametrize(
    "body, field",
    [
        ({"name": "X", "permissions": ["customers:fly"]}, "permissions"),
        ({"name": "X", "permissions": ["audit_logs:write"]}, "permissions"),
        ({"name": "X", "permissions": "customers:read"}, "permissions"),
        ({"name": "", "permissions": []}, "name"),
        ({"permissions": []}, "name"),
        ({"name": "X", "permissions": [], "built_in": True}, "built_in"),
    ],
)
def test_invalid_roles_are_422_naming_the_field(api, owner, body, field):
    reply = api.post("/v1/roles", body, as_=owner)
    assert reply.status == 422, reply.body
    assert any(error["field"].startswith(field) for error in reply.json["errors"])


@pytest.mark.parametrize("method", ["PUT", "PATCH", "DELETE"])
def test_built_in_roles_are_not_editable(api, owner, method):
    body = None if method == "DELETE" else {"name": "Boss", "permissions": []}
    reply = api.call(method, "/v1/roles/owner", body, as_=owner, headers={"If-Match": '"1"'})
    assert reply.status == 409
    assert api.get("/v1/roles/owner", as_=owner).json["built_in"] is True


def test_another_organizations_role_is_404_on_every_route(api, login_as, owner):
    role = create(api, owner).json
    intruder = login_as("owner")
    path = f"/v1/roles/{role['id']}"
    for method, body in [("GET", None), ("PUT", {"name": "Mine", "permissions": []}), ("PATCH", {"name": "Mine"}), ("DELETE", None)]:
        assert api.call(method, path, body, as_=intruder, headers={"If-Match": '"1"'}).status == 404, method
    assert api.get(path, as_=owner).json == role
    assert role["id"] not in [item["id"] for item in api.get("/v1/roles", as_=intruder).json["items"]]


def test_another_organizations_role_cannot_be_assigned(api, login_as, owner):
    foreign = create(api, login_as("owner")).json
    member = login_as("member", org_of=owner)
    reply = api.put(f"/v1/users/{member.user_id}/role", {"role": foreign["id"]}, as_=owner)
    assert reply.status == 422


@pytest.mark.parametrize("role", ["member", "viewer"])
def test_members_and_viewers_read_roles_but_cannot_write_them(api, login_as, owner, role):
    caller = login_as(role, org_of=owner)
    existing = create(api, owner).json
    path = f"/v1/roles/{existing['id']}"
    assert api.get("/v1/roles", as_=caller).status == 200
    assert api.get(path, as_=caller).status == 200
    assert create(api, caller, name="Mine").status == 403
    assert api.put(path, {"name": "Mine", "permissions": []}, as_=caller, headers={"If-Match": '"1"'}).status == 403
    assert api.patch(path, {"name": "Mine"}, as_=caller).status == 403
    assert api.delete(path, as_=caller).status == 403
    assert api.get(path, as_=owner).json == existing


def test_a_role_held_by_a_user_cannot_be_deleted(api, login_as, owner):
    role = create(api, owner).json
    member = login_as("member", org_of=owner)
    assert api.put(f"/v1/users/{member.user_id}/role", {"role": role["id"]}, as_=owner).status == 200
    assert api.delete(f"/v1/roles/{role['id']}", as_=owner).status == 409
    assert api.put(f"/v1/users/{member.user_id}/role", {"role": "member"}, as_=owner).status == 200
    assert api.delete(f"/v1/roles/{role['id']}", as_=owner).status == 204


def test_a_custom_role_grants_exactly_its_permissions(api, login_as, owner):
    role = create(api, owner, permissions=["customers:read", "tickets:write"]).json
    member = login_as("member", org_of=owner)
    assert api.put(f"/v1/users/{member.user_id}/role", {"role": role["id"]}, as_=owner).status == 200
    import jwt

    reply = api.login(member.email)
    token = reply.json["access_token"]
    claims = jwt.decode(token, options={"verify_signature": False})
    assert claims["role"] == role["id"] and claims["perms"] == ["customers:read", "tickets:write"]
    headers = {"Authorization": f"Bearer {token}"}
    assert api.get("/v1/customers", headers=headers).status == 200
    assert api.post("/v1/customers", {"name": "Nope"}, headers=headers).status == 403
    assert api.get("/v1/users", headers=headers).status == 403
