"""/v1/notes: a customer's notes as records of their own: read, edit, delete, restore, ETag and
If-Match, Location on 201, lists by customer and author, tenant isolation and roles."""
from __future__ import annotations

import pytest



def history(api, caller, target_type, target_id):
    reply = api.get(f"/v1/audit-logs?target_type={target_type}&target_id={target_id}", as_=caller)
    assert reply.status == 200, reply.body
    return reply.json["items"]


def add(api, caller, customer_id, body):
    reply = api.post("/v1/notes", {"customer_id": customer_id, "body": body}, as_=caller)
    assert reply.status == 201, reply.body
    return reply.json


@pytest.fixture
def note(api, owner, customer):
    return add(api, owner, customer["id"], "Called, wants a demo.")


def all_pages(api, caller, path):
    items, cursor = [], None
    while True:
        separator = "&" if "?" in path else "?"
        reply = api.get(path + (f"{separator}limit=2&cursor={cursor}" if cursor else f"{separator}limit=2"), as_=caller)
        assert reply.status == 200, reply.body
        items += reply.json["items"]
        cursor = reply.json["next_cursor"]
        if cursor is None:
            return items


def test_a_note_is_created_read_with_its_etag_and_located(api, owner, customer):
    reply = api.post("/v1/notes", {"customer_id": customer["id"], "body": "First call"}, as_=owner)
    assert reply.status == 201
    assert reply.header("Location") == f"/v1/notes/{reply.json['id']}"
    assert reply.header("ETag") == '"1"'
    read = api.get(reply.header("Location"), as_=owner)
    assert read.status == 200 and read.json == reply.json and read.header("ETag") == '"1"'
    assert read.json["author"] == owner.user_id and read.json["customer_id"] == customer["id"]


def test_a_note_added_under_its_customer_is_located_at_its_own_path(api, owner, customer):
    reply = api.post(f"/v1/customers/{customer['id']}/notes", {"body": "hello"}, as_=owner)
    assert reply.status == 201 and reply.header("Location") == f"/v1/notes/{reply.json['id']}"
    assert api.get(reply.header("Location"), as_=owner).json["body"] == "hello"


def test_a_note_for_an_unknown_customer_is_422_naming_the_field_and_writes_nothing(api, owner):
    reply = api.post("/v1/notes", {"customer_id": "01ARZ3NDEKTSV4RRFFQ69G5FAV", "body": "?"}, as_=owner)
    assert reply.status == 422 and [error["field"] for error in reply.json["errors"]] == ["customer_id"]
    assert api.get("/v1/notes", as_=owner).json["items"] == []


def test_patch_edits_the_body_with_if_match(api, owner, note):
    path = f"/v1/notes/{note['id']}"
    stale = api.patch(path, {"body": "Edited"}, as_=owner, headers={"If-Match": '"2"'})
    assert stale.status == 412
    assert api.get(path, as_=owner).json["body"] == note["body"]
    edited = api.patch(path, {"body": "Edited"}, as_=owner, headers={"If-Match": '"1"'})
    assert edited.status == 200 and edited.json["body"] == "Edited" and edited.header("ETag") == '"2"'
    assert api.get(path, as_=owner).json == edited.json
    assert history(api, owner, "note", note["id"])[0]["changes"] == {"body": {"from": note["body"], "to": "Edited"}}


@pytest.mark.parametrize("body", [{}, {"body": ""}, {"body": 7}, {"author": "someone"}, {"customer_id": ""}])
def test_an_invalid_patch_is_422_and_changes_nothing(api, owner, note, body):
    reply = api.patch(f"/v1/notes/{note['id']}", body, as_=owner)
    assert reply.status == 422 and reply.header("content-type") == "application/problem+json"
    assert api.get(f"/v1/notes/{note['id']}", as_=owner).json == note


def test_a_note_moves_to_another_customer_only_of_the_organization(api, login_as, owner, customer, note):
    other = api.post("/v1/customers", {"name": "Other"}, as_=owner).json
    theirs = api.post("/v1/customers", {"name": "Theirs"}, as_=login_as("owner")).json
    refused = api.patch(f"/v1/notes/{note['id']}", {"customer_id": theirs["id"]}, as_=owner)
    assert refused.status == 422 and refused.json["errors"][0]["field"] == "customer_id"
    moved = api.patch(f"/v1/notes/{note['id']}", {"customer_id": other["id"]}, as_=owner)
    assert moved.status == 200 and moved.json["customer_id"] == other["id"]
    assert [item["id"] for item in api.get(f"/v1/customers/{other['id']}/notes", as_=owner).json["items"]] == [note["id"]]
    assert api.get(f"/v1/customers/{customer['id']}/notes", as_=owner).json["items"] == []


