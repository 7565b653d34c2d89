"""POST /v1/customers/merge: notes and activities move to the target, sources are soft-deleted
with merged_into, empty target fields are filled, everything is audited, tenants stay apart."""
from __future__ import annotations

from chalicelib.crm.contact_management.services import merge


def history(api, caller, target_type, target_id):
    reply = api.get(f"/v1/audit-logs?target_type={target_type}&target_id={target_id}", as_=caller)
    assert reply.status == 200, reply.body
    return reply.json["items"]


def make(api, caller, **body):
    reply = api.post("/v1/customers", body, as_=caller)
    assert reply.status == 201, reply.body
    return reply.json


def all_items(api, caller, path):
    items, cursor = [], None
    while True:
        reply = api.get(path + (f"?cursor={cursor}" if cursor else ""), as_=caller)
        assert reply.status == 200, reply.body
        items += reply.json["items"]
        cursor = reply.json["next_cursor"]
        if cursor is None:
            return items


def test_merge_moves_notes_and_activities_and_fills_the_target(api, owner, monkeypatch):
    monkeypatch.setattr(merge, "MOVES_PER_TRANSACTION", 2)
    target = make(api, owner, name="Ada", tags=["vip"], custom_fields={"tier": "gold"})
    first = make(api, owner, name="Ada L.", email="ada@example.com", tags=["math"], custom_fields={"tier": "x", "seats": 3})
    second = make(api, owner, name="A. Lovelace", phone="+44 100", company="Engines", email="other@example.com")
    api.post(f"/v1/customers/{target['id']}/notes", {"body": "own note"}, as_=owner)
    moved_notes = [api.post(f"/v1/customers/{first['id']}/notes", {"body": f"n{i}"}, as_=owner).json for i in range(5)]
    task = api.post(f"/v1/customers/{second['id']}/activities",
                    {"type": "task", "subject": "Call back", "due_at": "2026-12-01T09:00:00Z"}, as_=owner).json

    reply = api.post("/v1/customers/merge", {"target_id": target["id"], "source_ids": [first["id"], second["id"]]}, as_=owner)
    assert reply.status == 200, reply.body
    merged = reply.json
    assert merged["id"] == target["id"] and merged["name"] == "Ada"
    assert (merged["email"], merged["phone"], merged["company"]) == ("ada@example.com", "+44 100", "Engines")
    assert merged["tags"] == ["vip", "math"] and merged["custom_fields"] == {"tier": "gold", "seats": 3}
    assert reply.header("etag") == f'"{merged["version"]}"'

    notes = all_items(api, owner, f"/v1/customers/{target['id']}/notes")
    assert [note["body"] for note in notes] == ["own note", "n0", "n1", "n2", "n3", "n4"]
    assert {note["id"] for note in notes} >= {note["id"] for note in moved_notes}
    assert all(note["customer_id"] == target["id"] for note in notes)
    activities = all_items(api, owner, f"/v1/customers/{target['id']}/activities")
    assert [(item["id"], item["assignee"], item["due_at"]) for item in activities] == [(task["id"], owner.user_id, task["due_at"])]

    for source in (first, second):
        assert api.get(f"/v1/customers/{source['id']}", as_=owner).status == 404
        assert history(api, owner, "customer", source["id"])[0]["changes"]["merged_into"] == {"from": None, "to": target["id"]}
    assert [item["id"] for item in api.get("/v1/customers", as_=owner).json["items"]] == [target["id"]]
    target_trail = history(api, owner, "customer", target["id"])
    assert [entry["action"] for entry in target_trail] == ["merged", "created"]
    assert target_trail[0]["changes"]["phone"] == {"from": None, "to": "+44 100"}
    assert [entry["action"] for entry in history(api, owner, "note", moved_notes[0]["id"])] == ["moved", "created"]
    assert history(api, owner, "activity", task["id"])[0]["changes"]["customer_id"] == {"from": second["id"], "to": target["id"]}
    assert [item["id"] for item in api.get("/v1/customers?tag=math", as_=owner).json["items"]] == [target["id"]]


