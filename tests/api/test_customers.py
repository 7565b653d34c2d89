"""Customers: CRUD, pagination, preconditions, idempotency, notes and activities."""
from __future__ import annotations

import pytest

from tests.conftest import add_users


def test_create_returns_the_customer_with_location_and_etag(api, owner):
    reply = api.post(
        "/v1/customers",
        {"name": "Grace Hopper", "email": "grace@example.com", "phone": "+1 555 0100", "company": "Navy",
         "tags": ["admiral"], "status": "prospect", "custom_fields": {"tier": "gold", "seats": 12}},
        as_=owner,
    )
    assert reply.status == 201
    customer = reply.json
    assert reply.header("location") == f"/v1/customers/{customer['id']}"
    assert reply.header("etag") == '"1"'
    assert customer["owner"] == owner.user_id
    assert customer["custom_fields"] == {"tier": "gold", "seats": 12}
    assert set(customer) == {"id", "name", "email", "phone", "company", "company_id", "tags", "status", "owner",
                             "custom_fields", "owner_team_id", "created_at", "updated_at", "version"}
    fetched = api.get(f"/v1/customers/{customer['id']}", as_=owner)
    assert fetched.status == 200 and fetched.json == customer
    assert fetched.header("etag") == '"1"'


def test_missing_customer_is_404(api, owner):
    reply = api.get("/v1/customers/01ARZ3NDEKTSV4RRFFQ69G5FAV", as_=owner)
    assert reply.status == 404
    assert reply.header("content-type") == "application/problem+json"


def test_list_pages_through_every_customer_once(api, owner):
    created = [api.post("/v1/customers", {"name": f"C{i}"}, as_=owner).json["id"] for i in range(7)]
    seen, cursor, pages = [], None, 0
    while True:
        path = "/v1/customers?limit=3" + (f"&cursor={cursor}" if cursor else "")
        reply = api.get(path, as_=owner)
        assert reply.status == 200
        assert len(reply.json["items"]) <= 3
        seen += [item["id"] for item in reply.json["items"]]
        cursor = reply.json["next_cursor"]
        pages += 1
        if cursor is None:
            break
    assert seen == created
    assert pages in (3, 4)


@pytest.mark.parametrize("query", ["limit=0", "limit=101", "limit=ten", "cursor=not-a-cursor", "cursor=e30"])
def test_bad_list_parameters_are_400(api, owner, query):
    reply = api.get(f"/v1/customers?{query}", as_=owner)
    assert reply.status == 400
    assert reply.header("content-type") == "application/problem+json"


def test_put_replaces_the_customer_when_if_match_is_current(api, owner, customer):
    reply = api.put(f"/v1/customers/{customer['id']}", {"name": "Ada King", "tags": ["countess"]},
                    as_=owner, headers={"If-Match": '"1"'})
    assert reply.status == 200
    assert reply.json["name"] == "Ada King"
    assert reply.json["email"] is None, "PUT replaces: fields left out are cleared"
    assert reply.json["version"] == 2 and reply.header("etag") == '"2"'


def test_put_without_if_match_is_428(api, owner, customer):
    reply = api.put(f"/v1/customers/{customer['id']}", {"name": "Blind overwrite"}, as_=owner)
    assert reply.status == 428
    assert api.get(f"/v1/customers/{customer['id']}", as_=owner).json["name"] == "Ada Lovelace"


@pytest.mark.parametrize("method", ["put", "patch", "delete"])
def test_stale_if_match_is_412_and_changes_nothing(api, owner, customer, method):
    path = f"/v1/customers/{customer['id']}"
    assert api.patch(path, {"company": "Analytical Engines"}, as_=owner, headers={"If-Match": '"1"'}).status == 200
    args = () if method == "delete" else ({"name": "Stale"},)
    reply = getattr(api, method)(path, *args, as_=owner, headers={"If-Match": '"1"'})
    assert reply.status == 412
    assert reply.json["current_version"] == 2
    current = api.get(path, as_=owner)
    assert current.status == 200 and current.json["name"] == "Ada Lovelace" and current.json["version"] == 2