def test_delete_hides_the_note_and_restore_brings_it_back(api, owner, customer, note):
    path = f"/v1/notes/{note['id']}"
    assert api.delete(path, as_=owner, headers={"If-Match": '"9"'}).status == 412
    assert api.delete(path, as_=owner, headers={"If-Match": '"1"'}).status == 204
    assert api.get(path, as_=owner).status == 404
    assert api.patch(path, {"body": "ghost"}, as_=owner).status == 404
    assert api.get(f"/v1/customers/{customer['id']}/notes", as_=owner).json["items"] == []
    assert api.get("/v1/notes", as_=owner).json["items"] == []
    restored = api.post(f"{path}/restore", as_=owner)
    assert restored.status == 200 and restored.json["body"] == note["body"] and restored.header("ETag") == '"3"'
    assert api.post(f"{path}/restore", as_=owner).status == 409
    assert [item["id"] for item in api.get(f"/v1/customers/{customer['id']}/notes", as_=owner).json["items"]] == [note["id"]]
    assert [entry["action"] for entry in history(api, owner, "note", note["id"])] == ["restored", "deleted", "created"]


def test_list_filters_equal_a_brute_force_filter(api, login_as, owner, customer):
    member = login_as("member", org_of=owner)
    other = api.post("/v1/customers", {"name": "Other"}, as_=owner).json
    made = []
    for number in range(7):
        author = member if number % 3 == 0 else owner
        made.append(add(api, author, (customer if number % 2 else other)["id"], f"note {number}"))
    api.delete(f"/v1/notes/{made[1]['id']}", as_=owner)
    live = [note for note in made if note["id"] != made[1]["id"]]
    cases = {
        "": lambda note: True,
        f"customer_id={customer['id']}": lambda note: note["customer_id"] == customer["id"],
        f"author={member.user_id}": lambda note: note["author"] == member.user_id,
        f"customer_id={other['id']}&author={member.user_id}":
            lambda note: note["customer_id"] == other["id"] and note["author"] == member.user_id,
    }
    for query, keep in cases.items():
        listed = all_pages(api, owner, f"/v1/notes?{query}" if query else "/v1/notes")
        assert [note["id"] for note in listed] == [note["id"] for note in live if keep(note)], query
    mine = all_pages(api, member, "/v1/notes?author=me")
    assert [note["id"] for note in mine] == [note["id"] for note in live if note["author"] == member.user_id]


@pytest.mark.parametrize("query", ["owner=x", "author=", "customer_id=" + "x" * 201, "cursor=bogus"])
def test_bad_list_parameters_are_400(api, owner, query):
    reply = api.get(f"/v1/notes?{query}", as_=owner)
    assert reply.status == 400 and reply.header("content-type") == "application/problem+json"


ROUTES = [
    ("GET", "/v1/notes/{id}", None),
    ("PATCH", "/v1/notes/{id}", {"body": "Hijacked"}),
    ("DELETE", "/v1/notes/{id}", None),
    ("POST", "/v1/notes/{id}/restore", None),
]


@pytest.mark.parametrize("method, template, body", ROUTES)
def test_another_organizations_note_is_404(api, login_as, owner, note, method, template, body):
    if method == "POST":  # restore: only a deleted note can be restored
        api.delete(f"/v1/notes/{note['id']}", as_=owner)
    intruder = login_as("owner")
    reply = api.call(method, template.format(id=note["id"]), body, as_=intruder, headers={"If-Match": '"1"'})
    assert reply.status == 404 and reply.header("content-type") == "application/problem+json"
    assert api.get("/v1/notes", as_=intruder).json["items"] == []
    assert api.get(f"/v1/notes?customer_id={note['customer_id']}", as_=intruder).json["items"] == []
    if method != "POST":
        assert api.get(f"/v1/notes/{note['id']}", as_=owner).json == note


def test_another_organizations_customer_cannot_get_a_note(api, login_as, customer):
    intruder = login_as("owner")
    reply = api.post("/v1/notes", {"customer_id": customer["id"], "body": "planted"}, as_=intruder)
    assert reply.status == 422
    assert api.get("/v1/notes", as_=intruder).json["items"] == []


@pytest.mark.parametrize("method, template, body", [*ROUTES, ("POST", "/v1/notes", {"body": "x"})])
def test_a_viewer_cannot_write_notes_but_reads_them(api, login_as, owner, note, method, template, body):
    viewer = login_as("viewer", org_of=owner)
    if method == "GET":
        assert api.get(template.format(id=note["id"]), as_=viewer).status == 200
        assert api.get("/v1/notes", as_=viewer).status == 200
        return
    if template == "/v1/notes":
        body = {**body, "customer_id": note["customer_id"]}
    reply = api.call(method, template.format(id=note["id"]), body, as_=viewer, headers={"If-Match": '"1"'})
    assert reply.status == 403
    assert api.get(f"/v1/notes/{note['id']}", as_=owner).json == note


def test_a_role_without_customers_read_cannot_list_or_read(api, login_as, owner, note):
    role = api.post("/v1/roles", {"name": "Support", "permissions": ["tickets:read", "tickets:write"]}, as_=owner).json
    member = login_as("member", org_of=owner)
    assert api.put(f"/v1/users/{member.user_id}/role", {"role": role["id"]}, as_=owner).status == 200
    headers = {"Authorization": f"Bearer {api.login(member.email).json['access_token']}"}
    assert api.get("/v1/notes", headers=headers).status == 403
    assert api.get(f"/v1/notes/{note['id']}", headers=headers).status == 403
