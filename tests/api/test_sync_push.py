"""POST /v1/sync: per-change results (applied, conflict, rejected), field-level merge against the
record's audit trail, idempotency on change_id, client-generated ids, tenancy and roles."""
from __future__ import annotations

import itertools
from typing import Any

import pytest

from chalicelib.core.ids import new_id

_change_ids = itertools.count(1)


def change(op: str, record_id: str, base_version: int | None = None, fields: dict[str, Any] | None = None,
           kind: str = "customers", change_id: str | None = None) -> dict[str, Any]:  # fmt: skip
    body: dict[str, Any] = {"change_id": change_id or f"c{next(_change_ids)}", "kind": kind, "id": record_id, "op": op}
    if base_version is not None:
        body["base_version"] = base_version
    if fields is not None:
        body["fields"] = fields
    return body


def push(api, caller, *changes: dict[str, Any], client_id: str = "phone-1", status: int = 200) -> list[dict[str, Any]]:
    reply = api.post("/v1/sync", {"client_id": client_id, "changes": list(changes)}, as_=caller)
    assert reply.status == status, reply.body
    return reply.json["results"] if status == 200 else reply.json


def history(api, caller, record_id: str) -> list[dict[str, Any]]:
    return api.get(f"/v1/audit-logs?target_type=customer&target_id={record_id}", as_=caller).json["items"]


def test_a_create_with_the_clients_id_is_applied_once_and_then_conflicts(api, owner):
    record_id = new_id()
    [created] = push(api, owner, change("create", record_id, fields={"name": "Ada", "phone": "+44 1"}))
    assert created["status"] == "applied" and created["version"] == 1
    assert created["record"]["id"] == record_id and created["record"]["name"] == "Ada"
    read = api.get(f"/v1/customers/{record_id}", as_=owner)
    assert read.status == 200 and read.json["phone"] == "+44 1"
    assert [entry["action"] for entry in history(api, owner, record_id)] == ["created"]

    [again] = push(api, owner, change("create", record_id, fields={"name": "Someone else"}))
    assert again["status"] == "conflict" and again["reason"] == "exists"
    assert again["record"]["name"] == "Ada"
    assert api.get(f"/v1/customers/{record_id}", as_=owner).json["name"] == "Ada"


# Fixed ids: a parameter's id must be the same in every pytest-xdist worker that collects it.
A_ULID = "01M8N5JP04Z2XB2PXHJKSWYSPQ"


@pytest.mark.parametrize("bad_id", ["not-a-ulid", A_ULID.lower(), "8" + A_ULID[1:], A_ULID[:25]])
def test_a_create_needs_a_ulid(api, owner, bad_id):
    [result] = push(api, owner, change("create", bad_id, fields={"name": "Ada"}))
    assert result["status"] == "rejected"
    assert result["problem"]["status"] == 422 and result["problem"]["errors"][0]["field"] == "id"


def test_an_update_on_the_current_version_is_applied(api, owner, customer):
    [result] = push(api, owner, change("update", customer["id"], 1, {"phone": "+1 555"}))
    assert result["status"] == "applied" and result["version"] == 2 and result["record"]["phone"] == "+1 555"
    assert history(api, owner, customer["id"])[0]["changes"] == {"phone": {"from": None, "to": "+1 555"}}


def test_disjoint_changes_merge(api, owner, customer):
    web = api.patch(f"/v1/customers/{customer['id']}", {"phone": "+1 000"}, as_=owner, headers={"If-Match": '"1"'})
    assert web.status == 200

    [result] = push(api, owner, change("update", customer["id"], 1, {"name": "Ada King"}))
    assert result["status"] == "applied" and result["version"] == 3
    assert result["merged"] == {"applied": ["name"], "kept": ["phone"]}
    assert result["record"]["name"] == "Ada King" and result["record"]["phone"] == "+1 000"


