"""/v1/activities: calls, emails, meetings and tasks as records of their own: read, change (done,
re-assigned, re-dated), delete, restore, ETag and If-Match, Location on 201, task.assigned, list
filters (type, status, assignee incl. `me`, due range, customer) against a brute-force filter,
tenant isolation and roles."""
from __future__ import annotations

import itertools

import pytest



def history(api, caller, target_type, target_id):
    reply = api.get(f"/v1/audit-logs?target_type={target_type}&target_id={target_id}", as_=caller)
    assert reply.status == 200, reply.body
    return reply.json["items"]


def all_pages(api, caller, path):
    items, cursor = [], None
    while True:
        separator = "&" if "?" in path else "?"
        suffix = f"{separator}limit=3" + (f"&cursor={cursor}" if cursor else "")
        reply = api.get(path + suffix, as_=caller)
        assert reply.status == 200, reply.body
        items += reply.json["items"]
        cursor = reply.json["next_cursor"]
        if cursor is None:
            return items


@pytest.fixture
def task(api, owner, customer):
    reply = api.post("/v1/activities", {"customer_id": customer["id"], "type": "task", "subject": "Send the quote",
                                        "due_at": "2030-01-02T09:00:00Z"}, as_=owner)
    assert reply.status == 201, reply.body
    return reply.json


def test_an_activity_is_created_located_and_read_with_its_etag(api, owner, customer, task):
    assert task["assignee"] == owner.user_id and task["status"] == "open" and task["customer_id"] == customer["id"]
    read = api.get(f"/v1/activities/{task['id']}", as_=owner)
    assert read.status == 200 and read.json == task and read.header("ETag") == '"1"'
    reply = api.post(f"/v1/customers/{customer['id']}/activities", {"type": "call", "subject": "Intro"}, as_=owner)
    assert reply.status == 201 and reply.header("Location") == f"/v1/activities/{reply.json['id']}"
    assert reply.header("ETag") == '"1"'
    assert api.get(reply.header("Location"), as_=owner).json == reply.json


def test_location_of_a_new_activity(api, owner, customer):
    reply = api.post("/v1/activities", {"customer_id": customer["id"], "type": "meeting", "subject": "Demo"}, as_=owner)
    assert reply.status == 201 and reply.header("Location") == f"/v1/activities/{reply.json['id']}"


@pytest.mark.parametrize(
    "body, field",
    [
        ({"type": "call", "subject": "x"}, "customer_id"),
        ({"customer_id": "01ARZ3NDEKTSV4RRFFQ69G5FAV", "type": "call", "subject": "x"}, "customer_id"),
        ({"customer_id": "{customer}", "type": "task", "subject": "x"}, "due_at"),
        ({"customer_id": "{customer}", "type": "fax", "subject": "x"}, "type"),
        ({"customer_id": "{customer}", "type": "call", "subject": "x", "status": "later"}, "status"),
    ],
)
def test_invalid_creations_are_422_naming_the_field_and_write_nothing(api, owner, customer, body, field):
    body = {name: customer["id"] if value == "{customer}" else value for name, value in body.items()}
    reply = api.post("/v1/activities", body, as_=owner)
    assert reply.status == 422 and field in [error["field"] for error in reply.json["errors"]]
    assert api.get("/v1/activities", as_=owner).json["items"] == []


def test_a_task_is_marked_done_and_reopened(api, owner, task):
    path = f"/v1/activities/{task['id']}"
    done = api.patch(path, {"status": "done"}, as_=owner, headers={"If-Match": '"1"'})
    assert done.status == 200 and done.json["status"] == "done" and done.json["completed_at"] is not None
    assert done.header("ETag") == '"2"'
    reopened = api.patch(path, {"status": "open"}, as_=owner, headers={"Content-Type": "application/merge-patch+json"})
    assert reopened.json["status"] == "open" and reopened.json["completed_at"] is None
    actions = [(entry["action"], entry["changes"].get("status")) for entry in history(api, owner, "activity", task["id"])]
    assert actions[:2] == [("updated", {"from": "done", "to": "open"}), ("updated", {"from": "open", "to": "done"})]


def test_stale_if_match_is_412_and_changes_nothing(api, owner, task):
    path = f"/v1/activities/{task['id']}"
    assert api.patch(path, {"subject": "Other"}, as_=owner, headers={"If-Match": '"1"'}).status == 200
    stale = api.patch(path, {"status": "done"}, as_=owner, headers={"If-Match": '"1"'})
    assert stale.status == 412 and stale.header("content-type") == "application/problem+json"
    assert api.get(path, as_=owner).json["status"] == "open"
    assert api.delete(path, as_=owner, headers={"If-Match": '"1"'}).status == 412
    assert api.get(path, as_=owner).status == 200