@pytest.mark.parametrize("if_match", ['W/"1"', '"one"'])
def test_if_match_that_is_not_our_etag_fails_the_precondition(api, owner, customer, if_match):
    reply = api.patch(f"/v1/customers/{customer['id']}", {"name": "X"}, as_=owner, headers={"If-Match": if_match})
    assert reply.status == 412


def test_two_writers_with_the_same_version_cannot_both_win(api, owner, customer):
    path = f"/v1/customers/{customer['id']}"
    first = api.patch(path, {"phone": "+1 555 0001"}, as_=owner, headers={"If-Match": '"1"'})
    second = api.patch(path, {"company": "Babbage & Co"}, as_=owner, headers={"If-Match": '"1"'})
    assert sorted([first.status, second.status]) == [200, 412]
    final = api.get(path, as_=owner).json
    assert final["phone"] == "+1 555 0001" and final["company"] is None


def test_patch_is_a_merge_patch(api, owner, customer):
    path = f"/v1/customers/{customer['id']}"
    reply = api.patch(path, {"email": None, "custom_fields": {"score": 9}}, as_=owner,
                      headers={"Content-Type": "application/merge-patch+json"})
    assert reply.status == 200
    assert reply.json["email"] is None
    assert reply.json["name"] == "Ada Lovelace" and reply.json["tags"] == ["vip"]
    assert reply.json["custom_fields"] == {"score": 9}


def test_patch_with_no_fields_is_422(api, owner, customer):
    assert api.patch(f"/v1/customers/{customer['id']}", {}, as_=owner).status == 422


def test_patch_cannot_clear_the_name(api, owner, customer):
    reply = api.patch(f"/v1/customers/{customer['id']}", {"name": None}, as_=owner)
    assert reply.status == 422
    assert reply.json["errors"][0]["field"] == "name"


def test_delete_hides_the_customer_everywhere(api, owner, customer):
    path = f"/v1/customers/{customer['id']}"
    assert api.delete(path, as_=owner, headers={"If-Match": '"1"'}).status == 204
    assert api.get(path, as_=owner).status == 404
    assert api.patch(path, {"name": "Zombie"}, as_=owner).status in (404, 412)
    assert api.get(f"{path}/notes", as_=owner).status == 404
    assert api.post(f"{path}/notes", {"body": "hello?"}, as_=owner).status == 404
    assert customer["id"] not in [item["id"] for item in api.get("/v1/customers", as_=owner).json["items"]]
    assert api.delete(path, as_=owner).status in (404, 412)


def test_same_idempotency_key_replays_the_first_response_and_stores_one_record(api, owner):
    headers = {"Idempotency-Key": "create-once-123"}
    first = api.post("/v1/customers", {"name": "Once"}, as_=owner, headers=headers)
    second = api.post("/v1/customers", {"name": "Once"}, as_=owner, headers=headers)
    assert first.status == second.status == 201
    assert first.json == second.json
    assert second.header("idempotent-replayed") == "true"
    assert second.header("location") == first.header("location")
    names = [item["name"] for item in api.get("/v1/customers", as_=owner).json["items"]]
    assert names.count("Once") == 1


def test_idempotency_key_reused_with_another_body_is_rejected(api, owner):
    headers = {"Idempotency-Key": "k-1"}
    assert api.post("/v1/customers", {"name": "First"}, as_=owner, headers=headers).status == 201
    reply = api.post("/v1/customers", {"name": "Second"}, as_=owner, headers=headers)
    assert reply.status == 422
    assert [item["name"] for item in api.get("/v1/customers", as_=owner).json["items"]] == ["First"]


def test_idempotency_keys_are_scoped_to_the_caller(api, login_as, owner):
    other = login_as("owner")
    headers = {"Idempotency-Key": "shared-key"}
    mine = api.post("/v1/customers", {"name": "Mine"}, as_=owner, headers=headers)
    theirs = api.post("/v1/customers", {"name": "Mine"}, as_=other, headers=headers)
    assert mine.status == theirs.status == 201
    assert mine.json["id"] != theirs.json["id"]