def test_the_same_field_changed_on_both_sides_is_a_conflict_and_the_others_apply(api, owner, customer):
    api.patch(f"/v1/customers/{customer['id']}", {"name": "Ada (web)"}, as_=owner, headers={"If-Match": '"1"'})

    [result] = push(api, owner, change("update", customer["id"], 1, {"name": "Ada (phone)", "phone": "+1 111"}))
    assert result["status"] == "conflict" and result["reason"] == "both_changed"
    assert result["conflicts"] == [{"field": "name", "client": "Ada (phone)", "server": "Ada (web)"}]
    assert result["merged"] == {"applied": ["phone"], "kept": []}
    assert result["record"]["name"] == "Ada (web)" and result["record"]["phone"] == "+1 111"
    assert result["version"] == 3
    stored = api.get(f"/v1/customers/{customer['id']}", as_=owner).json
    assert (stored["name"], stored["phone"]) == ("Ada (web)", "+1 111")


def test_the_same_change_on_both_sides_is_no_conflict(api, owner, customer):
    api.patch(f"/v1/customers/{customer['id']}", {"name": "Ada King"}, as_=owner, headers={"If-Match": '"1"'})
    [result] = push(api, owner, change("update", customer["id"], 1, {"name": "Ada King"}))
    assert result["status"] == "applied" and result["version"] == 2
    assert result["merged"] == {"applied": [], "kept": ["name"]}


def test_a_base_version_the_record_never_had_is_rejected(api, owner, customer):
    [result] = push(api, owner, change("update", customer["id"], 7, {"name": "Ada"}))
    assert result["status"] == "rejected" and result["problem"]["status"] == 412


def test_deletes(api, owner, customer, login_as):
    other = api.post("/v1/customers", {"name": "Other"}, as_=owner).json
    api.patch(f"/v1/customers/{other['id']}", {"phone": "+1 222"}, as_=owner, headers={"If-Match": '"1"'})

    stale, current = push(
        api, owner, change("delete", other["id"], 1), change("delete", customer["id"], 1)
    )
    # A delete based on an older version would discard the server's changes: not applied.
    assert stale["status"] == "conflict" and stale["reason"] == "changed_since_base"
    assert stale["conflicts"] == [{"field": "phone", "client": None, "server": "+1 222"}]
    assert api.get(f"/v1/customers/{other['id']}", as_=owner).status == 200
    assert current == {"change_id": current["change_id"], "status": "applied", "version": 2, "record": None}
    assert api.get(f"/v1/customers/{customer['id']}", as_=owner).status == 404

    # Deleted on the server: a delete is done already; an update is a conflict without a record.
    deleted_again, updated = push(
        api, owner, change("delete", customer["id"], 1), change("update", customer["id"], 1, {"name": "Back"})
    )
    assert deleted_again["status"] == "applied" and deleted_again["version"] == 2
    assert updated["status"] == "conflict" and updated["reason"] == "deleted" and updated["record"] is None
    assert api.get(f"/v1/customers/{customer['id']}", as_=owner).status == 404


def test_a_replayed_push_returns_the_same_results_and_applies_nothing_twice(api, owner, customer):
    api.patch(f"/v1/customers/{customer['id']}", {"name": "Web"}, as_=owner, headers={"If-Match": '"1"'})
    changes = [
        change("create", new_id(), fields={"name": "New"}),
        change("update", customer["id"], 1, {"name": "Phone", "phone": "+1 333"}),
        change("update", customer["id"], 1, {"company": "Acme"}),
    ]
    first = push(api, owner, *changes)
    entries = history(api, owner, customer["id"])
    assert [result["status"] for result in first] == ["applied", "conflict", "applied"]

    assert push(api, owner, *changes) == first
    assert push(api, owner, changes[1]) == [first[1]]
    assert history(api, owner, customer["id"]) == entries
    assert api.get(f"/v1/customers/{customer['id']}", as_=owner).json["version"] == 4

    # Another device may use the same change ids: idempotency is per client_id.
    [other_device] = push(api, owner, {**changes[2], "fields": {"email": "ada.b@example.com"}}, client_id="tablet")
    assert other_device["status"] == "applied" and other_device["version"] == 5

    [reused] = push(api, owner, {**changes[2], "fields": {"company": "Changed"}})
    assert reused["status"] == "rejected" and reused["problem"]["errors"][0]["field"] == "change_id"