def test_a_task_is_re_dated_and_a_task_keeps_a_due_time(api, owner, task):
    path = f"/v1/activities/{task['id']}"
    moved = api.patch(path, {"due_at": "2030-02-01T10:30:00+01:00"}, as_=owner)
    assert moved.status == 200 and moved.json["due_at"] == "2030-02-01T09:30:00.000Z"
    cleared = api.patch(path, {"due_at": None}, as_=owner)
    assert cleared.status == 422 and cleared.json["errors"][0]["field"] == "due_at"
    assert api.get(path, as_=owner).json["due_at"] == "2030-02-01T09:30:00.000Z"


def test_re_assignment_publishes_task_assigned(api, login_as, owner, task, delivered_events):
    member = login_as("member", org_of=owner)
    path = f"/v1/activities/{task['id']}"
    reply = api.patch(path, {"assignee": member.user_id}, as_=owner)
    assert reply.status == 200 and reply.json["assignee"] == member.user_id
    assigned = [event for event in delivered_events() if event.type == "task.assigned"]
    # The task's creation assigned it to its author; the PATCH to the member, who is told.
    assert [(event.subject_id, event.data["assignee"]) for event in assigned][1:] == [(task["id"], member.user_id)]
    assert assigned[-1].data["recipients"] == [member.user_id]
    api.patch(path, {"subject": "Send the revised quote"}, as_=owner)
    assert [event.type for event in delivered_events()].count("task.assigned") == 2


def test_delete_and_restore(api, owner, customer, task):
    path = f"/v1/activities/{task['id']}"
    assert api.delete(path, as_=owner).status == 204
    assert api.get(path, as_=owner).status == 404
    assert api.patch(path, {"status": "done"}, as_=owner).status == 404
    assert api.get("/v1/activities?assignee=me&status=open", as_=owner).json["items"] == []
    assert api.get(f"/v1/customers/{customer['id']}/activities", as_=owner).json["items"] == []
    restored = api.post(f"{path}/restore", as_=owner)
    assert restored.status == 200 and restored.json["subject"] == task["subject"] and restored.header("ETag") == '"3"'
    assert api.post(f"{path}/restore", as_=owner).status == 409
    assert [item["id"] for item in api.get("/v1/activities?assignee=me&status=open", as_=owner).json["items"]] == [task["id"]]
    assert [entry["action"] for entry in history(api, owner, "activity", task["id"])] == ["restored", "deleted", "created"]


def test_list_filters_equal_a_brute_force_filter(api, login_as, owner, customer):
    member = login_as("member", org_of=owner)
    other = api.post("/v1/customers", {"name": "Other"}, as_=owner).json
    dues = [None, "2030-01-05T09:00:00.000Z", "2030-01-01T00:00:00.000Z", "2030-01-03T12:00:00.000Z",
            "2030-01-10T08:00:00.000Z", "2030-01-08T00:00:00.000Z"]
    made = []
    for number, (kind, status) in enumerate(itertools.product(("call", "meeting", "task", "email"), ("open", "done"))):
        for repeat in range(2):
            due = dues[(number * 2 + repeat) % len(dues)] or ("2030-01-04T00:00:00.000Z" if kind == "task" else None)
            body = {"customer_id": (customer if repeat else other)["id"], "type": kind, "subject": f"{kind} {number}",
                    "status": status, "due_at": due}
            if (number + repeat) % 3:
                body["assignee"] = member.user_id if repeat else owner.user_id
            reply = api.post("/v1/activities", body, as_=owner)
            assert reply.status == 201, reply.body
            made.append(reply.json)
    api.delete(f"/v1/activities/{made[3]['id']}", as_=owner)
    live = [item for item in made if item["id"] != made[3]["id"]]

    def by_due(items):
        return sorted(items, key=lambda item: (item["due_at"] or "~", item["id"]))

    def by_status_then_due(items):
        return sorted(items, key=lambda item: (item["status"], item["due_at"] or "~", item["id"]))

    def in_range(item, after, before):
        return item["due_at"] is not None and (after is None or item["due_at"] >= after) and (
            before is None or item["due_at"] <= before)

    after, before = "2030-01-03T12:00:00.000Z", "2030-01-08T00:00:00.000Z"
    created_order = lambda items: items  # noqa: E731
    cases = [
        ({}, lambda item: True, created_order),
        ({"customer_id": customer["id"]}, lambda item: item["customer_id"] == customer["id"], created_order),
        ({"customer_id": other["id"], "type": "task", "status": "open"},
         lambda item: item["customer_id"] == other["id"] and item["type"] == "task" and item["status"] == "open",
         created_order),
        ({"assignee": "me", "status": "open"}, lambda item: item["assignee"] == owner.user_id and item["status"] == "open",
         by_due),
        ({"assignee": member.user_id}, lambda item: item["assignee"] == member.user_id, by_status_then_due),
        ({"assignee": member.user_id, "due_after": after},
         lambda item: item["assignee"] == member.user_id and in_range(item, after, None), by_status_then_due),
        ({"assignee": member.user_id, "status": "done", "due_after": after, "due_before": before},
         lambda item: item["assignee"] == member.user_id and item["status"] == "done" and in_range(item, after, before),
         by_due),
        ({"type": "meeting", "status": "open", "due_after": after, "due_before": before},
         lambda item: item["type"] == "meeting" and item["status"] == "open" and in_range(item, after, before), by_due),
        ({"type": "call"}, lambda item: item["type"] == "call", by_status_then_due),
        ({"type": "call", "assignee": owner.user_id},
         lambda item: item["type"] == "call" and item["assignee"] == owner.user_id, by_status_then_due),
        ({"status": "done"}, lambda item: item["status"] == "done", by_due),
        ({"status": "open", "due_before": before, "type": "email"},
         lambda item: item["status"] == "open" and in_range(item, None, before) and item["type"] == "email", by_due),
        ({"due_after": after, "due_before": before}, lambda item: in_range(item, after, before), by_due),
        ({"due_before": "2030-01-03T12:00:00Z"}, lambda item: in_range(item, None, "2030-01-03T12:00:00.000Z"), by_due),
        ({"customer_id": customer["id"], "due_after": after}, lambda item: item["customer_id"] == customer["id"]
         and in_range(item, after, None), created_order),
    ]
    for query, keep, order in cases:
        text = "&".join(f"{name}={value}" for name, value in query.items())
        listed = all_pages(api, owner, f"/v1/activities?{text}" if text else "/v1/activities")
        assert [item["id"] for item in listed] == [item["id"] for item in order([i for i in live if keep(i)])], query
    mine = all_pages(api, member, "/v1/activities?assignee=me&status=open")
    expected = by_due([item for item in live if item["assignee"] == member.user_id and item["status"] == "open"])
    assert [item["id"] for item in mine] == [item["id"] for item in expected]