def test_a_rejected_request_does_not_burn_its_idempotency_key(api, owner):
    headers = {"Idempotency-Key": "retry-after-fix"}
    assert api.post("/v1/customers", {"name": 42}, as_=owner, headers=headers).status == 422
    assert api.post("/v1/customers", {"name": "Fixed"}, as_=owner, headers=headers).status == 201


@pytest.mark.parametrize("key", ["\u00e9t\u00e9", "tab\tkey", "k" * 256])
def test_an_idempotency_key_outside_the_documented_pattern_is_refused_and_creates_nothing(api, owner, key):
    reply = api.post("/v1/customers", {"name": "Keyed"}, as_=owner, headers={"Idempotency-Key": key})
    assert reply.status == 400 and reply.json["field"] == "Idempotency-Key"
    assert "Keyed" not in [item["name"] for item in api.get("/v1/customers", as_=owner).json["items"]]


def test_without_idempotency_key_each_post_creates_a_record(api, owner):
    api.post("/v1/customers", {"name": "Twice"}, as_=owner)
    api.post("/v1/customers", {"name": "Twice"}, as_=owner)
    names = [item["name"] for item in api.get("/v1/customers", as_=owner).json["items"]]
    assert names.count("Twice") == 2


def test_notes_are_added_and_listed_in_order(api, owner, customer):
    path = f"/v1/customers/{customer['id']}/notes"
    bodies = ["first call", "sent proposal", "signed"]
    for body in bodies:
        reply = api.post(path, {"body": body}, as_=owner)
        assert reply.status == 201
        assert reply.json["author"] == owner.user_id and reply.json["customer_id"] == customer["id"]
    page = api.get(f"{path}?limit=2", as_=owner).json
    rest = api.get(f"{path}?limit=2&cursor={page['next_cursor']}", as_=owner).json
    assert [note["body"] for note in page["items"] + rest["items"]] == bodies


def test_notes_of_one_customer_do_not_leak_into_another(api, owner, customer):
    other = api.post("/v1/customers", {"name": "Other"}, as_=owner).json
    api.post(f"/v1/customers/{customer['id']}/notes", {"body": "about Ada"}, as_=owner)
    assert api.get(f"/v1/customers/{other['id']}/notes", as_=owner).json["items"] == []


def test_activities_record_calls_and_tasks(api, owner, customer):
    path = f"/v1/customers/{customer['id']}/activities"
    call = api.post(path, {"type": "call", "subject": "Intro call"}, as_=owner)
    assert call.status == 201 and call.json["status"] == "open" and call.json["due_at"] is None
    add_users(owner.org_id, "user-42")
    task = api.post(path, {"type": "task", "subject": "Send quote", "due_at": "2026-12-01T09:00:00Z",
                           "assignee": "user-42"}, as_=owner)
    assert task.status == 201
    assert task.json["due_at"] == "2026-12-01T09:00:00.000Z" and task.json["assignee"] == "user-42"
    listed = api.get(path, as_=owner).json
    assert [item["type"] for item in listed["items"]] == ["call", "task"]


@pytest.mark.parametrize(
    "body, field",
    [
        ({"type": "task", "subject": "No due date"}, "due_at"),
        ({"type": "fax", "subject": "Old school"}, "type"),
        ({"type": "call"}, "subject"),
        ({"type": "meeting", "subject": "Lunch", "due_at": "tomorrow"}, "due_at"),
    ],
)
def test_invalid_activities_are_422_naming_the_field(api, owner, customer, body, field):
    reply = api.post(f"/v1/customers/{customer['id']}/activities", body, as_=owner)
    assert reply.status == 422
    assert field in [error["field"] for error in reply.json["errors"]]


def test_activity_for_a_missing_customer_is_404(api, owner):
    reply = api.post("/v1/customers/01ARZ3NDEKTSV4RRFFQ69G5FAV/activities", {"type": "call", "subject": "?"}, as_=owner)
    assert reply.status == 404