def test_a_rejected_change_is_rejected_alone_and_may_be_sent_again_corrected(api, owner, customer):
    bad, good = push(
        api, owner,
        change("update", customer["id"], 1, {"name": ""}, change_id="fix-me"),
        change("update", customer["id"], 1, {"phone": "+1 444"}),
    )  # fmt: skip
    assert bad["status"] == "rejected" and bad["problem"]["status"] == 422
    assert bad["problem"]["errors"][0]["field"] == "name"
    assert good["status"] == "applied"

    [fixed] = push(api, owner, change("update", customer["id"], 1, {"name": "Ada B"}, change_id="fix-me"))
    assert fixed["status"] == "applied" and fixed["merged"] == {"applied": ["name"], "kept": ["phone"]}


def test_a_role_without_the_write_permission_is_rejected_per_change_and_writes_nothing(api, owner, customer, login_as):
    viewer = login_as("viewer", org_of=owner)
    results = push(
        api, viewer,
        change("update", customer["id"], 1, {"name": "Viewer"}),
        change("create", new_id(), fields={"name": "Viewer's"}),
        change("delete", customer["id"], 1),
    )  # fmt: skip
    assert [(result["status"], result["problem"]["status"]) for result in results] == [("rejected", 403)] * 3
    assert api.get(f"/v1/customers/{customer['id']}", as_=owner).json["version"] == 1
    assert api.get("/v1/customers", as_=owner).json["items"] == [api.get(f"/v1/customers/{customer['id']}", as_=owner).json]


def test_another_organizations_records_are_not_found(api, owner, customer, login_as):
    stranger = login_as("owner")
    results = push(
        api, stranger,
        change("update", customer["id"], 1, {"name": "Mine"}),
        change("delete", customer["id"], 1),
    )  # fmt: skip
    assert [(result["status"], result["problem"]["status"]) for result in results] == [("rejected", 404)] * 2
    # The id is free in the stranger's organization: ids belong to an organization.
    [created] = push(api, stranger, change("create", customer["id"], fields={"name": "Theirs"}))
    assert created["status"] == "applied"
    assert api.get(f"/v1/customers/{customer['id']}", as_=owner).json["name"] == "Ada Lovelace"


def test_unknown_kinds_and_ids_of_another_shape(api, owner):
    unknown, odd_id = push(
        api, owner, change("update", new_id(), 1, {"name": "X"}, kind="spaceships"),
        change("update", "../../etc", 1, {"name": "X"}),
    )  # fmt: skip
    assert unknown["status"] == "rejected" and unknown["problem"]["errors"][0]["field"] == "kind"
    assert odd_id["status"] == "rejected" and odd_id["problem"]["status"] == 404


@pytest.mark.parametrize(
    "body",
    [
        {"changes": [change("delete", new_id(), 1)]},
        {"client_id": "p", "changes": []},
        {"client_id": "p", "changes": [change("delete", new_id(), 1) for _ in range(101)]},
        {"client_id": "p", "changes": [change("delete", new_id(), 1, change_id="same")] * 2},
        {"client_id": "p", "changes": [{**change("delete", new_id(), 1), "op": "upsert"}]},
        {"client_id": "p", "changes": [{**change("delete", new_id(), 1), "extra": 1}]},
        {"client_id": "p", "changes": [change("update", new_id(), 0, {})]},
    ],
)
def test_a_malformed_push_is_refused_whole(api, owner, customer, body):
    reply = api.post("/v1/sync", body, as_=owner)
    assert reply.status == 422 and reply.header("Content-Type") == "application/problem+json"


def test_a_push_needs_a_valid_token(api, owner, customer):
    body = {"client_id": "p", "changes": [change("update", customer["id"], 1, {"name": "X"})]}
    assert api.post("/v1/sync", body).status == 401
    forged = api.post("/v1/sync", body, headers={"Authorization": f"Bearer {owner.access_token[:-4]}AAAA"})
    assert forged.status == 401
    assert api.get(f"/v1/customers/{customer['id']}", as_=owner).json["name"] == "Ada Lovelace"


def test_each_kind_is_pushed_with_the_permission_its_rest_writes_need():
    from app import app
    from chalicelib.platform.kinds import record_kinds

    for name, kind in record_kinds().items():
        item_route = next(
            path for path in app.routes if path.startswith(f"/v1/{name}/{{") and path.count("/") == name.count("/") + 3
        )
        declared = {
            app.routes[f"/v1/{name}"]["POST"].view_function.permission,
            app.routes[item_route]["PATCH"].view_function.permission,
            app.routes[item_route]["DELETE"].view_function.permission,
        }
        assert declared == {kind.write}, name
