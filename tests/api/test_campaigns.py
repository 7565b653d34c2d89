"""Campaigns: CRUD, lifecycle, members (existence in the tenant, uniqueness), conversions and
analytics kept on write, tenancy, roles, audit."""
from __future__ import annotations

import itertools

import pytest

CAMPAIGN = {"name": "Spring launch", "channel": "email", "starts_at": "2026-03-01T00:00:00Z",
            "ends_at": "2026-03-31T00:00:00Z", "budget": 1500.5}


def history(api, caller, target_type, target_id):
    reply = api.get(f"/v1/audit-logs?target_type={target_type}&target_id={target_id}", as_=caller)
    assert reply.status == 200, reply.body
    return reply.json["items"]


@pytest.fixture
def campaign(api, owner):
    reply = api.post("/v1/campaigns", CAMPAIGN, as_=owner)
    assert reply.status == 201, reply.body
    return reply.json


@pytest.fixture
def people(api, owner, customer):
    lead = api.post("/v1/leads", {"name": "Lead Person"}, as_=owner)
    contact = api.post("/v1/contacts", {"name": "Contact Person"}, as_=owner)
    assert lead.status == 201 and contact.status == 201, (lead.body, contact.body)
    return {"lead": lead.json["id"], "contact": contact.json["id"], "customer": customer["id"]}


def analytics(api, caller, campaign_id):
    reply = api.get(f"/v1/campaigns/{campaign_id}/analytics", as_=caller)
    assert reply.status == 200, reply.body
    return reply.json


def test_create_get_list(api, owner, campaign):
    assert campaign["status"] == "draft" and campaign["budget"] == 1500.5
    assert campaign["starts_at"] == "2026-03-01T00:00:00.000Z"
    reply = api.get(f"/v1/campaigns/{campaign['id']}", as_=owner)
    assert reply.status == 200 and reply.json == campaign and reply.header("etag") == '"1"'
    assert api.get("/v1/campaigns", as_=owner).json == {"items": [campaign], "next_cursor": None}


@pytest.mark.parametrize("body, field", [
    ({"channel": "email"}, "name"),
    ({"name": "x", "channel": "pigeon"}, "channel"),
    ({"name": "x", "channel": "email", "status": "active"}, "status"),
    ({"name": "x", "channel": "email", "budget": -1}, "budget"),
    ({"name": "x", "channel": "email", "starts_at": "2026-03-02T00:00:00Z", "ends_at": "2026-03-01T00:00:00Z"}, "ends_at"),
    ({"name": "x", "channel": "email", "ends_at": "soon"}, "ends_at"),
])
def test_invalid_campaigns_are_422_naming_the_field(api, owner, body, field):
    reply = api.post("/v1/campaigns", body, as_=owner)
    assert reply.status == 422
    assert field in [error["field"] for error in reply.json["errors"]]


STATUSES = ["draft", "active", "paused", "completed"]
LEGAL = {("draft", "active"), ("draft", "completed"), ("active", "paused"), ("active", "completed"),
         ("paused", "active"), ("paused", "completed")}
PATH_TO = {"draft": [], "active": ["active"], "paused": ["active", "paused"], "completed": ["completed"]}


@pytest.mark.parametrize("start, target", [pair for pair in itertools.product(STATUSES, STATUSES) if pair[0] != pair[1]])
def test_every_status_change_is_allowed_or_409(api, owner, start, target):
    campaign = api.post("/v1/campaigns", {"name": "c", "channel": "sms"}, as_=owner).json
    path = f"/v1/campaigns/{campaign['id']}"
    for step in PATH_TO[start]:
        assert api.patch(path, {"status": step}, as_=owner).status == 200
    before = api.get(path, as_=owner).json
    reply = api.patch(path, {"status": target}, as_=owner)
    if (start, target) in LEGAL:
        assert reply.status == 200 and reply.json["status"] == target
    else:
        assert reply.status == 409 and reply.json["field"] == "status"
        assert api.get(path, as_=owner).json == before


