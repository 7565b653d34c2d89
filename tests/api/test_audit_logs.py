"""Every write leaves an audit entry: who, what, which record, when, and the changed fields."""
from __future__ import annotations


def history(api, caller, target_type, target_id):
    reply = api.get(f"/v1/audit-logs?target_type={target_type}&target_id={target_id}", as_=caller)
    assert reply.status == 200, reply.body
    return reply.json["items"]


def test_customer_writes_are_audited_newest_first(api, owner, customer):
    path = f"/v1/customers/{customer['id']}"
    api.patch(path, {"company": "Engines Ltd", "tags": ["vip", "math"]}, as_=owner, headers={"If-Match": '"1"'})
    api.delete(path, as_=owner)
    api.post(f"{path}/restore", as_=owner)
    entries = history(api, owner, "customer", customer["id"])
    assert [entry["action"] for entry in entries] == ["restored", "deleted", "updated", "created"]
    assert all(entry["actor"] == owner.user_id and entry["at"] for entry in entries)
    updated = entries[2]["changes"]
    assert updated["company"] == {"from": None, "to": "Engines Ltd"}
    assert updated["tags"] == {"from": ["vip"], "to": ["vip", "math"]}
    assert entries[3]["changes"]["name"] == "Ada Lovelace"


def test_a_write_that_changes_nothing_leaves_no_entry(api, owner, customer):
    api.patch(f"/v1/customers/{customer['id']}", {"name": "Ada Lovelace"}, as_=owner)
    assert [entry["action"] for entry in history(api, owner, "customer", customer["id"])] == ["created"]


def test_a_rejected_write_leaves_no_entry(api, owner, customer):
    assert api.patch(f"/v1/customers/{customer['id']}", {"name": "X"}, as_=owner, headers={"If-Match": '"7"'}).status == 412
    assert len(history(api, owner, "customer", customer["id"])) == 1


def test_notes_and_activities_are_audited(api, owner, customer):
    note = api.post(f"/v1/customers/{customer['id']}/notes", {"body": "hello"}, as_=owner).json
    assert history(api, owner, "note", note["id"])[0]["changes"]["body"] == "hello"


def test_the_organization_trail_lists_everything_once(api, owner, customer):
    api.post("/v1/customers", {"name": "Second"}, as_=owner)
    items = api.get("/v1/audit-logs?limit=1", as_=owner).json
    rest = api.get(f"/v1/audit-logs?cursor={items['next_cursor']}", as_=owner).json
    assert len(items["items"] + rest["items"]) == 2


def test_audit_logs_are_for_owners_and_admins_and_read_only(api, login_as, owner, customer):
    assert api.get("/v1/audit-logs", as_=login_as("admin", org_of=owner)).status == 200
    for role in ("member", "viewer"):
        assert api.get("/v1/audit-logs", as_=login_as(role, org_of=owner)).status == 403
    for method in ("POST", "PUT", "PATCH", "DELETE"):
        assert api.call(method, "/v1/audit-logs", {}, as_=owner).status == 405


def test_another_organizations_trail_is_invisible(api, login_as, owner, customer):
    intruder = login_as("owner")
    assert history(api, intruder, "customer", customer["id"]) == []
    assert api.get("/v1/audit-logs", as_=intruder).json["items"] == []


def test_target_filter_needs_both_parts(api, owner):
    assert api.get("/v1/audit-logs?target_type=customer", as_=owner).status == 400


def test_target_filter_parts_are_1_to_200_characters(api, owner, customer):
    for query in ("target_type=&target_id=", "target_type=customer&target_id=", f"target_type={'c' * 201}&target_id={customer['id']}"):
        reply = api.get(f"/v1/audit-logs?{query}", as_=owner)
        assert reply.status == 400 and reply.json["field"] in ("target_type", "target_id"), query