def test_sending_the_merge_again_changes_nothing_more(api, owner):
    target, source = make(api, owner, name="T"), make(api, owner, name="S", phone="+1 234")
    api.post(f"/v1/customers/{source['id']}/notes", {"body": "hello"}, as_=owner)
    body = {"target_id": target["id"], "source_ids": [source["id"]]}
    first = api.post("/v1/customers/merge", body, as_=owner)
    again = api.post("/v1/customers/merge", body, as_=owner)
    assert first.status == again.status == 200 and again.json == first.json
    assert len(api.get(f"/v1/customers/{target['id']}/notes", as_=owner).json["items"]) == 1
    assert len(history(api, owner, "customer", target["id"])) == 2


def test_a_merged_source_can_be_restored(api, owner):
    target, source = make(api, owner, name="T"), make(api, owner, name="S")
    api.post("/v1/customers/merge", {"target_id": target["id"], "source_ids": [source["id"]]}, as_=owner)
    assert api.post(f"/v1/customers/{source['id']}/restore", as_=owner).status == 200
    # Restored, it is a customer of its own again: merging it elsewhere is allowed.
    other = make(api, owner, name="O")
    assert api.post("/v1/customers/merge", {"target_id": other["id"], "source_ids": [source["id"]]}, as_=owner).status == 200


def test_invalid_merges(api, owner):
    target, source = make(api, owner, name="T"), make(api, owner, name="S")
    cases = [
        ({"target_id": target["id"], "source_ids": [target["id"]]}, 422),
        ({"target_id": target["id"], "source_ids": []}, 422),
        ({"target_id": target["id"]}, 422),
        ({"target_id": target["id"], "source_ids": [source["id"], source["id"]]}, 422),
        ({"target_id": target["id"], "source_ids": ["01ARZ3NDEKTSV4RRFFQ69G5FAV"]}, 422),
        ({"target_id": "01ARZ3NDEKTSV4RRFFQ69G5FAV", "source_ids": [source["id"]]}, 422),
    ]
    for body, status in cases:
        assert api.post("/v1/customers/merge", body, as_=owner).status == status, body
    api.delete(f"/v1/customers/{source['id']}", as_=owner)
    # A deleted customer is not a source (only one merged into this very target is, on a retry).
    assert api.post("/v1/customers/merge", {"target_id": target["id"], "source_ids": [source["id"]]}, as_=owner).status == 422
    assert [entry["action"] for entry in history(api, owner, "customer", target["id"])] == ["created"]


def test_another_organizations_customers_are_unknown_references(api, login_as, owner):
    mine, theirs_owner = make(api, owner, name="Mine"), login_as("owner")
    theirs = make(api, theirs_owner, name="Theirs")
    api.post(f"/v1/customers/{theirs['id']}/notes", {"body": "private"}, as_=theirs_owner)
    assert api.post("/v1/customers/merge", {"target_id": mine["id"], "source_ids": [theirs["id"]]}, as_=owner).status == 422
    assert api.post("/v1/customers/merge", {"target_id": theirs["id"], "source_ids": [mine["id"]]}, as_=owner).status == 422
    assert api.get(f"/v1/customers/{theirs['id']}", as_=theirs_owner).json == theirs
    assert len(api.get(f"/v1/customers/{theirs['id']}/notes", as_=theirs_owner).json["items"]) == 1
    assert api.get(f"/v1/customers/{mine['id']}", as_=owner).json == mine


def test_viewers_cannot_merge(api, login_as, owner):
    target, source = make(api, owner, name="T"), make(api, owner, name="S")
    viewer = login_as("viewer", org_of=owner)
    assert api.post("/v1/customers/merge", {"target_id": target["id"], "source_ids": [source["id"]]}, as_=viewer).status == 403
    assert api.get(f"/v1/customers/{source['id']}", as_=owner).status == 200