def test_status_filter_equals_a_brute_force_filter(api, owner, login_as):
    created = []
    for number, status in enumerate(["draft", "active", "paused", "active", "draft", "completed", "active"]):
        item = api.post("/v1/campaigns", {"name": f"C{number}", "channel": "web"}, as_=owner).json
        for step in PATH_TO[status]:
            item = api.patch(f"/v1/campaigns/{item['id']}", {"status": step}, as_=owner).json
        created.append(item)
    api.delete(f"/v1/campaigns/{created[3]['id']}", as_=owner)
    live = [item for index, item in enumerate(created) if index != 3]
    api.post("/v1/campaigns", {"name": "theirs", "channel": "web"}, as_=login_as("owner"))
    for status in [None, *STATUSES]:
        expected = [item["id"] for item in live if status is None or item["status"] == status]
        seen, cursor = [], None
        while True:
            query = "limit=2" + (f"&status={status}" if status else "") + (f"&cursor={cursor}" if cursor else "")
            page = api.get(f"/v1/campaigns?{query}", as_=owner).json
            seen += [item["id"] for item in page["items"]]
            cursor = page["next_cursor"]
            if not cursor:
                break
        assert seen == expected, status
    assert api.get("/v1/campaigns?status=done", as_=owner).status == 400
    assert api.get("/v1/campaigns?owner=x", as_=owner).status == 400


def test_members_of_every_type_conversions_and_analytics(api, owner, campaign, people):
    path = f"/v1/campaigns/{campaign['id']}/members"
    for member_type, member_id in people.items():
        reply = api.post(path, {"member_type": member_type, "member_id": member_id}, as_=owner)
        assert reply.status == 201, reply.body
        assert reply.json["member_type"] == member_type and reply.json["converted"] is False
    listed = api.get(path, as_=owner).json
    assert sorted(item["member_id"] for item in listed["items"]) == sorted(people.values())
    assert analytics(api, owner, campaign["id"]) == {"campaign_id": campaign["id"], "members": 3, "conversions": 0,
                                                      "conversion_rate": 0.0}
    converted = api.post(f"{path}/{people['lead']}/convert", as_=owner)
    assert converted.status == 200 and converted.json["converted"] is True
    assert api.post(f"{path}/{people['lead']}/convert", as_=owner).status == 409
    assert analytics(api, owner, campaign["id"])["conversion_rate"] == round(1 / 3, 4)
    assert api.delete(f"{path}/{people['lead']}", as_=owner).status == 204
    assert api.delete(f"{path}/{people['lead']}", as_=owner).status == 404
    assert analytics(api, owner, campaign["id"]) == {"campaign_id": campaign["id"], "members": 2, "conversions": 0,
                                                      "conversion_rate": 0.0}
    assert api.post(f"{path}/{people['lead']}/convert", as_=owner).status == 404
    membership = converted.json["id"]
    actions = [entry["action"] for entry in history(api, owner, "campaign_member", membership)]
    assert actions == ["deleted", "converted", "created"]
    assert api.get(f"/v1/campaigns/{campaign['id']}", as_=owner).json == campaign, "tallies do not move the ETag"


def test_adding_a_member_twice_is_409(api, owner, campaign, people):
    path = f"/v1/campaigns/{campaign['id']}/members"
    body = {"member_type": "customer", "member_id": people["customer"]}
    assert api.post(path, body, as_=owner).status == 201
    reply = api.post(path, body, as_=owner)
    assert reply.status == 409 and reply.json["field"] == "member_id"
    assert analytics(api, owner, campaign["id"])["members"] == 1