@pytest.mark.parametrize(
    "query", ["type=fax", "status=later", "due_after=tomorrow", "due_before=2030-13-01", "owner=x", "assignee=", "cursor=x"]
)
def test_bad_list_parameters_are_400_naming_the_parameter(api, owner, query):
    reply = api.get(f"/v1/activities?{query}", as_=owner)
    assert reply.status == 400 and reply.header("content-type") == "application/problem+json"
    assert reply.json["field"] == query.split("=")[0]


ROUTES = [
    ("GET", "/v1/activities/{id}", None),
    ("PATCH", "/v1/activities/{id}", {"status": "done"}),
    ("DELETE", "/v1/activities/{id}", None),
    ("POST", "/v1/activities/{id}/restore", None),
]


@pytest.mark.parametrize("method, template, body", ROUTES)
def test_another_organizations_activity_is_404(api, login_as, owner, task, method, template, body):
    if method == "POST":
        api.delete(f"/v1/activities/{task['id']}", as_=owner)
    intruder = login_as("owner")
    reply = api.call(method, template.format(id=task["id"]), body, as_=intruder, headers={"If-Match": '"1"'})
    assert reply.status == 404 and reply.header("content-type") == "application/problem+json"
    for query in ("", f"?customer_id={task['customer_id']}", f"?assignee={owner.user_id}", "?status=open",
                  "?type=task", "?due_after=2000-01-01T00:00:00Z"):
        assert api.get(f"/v1/activities{query}", as_=intruder).json["items"] == []
    if method != "POST":
        assert api.get(f"/v1/activities/{task['id']}", as_=owner).json == task


def test_an_activity_for_another_organizations_customer_is_422(api, login_as, customer):
    intruder = login_as("owner")
    reply = api.post("/v1/activities", {"customer_id": customer["id"], "type": "call", "subject": "x"}, as_=intruder)
    assert reply.status == 422 and reply.json["errors"][0]["field"] == "customer_id"


@pytest.mark.parametrize("method, template, body", [*ROUTES, ("POST", "/v1/activities", {"type": "call", "subject": "x"})])
def test_a_viewer_reads_activities_but_cannot_write_them(api, login_as, owner, task, method, template, body):
    viewer = login_as("viewer", org_of=owner)
    if method == "GET":
        assert api.get(template.format(id=task["id"]), as_=viewer).status == 200
        assert api.get("/v1/activities?assignee=me", as_=viewer).status == 200
        return
    if template == "/v1/activities":
        body = {**body, "customer_id": task["customer_id"]}
    reply = api.call(method, template.format(id=task["id"]), body, as_=viewer, headers={"If-Match": '"1"'})
    assert reply.status == 403
    assert api.get(f"/v1/activities/{task['id']}", as_=owner).json == task


def test_a_role_without_customers_read_cannot_list_or_read(api, login_as, owner, task):
    role = api.post("/v1/roles", {"name": "Support", "permissions": ["tickets:read", "tickets:write"]}, as_=owner).json
    member = login_as("member", org_of=owner)
    assert api.put(f"/v1/users/{member.user_id}/role", {"role": role["id"]}, as_=owner).status == 200
    headers = {"Authorization": f"Bearer {api.login(member.email).json['access_token']}"}
    assert api.get("/v1/activities", headers=headers).status == 403
    assert api.get(f"/v1/activities/{task['id']}", headers=headers).status == 403