@pytest.mark.parametrize("member_type", ["lead", "contact", "customer"])
def test_a_member_must_exist_in_the_tenant_as_that_type(api, login_as, owner, campaign, people, member_type):
    path = f"/v1/campaigns/{campaign['id']}/members"
    wrong_type = next(other for other in people if other != member_type)
    assert api.post(path, {"member_type": member_type, "member_id": people[wrong_type]}, as_=owner).status == 422
    stranger = login_as("owner")
    foreign = api.post(f"/v1/{member_type}s", {"name": "Theirs"}, as_=stranger).json["id"]
    reply = api.post(path, {"member_type": member_type, "member_id": foreign}, as_=owner)
    assert reply.status == 422 and reply.json["errors"] == [{"field": "member_id", "message": f"no {member_type} with this id"}]
    assert api.get(path, as_=owner).json["items"] == []
    assert analytics(api, owner, campaign["id"])["members"] == 0


def test_a_deleted_customer_cannot_join(api, owner, campaign, customer):
    api.delete(f"/v1/customers/{customer['id']}", as_=owner)
    reply = api.post(f"/v1/campaigns/{campaign['id']}/members", {"member_type": "customer", "member_id": customer["id"]}, as_=owner)
    assert reply.status == 422


def test_a_completed_campaign_takes_no_members(api, owner, campaign, people):
    api.patch(f"/v1/campaigns/{campaign['id']}", {"status": "completed"}, as_=owner)
    reply = api.post(f"/v1/campaigns/{campaign['id']}/members", {"member_type": "lead", "member_id": people["lead"]}, as_=owner)
    assert reply.status == 409


@pytest.mark.parametrize("body, field", [({"member_type": "vendor", "member_id": "x"}, "member_type"),
                                         ({"member_type": "lead"}, "member_id"),
                                         ({"member_type": "lead", "member_id": "a#b"}, "member_id")])
def test_invalid_members_are_422(api, owner, campaign, body, field):
    reply = api.post(f"/v1/campaigns/{campaign['id']}/members", body, as_=owner)
    assert reply.status == 422 and field in [error["field"] for error in reply.json["errors"]]


def test_update_delete_restore_and_audit(api, owner, campaign):
    path = f"/v1/campaigns/{campaign['id']}"
    assert api.put(path, {"name": "New", "channel": "sms"}, as_=owner).status == 428
    replaced = api.put(path, {"name": "New", "channel": "sms"}, as_=owner, headers={"If-Match": '"1"'})
    assert replaced.status == 200 and replaced.json["budget"] is None and replaced.json["status"] == "draft"
    assert api.patch(path, {"name": "Stale"}, as_=owner, headers={"If-Match": '"1"'}).status == 412
    assert api.delete(path, as_=owner).status == 204
    assert api.get(path, as_=owner).status == 404
    assert api.get(f"{path}/members", as_=owner).status == 404
    assert api.get(f"{path}/analytics", as_=owner).status == 404
    assert api.post(f"{path}/restore", as_=owner).status == 200
    actions = [entry["action"] for entry in history(api, owner, "campaign", campaign["id"])]
    assert actions == ["restored", "deleted", "updated", "created"]


def test_batch(api, owner):
    reply = api.post("/v1/campaigns/batch", {"items": [{"name": "a", "channel": "ads"}, {"name": "b"}]}, as_=owner)
    assert [result["status"] for result in reply.json["results"]] == [201, 422]
    assert [item["name"] for item in api.get("/v1/campaigns", as_=owner).json["items"]] == ["a"]


ROUTES = [
    ("GET", "/v1/campaigns/{id}", None),
    ("PUT", "/v1/campaigns/{id}", {"name": "Hijacked", "channel": "email"}),
    ("PATCH", "/v1/campaigns/{id}", {"name": "Hijacked"}),
    ("DELETE", "/v1/campaigns/{id}", None),
    ("POST", "/v1/campaigns/{id}/restore", None),
    ("GET", "/v1/campaigns/{id}/members", None),
    ("GET", "/v1/campaigns/{id}/members/{customer}", None),
    ("POST", "/v1/campaigns/{id}/members", {"member_type": "customer", "member_id": "{customer}"}),
    ("DELETE", "/v1/campaigns/{id}/members/{customer}", None),
    ("POST", "/v1/campaigns/{id}/members/{customer}/convert", None),
    ("GET", "/v1/campaigns/{id}/analytics", None),
]


@pytest.mark.parametrize("method, template, body", ROUTES)
def test_another_organizations_campaign_is_404(api, login_as, owner, campaign, customer, method, template, body):
    members = f"/v1/campaigns/{campaign['id']}/members"
    assert api.post(members, {"member_type": "customer", "member_id": customer["id"]}, as_=owner).status == 201
    intruder = login_as("owner")
    if body and "member_id" in body:
        body = {**body, "member_id": customer["id"]}
    path = template.format(id=campaign["id"], customer=customer["id"])
    reply = api.call(method, path, body, as_=intruder, headers={"If-Match": '"1"'})
    assert reply.status == 404, (method, path)
    assert api.get(f"/v1/campaigns/{campaign['id']}", as_=owner).json == campaign
    assert analytics(api, owner, campaign["id"])["members"] == 1
    assert api.get(members, as_=owner).json["items"][0]["converted"] is False


@pytest.mark.parametrize("method, template, body", [("POST", "/v1/campaigns", CAMPAIGN),
                                                    ("POST", "/v1/campaigns/batch", {"items": [CAMPAIGN]})]
                         + [route for route in ROUTES if route[0] != "GET"])
def test_viewers_cannot_write(api, login_as, owner, campaign, customer, method, template, body):
    api.post(f"/v1/campaigns/{campaign['id']}/members", {"member_type": "customer", "member_id": customer["id"]}, as_=owner)
    viewer = login_as("viewer", org_of=owner)
    if body and "member_id" in body:
        body = {**body, "member_id": customer["id"]}
    for read in ("", "/members", "/analytics"):
        assert api.get(f"/v1/campaigns/{campaign['id']}{read}", as_=viewer).status == 200
    reply = api.call(method, template.format(id=campaign["id"], customer=customer["id"]), body, as_=viewer,
                     headers={"If-Match": '"1"'})
    assert reply.status == 403
    assert api.get(f"/v1/campaigns/{campaign['id']}", as_=owner).json == campaign
    assert analytics(api, owner, campaign["id"])["members"] == 1


def test_a_new_member_is_located_and_read_one_by_one(api, login_as, owner, campaign, customer):
    reply = api.post(f"/v1/campaigns/{campaign['id']}/members", {"member_type": "customer", "member_id": customer["id"]},
                     as_=owner)
    assert reply.status == 201
    assert reply.header("Location") == f"/v1/campaigns/{campaign['id']}/members/{customer['id']}"
    assert reply.header("ETag") == '"1"'
    read = api.get(reply.header("Location"), as_=owner)
    assert read.status == 200 and read.json == reply.json and read.header("ETag") == '"1"'
    api.delete(reply.header("Location"), as_=owner)
    assert api.get(reply.header("Location"), as_=owner).status == 404
    other = api.post("/v1/campaigns", CAMPAIGN, as_=owner).json
    assert api.get(f"/v1/campaigns/{other['id']}/members/{customer['id']}", as_=owner).status == 404


def test_a_role_without_campaigns_read_cannot_read_a_member(api, login_as, owner, campaign, customer):
    path = f"/v1/campaigns/{campaign['id']}/members"
    assert api.post(path, {"member_type": "customer", "member_id": customer["id"]}, as_=owner).status == 201
    role = api.post("/v1/roles", {"name": "Support", "permissions": ["tickets:read"]}, as_=owner).json
    member = login_as("member", org_of=owner)
    assert api.put(f"/v1/users/{member.user_id}/role", {"role": role["id"]}, as_=owner).status == 200
    headers = {"Authorization": f"Bearer {api.login(member.email).json['access_token']}"}
    assert api.get(f"{path}/{customer['id']}", headers=headers).status == 403
