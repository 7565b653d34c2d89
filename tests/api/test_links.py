"""Links between records (contacts, customers, companies, lead conversion), references checked the
same way on every resource (422 naming the field, in the write's transaction, owner/assignee active
users), and closed deals and opportunities read-only until reopened."""
from __future__ import annotations

import pytest

from tests.conftest import _caller, add_users

UNKNOWN = "01ARZ3NDEKTSV4RRFFQ69G5FAV"


def created(api, caller, path, body):
    reply = api.post(path, body, as_=caller)
    assert reply.status == 201, reply.body
    return reply.json


def audit_count(api, caller):
    return len(api.get("/v1/audit-logs?limit=100", as_=caller).json["items"])


def assert_unknown(reply, *fields):
    assert reply.status == 422, reply.body
    assert reply.header("content-type") == "application/problem+json"
    assert sorted(error["field"] for error in reply.json["errors"]) == sorted(fields)


# Contacts, customers and companies


def test_contacts_link_a_customer_and_a_company_and_are_listed_by_either(api, owner):
    company = created(api, owner, "/v1/companies", {"name": "Bletchley"})
    customer = created(api, owner, "/v1/customers", {"name": "Park", "company": "BP", "company_id": company["id"]})
    assert customer["company_id"] == company["id"] and customer["company"] == "BP"
    linked = created(api, owner, "/v1/contacts", {"name": "Alan", "customer_id": customer["id"], "company_id": company["id"]})
    created(api, owner, "/v1/contacts", {"name": "Joan", "company_id": company["id"], "tags": ["x"]})
    created(api, owner, "/v1/contacts", {"name": "Gordon"})
    moved = created(api, owner, "/v1/contacts", {"name": "Dilly"})
    assert api.patch(f"/v1/contacts/{moved['id']}", {"customer_id": customer["id"]}, as_=owner).status == 200

    def names(path):
        reply = api.get(path, as_=owner)
        assert reply.status == 200, reply.body
        return [item["name"] for item in reply.json["items"]]

    assert names(f"/v1/customers/{customer['id']}/contacts") == ["Alan", "Dilly"]
    assert names(f"/v1/contacts?customer_id={customer['id']}") == ["Alan", "Dilly"]
    assert names(f"/v1/contacts?company_id={company['id']}") == ["Alan", "Joan"]
    assert names(f"/v1/contacts?company_id={company['id']}&tag=x") == ["Joan"]
    assert names(f"/v1/contacts?company_id={company['id']}&customer_id={customer['id']}") == ["Alan"]
    assert names(f"/v1/contacts?customer_id={customer['id']}&sort=-name") == ["Dilly", "Alan"]
    assert names(f"/v1/companies/{company['id']}/contacts") == ["Alan", "Joan"]
    assert names(f"/v1/customers?company_id={company['id']}") == ["Park"]
    assert api.get("/v1/companies?customer_id=x", as_=owner).status == 400
    # Unlinking (null) takes the contact out of the customer's list.
    assert api.patch(f"/v1/contacts/{linked['id']}", {"customer_id": None}, as_=owner).status == 200
    assert names(f"/v1/customers/{customer['id']}/contacts") == ["Dilly"]


def test_a_customers_opportunities_beside_its_deals(api, owner, customer):
    other = created(api, owner, "/v1/customers", {"name": "Other"})
    mine = created(api, owner, "/v1/opportunities", {"name": "Mine", "amount": 1, "close_date": "2026-05-01",
                                                    "customer_id": customer["id"]})
    created(api, owner, "/v1/opportunities", {"name": "Theirs", "amount": 1, "close_date": "2026-05-01",
                                              "customer_id": other["id"]})
    reply = api.get(f"/v1/customers/{customer['id']}/opportunities", as_=owner)
    assert reply.status == 200 and [item["id"] for item in reply.json["items"]] == [mine["id"]]


@pytest.mark.parametrize("child", ["contacts", "opportunities", "deals"])
def test_child_lists_of_another_tenants_or_a_missing_customer_are_404(api, login_as, owner, customer, child):
    intruder = login_as("owner")
    assert api.get(f"/v1/customers/{customer['id']}/{child}", as_=intruder).status == 404
    assert api.get(f"/v1/customers/{UNKNOWN}/{child}", as_=owner).status == 404
    viewer = login_as("viewer", org_of=owner)
    assert api.get(f"/v1/customers/{customer['id']}/{child}", as_=viewer).status == 200


def test_child_lists_need_the_childs_read_permission(api, owner, login_as):
    role = created(api, owner, "/v1/roles", {"name": "customers-only", "permissions": ["customers:read"]})
    customer = created(api, owner, "/v1/customers", {"name": "C"})
    member = login_as("member", org_of=owner)
    assert api.put(f"/v1/users/{member.user_id}/role", {"role": role["id"]}, as_=owner).status == 200
    reader = _caller(api, member.email)  # a new token carries the role's permissions
    assert api.get(f"/v1/customers/{customer['id']}", as_=reader).status == 200
    for child in ("contacts", "opportunities", "deals"):
        reply = api.get(f"/v1/customers/{customer['id']}/{child}", as_=reader)
        assert reply.status == 403, (child, reply.body)


# Lead conversion


def test_conversion_creates_the_company_and_carries_tags_and_custom_fields(api, owner):
    created(api, owner, "/v1/custom-fields", {"entity": "customers", "key": "budget", "label": "Budget", "type": "number"})
    lead = created(api, owner, "/v1/leads", {"name": "Ada", "company": "Analytical Engines", "tags": ["hot", "webinar"],
                                             "custom_fields": {"budget": 5000, "source_detail": "booth"}})
    reply = api.post(f"/v1/leads/{lead['id']}/convert", {}, as_=owner)
    assert reply.status == 201, reply.body
    result = reply.json
    company = api.get(f"/v1/companies/{result['company_id']}", as_=owner).json
    assert company["name"] == "Analytical Engines" and company["owner"] == owner.user_id
    customer = api.get(f"/v1/customers/{result['customer_id']}", as_=owner).json
    contact = api.get(f"/v1/contacts/{result['contact_id']}", as_=owner).json
    assert customer["company_id"] == contact["company_id"] == company["id"]
    assert customer["company"] == "Analytical Engines"
    assert customer["tags"] == contact["tags"] == ["hot", "webinar"]
    # Customers define their custom fields: only what fits them carries over. Contacts define none.
    assert customer["custom_fields"] == {"budget": 5000}
    assert contact["custom_fields"] == {"budget": 5000, "source_detail": "booth"}
    assert [item["id"] for item in api.get("/v1/contacts?tag=webinar", as_=owner).json["items"]] == [contact["id"]]
    assert api.get(f"/v1/audit-logs?target_type=company&target_id={company['id']}", as_=owner).json["items"][0]["action"] == "created"


def test_conversion_links_the_company_named_like_the_lead_or_the_one_given(api, owner):
    existing = created(api, owner, "/v1/companies", {"name": "Bletchley Park"})
    chosen = created(api, owner, "/v1/companies", {"name": "GCHQ"})
    by_name = created(api, owner, "/v1/leads", {"name": "Alan", "company": "bletchley park"})
    result = api.post(f"/v1/leads/{by_name['id']}/convert", {}, as_=owner).json
    assert result["company_id"] == existing["id"]
    by_id = created(api, owner, "/v1/leads", {"name": "Joan", "company": "Bletchley Park"})
    result = api.post(f"/v1/leads/{by_id['id']}/convert", {"company_id": chosen["id"]}, as_=owner).json
    assert result["company_id"] == chosen["id"]
    assert api.get(f"/v1/customers/{result['customer_id']}", as_=owner).json["company_id"] == chosen["id"]
    no_company = created(api, owner, "/v1/leads", {"name": "Solo"})
    assert api.post(f"/v1/leads/{no_company['id']}/convert", {}, as_=owner).json["company_id"] is None
    assert len(api.get("/v1/companies", as_=owner).json["items"]) == 2


def test_conversion_with_another_tenants_company_is_422_and_converts_nothing(api, login_as, owner):
    theirs = created(api, login_as("owner"), "/v1/companies", {"name": "Elsewhere"})
    lead = created(api, owner, "/v1/leads", {"name": "Alan"})
    before = audit_count(api, owner)
    assert_unknown(api.post(f"/v1/leads/{lead['id']}/convert", {"company_id": theirs["id"]}, as_=owner), "company_id")
    assert api.get(f"/v1/leads/{lead['id']}", as_=owner).json["status"] == "new"
    assert api.get("/v1/customers", as_=owner).json["items"] == []
    assert audit_count(api, owner) == before


def test_a_lead_with_more_tags_than_one_transaction_holds_is_422_naming_tags(api, owner):
    many = created(api, owner, "/v1/leads", {"name": "Tagged", "tags": [f"t{number}" for number in range(50)]})
    reply = api.post(f"/v1/leads/{many['id']}/convert", {}, as_=owner)
    assert reply.status == 422 and reply.json["errors"][0]["field"] == "tags"
    assert api.get(f"/v1/leads/{many['id']}", as_=owner).json["status"] == "new"
    from chalicelib.crm.contact_management.services.leads import CONVERTIBLE_TAGS

    # The most a conversion holds: a new company, an opportunity, a team owning the lead (its counters).
    team = created(api, owner, "/v1/teams", {"name": "Owners"})["id"]
    tags = [f"t{number}" for number in range(CONVERTIBLE_TAGS)]
    fits = created(api, owner, "/v1/leads", {"name": "Fits", "company": "Big", "owner_team_id": team, "tags": tags})
    reply = api.post(f"/v1/leads/{fits['id']}/convert", {"create_opportunity": True, "opportunity_name": "O", "amount": 1},
                     as_=owner)
    assert reply.status == 201, reply.body


# References, the same on every resource


@pytest.fixture
def foreign(api, login_as):
    """Records of another organization, whose ids must be as unknown as missing ones."""
    other = login_as("owner")
    customer = created(api, other, "/v1/customers", {"name": "Theirs"})
    return {
        "customer": customer["id"],
        "company": created(api, other, "/v1/companies", {"name": "Theirs"})["id"],
        "opportunity": created(api, other, "/v1/opportunities", {"name": "T", "amount": 1, "close_date": "2026-01-01"})["id"],
        "user": other.user_id,
    }


REFERENCES = [
    ("/v1/contacts", {"name": "P"}, "company_id", "company"),
    ("/v1/contacts", {"name": "P"}, "customer_id", "customer"),
    ("/v1/customers", {"name": "C"}, "company_id", "company"),
    ("/v1/opportunities", {"name": "O", "amount": 1, "close_date": "2026-01-01"}, "customer_id", "customer"),
    ("/v1/deals", {"name": "D"}, "customer_id", "customer"),
    ("/v1/tickets", {"subject": "S"}, "customer_id", "customer"),
]


@pytest.mark.parametrize("path, body, field, kind", REFERENCES)
@pytest.mark.parametrize("whose", ["missing", "another organization's"])
def test_an_unknown_reference_is_422_naming_the_field_and_writes_nothing(api, owner, customer, foreign, path, body, field, kind, whose):
    body = {**body, "customer_id": customer["id"]} if path == "/v1/deals" else dict(body)
    body[field] = UNKNOWN if whose == "missing" else foreign[kind]
    before = audit_count(api, owner)
    assert_unknown(api.post(path, body, as_=owner), field)
    assert audit_count(api, owner) == before


@pytest.mark.parametrize("path, body, field, kind", REFERENCES)
def test_an_update_to_an_unknown_reference_is_422(api, owner, customer, foreign, path, body, field, kind):
    body = {**body, "customer_id": customer["id"]} if path == "/v1/deals" else dict(body)
    record = created(api, owner, path, body)
    assert_unknown(api.patch(f"{path}/{record['id']}", {field: foreign[kind]}, as_=owner), field)
    assert api.get(f"{path}/{record['id']}", as_=owner).json["version"] == 1


def test_every_unknown_reference_is_named_at_once(api, owner, foreign):
    body = {"name": "D", "customer_id": foreign["customer"], "opportunity_id": foreign["opportunity"]}
    assert_unknown(api.post("/v1/deals", body, as_=owner), "customer_id", "opportunity_id")


def test_a_reference_deleted_before_the_write_is_unknown(api, owner):
    company = created(api, owner, "/v1/companies", {"name": "Gone"})
    assert api.delete(f"/v1/companies/{company['id']}", as_=owner).status == 204
    assert_unknown(api.post("/v1/contacts", {"name": "P", "company_id": company["id"]}, as_=owner), "company_id")


def test_campaign_members_and_merges_name_their_unknown_reference(api, owner, customer, foreign):
    campaign = created(api, owner, "/v1/campaigns", {"name": "Spring", "channel": "email"})
    reply = api.post(f"/v1/campaigns/{campaign['id']}/members", {"member_type": "customer", "member_id": foreign["customer"]},
                     as_=owner)
    assert_unknown(reply, "member_id")
    assert_unknown(api.post("/v1/customers/merge", {"target_id": customer["id"], "source_ids": [foreign["customer"]]},
                            as_=owner), "source_ids")
    assert_unknown(api.post("/v1/customers/merge", {"target_id": foreign["customer"], "source_ids": [customer["id"]]},
                            as_=owner), "target_id")


OWNED = [
    ("/v1/customers", {"name": "C"}, "owner"),
    ("/v1/contacts", {"name": "P"}, "owner"),
    ("/v1/opportunities", {"name": "O", "amount": 1, "close_date": "2026-01-01"}, "owner"),
    ("/v1/deals", {"name": "D"}, "owner"),
    ("/v1/tickets", {"subject": "S"}, "assignee"),
]


@pytest.mark.parametrize("path, body, field", OWNED)
def test_owner_and_assignee_are_active_users_of_the_organization(api, owner, login_as, customer, foreign, path, body, field):
    body = {**body, "customer_id": customer["id"]} if path == "/v1/deals" else dict(body)
    add_users(owner.org_id, "gone-user", status="deactivated")
    member = login_as("member", org_of=owner)
    for stranger in ("gone-user", foreign["user"], "nobody"):
        assert_unknown(api.post(path, {**body, field: stranger}, as_=owner), field)
    record = created(api, owner, path, {**body, field: member.user_id})
    assert record[field] == member.user_id
    assert_unknown(api.patch(f"{path}/{record['id']}", {field: "gone-user"}, as_=owner), field)


def test_a_record_keeps_an_owner_deactivated_later(api, owner, login_as):
    member = login_as("member", org_of=owner)
    record = created(api, owner, "/v1/customers", {"name": "C", "owner": member.user_id})
    assert api.post(f"/v1/users/{member.user_id}/deactivate", as_=owner).status == 200
    reply = api.put(f"/v1/customers/{record['id']}", {"name": "C2", "owner": member.user_id}, as_=owner,
                    headers={"If-Match": '"1"'})
    assert reply.status == 200 and reply.json["owner"] == member.user_id


# Closed deals and opportunities


def close_opportunity(api, owner, customer, stage="closed_lost"):
    item = created(api, owner, "/v1/opportunities", {"name": "O", "amount": 10, "close_date": "2026-03-01",
                                                     "customer_id": customer["id"]})
    path = f"/v1/opportunities/{item['id']}/stage"
    moves = ["qualified", "proposal", "negotiation", "closed_won"] if stage == "closed_won" else ["qualified", "closed_lost"]
    for move in moves:
        reply = api.put(path, {"stage": move, "reason": "No budget"}, as_=owner)
        assert reply.status == 200, reply.body
    return reply.json


def assert_closed(reply, state):
    assert reply.status == 409, reply.body
    assert reply.header("content-type") == "application/problem+json"
    assert reply.json["type"] == "/docs/errors#closed-record"
    assert reply.json["state"] == state and reply.json["reopen"].endswith("/reopen")


def test_a_closed_deal_is_read_only_until_reopened(api, owner, login_as, customer, delivered_events):
    deal = created(api, owner, "/v1/deals", {"name": "D", "customer_id": customer["id"]})
    path = f"/v1/deals/{deal['id']}"
    assert api.patch(path, {"status": "won"}, as_=owner).status == 200
    before = audit_count(api, owner)
    assert_closed(api.patch(path, {"name": "Renamed"}, as_=owner), "won")
    assert_closed(api.patch(path, {"status": "lost"}, as_=owner), "won")
    assert_closed(api.put(path, {"name": "R", "customer_id": customer["id"]}, as_=owner, headers={"If-Match": '"2"'}), "won")
    assert_closed(api.delete(path, as_=owner), "won")
    assert audit_count(api, owner) == before
    assert api.post(f"{path}/reopen", as_=login_as("viewer", org_of=owner)).status == 403
    assert api.post(f"{path}/reopen", as_=login_as("owner")).status == 404
    assert api.post(f"{path}/reopen", as_=owner, headers={"If-Match": '"1"'}).status == 412
    member = login_as("member", org_of=owner)
    seen = len(delivered_events())
    reopened = api.post(f"{path}/reopen", as_=member)
    assert reopened.status == 200 and reopened.json["status"] == "open" and reopened.header("etag") == '"3"'
    assert [event.type for event in delivered_events()[seen:]] == ["deal.reopened"]
    entry = api.get(f"/v1/audit-logs?target_type=deal&target_id={deal['id']}", as_=owner).json["items"][0]
    assert entry["action"] == "reopened" and entry["changes"]["status"] == {"from": "won", "to": "open"}
    assert api.post(f"{path}/reopen", as_=owner).status == 409
    assert api.patch(path, {"name": "Renamed"}, as_=owner).json["name"] == "Renamed"


def test_a_closed_opportunity_is_read_only_until_reopened(api, owner, login_as, customer, delivered_events):
    item = close_opportunity(api, owner, customer)
    path = f"/v1/opportunities/{item['id']}"
    before = audit_count(api, owner)
    assert_closed(api.patch(path, {"amount": 20}, as_=owner), "closed_lost")
    assert_closed(api.put(path, {"name": "R", "amount": 1, "close_date": "2026-01-01"}, as_=owner,
                          headers={"If-Match": f'"{item["version"]}"'}), "closed_lost")
    assert_closed(api.put(f"{path}/stage", {"stage": "proposal"}, as_=owner), "closed_lost")
    assert_closed(api.delete(path, as_=owner), "closed_lost")
    assert audit_count(api, owner) == before
    assert api.post(f"{path}/reopen", as_=login_as("viewer", org_of=owner)).status == 403
    assert api.post(f"{path}/reopen", {"stage": "closed_won"}, as_=owner).status == 422
    seen = len(delivered_events())
    reopened = api.post(f"{path}/reopen", as_=owner)
    assert reopened.status == 200, reopened.body
    # Back to the stage it was closed from, its probability, the move in the history.
    assert reopened.json["stage"] == "qualified" and reopened.json["stage_history"][-1]["from_stage"] == "closed_lost"
    assert [event.type for event in delivered_events()[seen:]] == ["opportunity.reopened"]
    assert api.patch(path, {"amount": 20}, as_=owner).json["amount"] == 20


def test_reopening_moves_the_stage_counters(api, owner, customer):
    won = close_opportunity(api, owner, customer, "closed_won")
    reply = api.post(f"/v1/opportunities/{won['id']}/reopen", {"stage": "proposal"}, as_=owner)
    assert reply.status == 200 and reply.json["stage"] == "proposal"
    from chalicelib.platform.tables.counters import counters_with_prefix

    counts = counters_with_prefix(owner.org_id, "opportunities_stage")
    assert counts.get("closed_won", 0) == 0 and counts["proposal"] == 1


def test_a_close_racing_an_edit_wins_and_the_edit_is_409(api, owner, customer, monkeypatch):
    """The read said open; a concurrent close commits before the edit's transaction: the edit's
    open-condition fails and it answers the closed 409, leaving the record as its closer left it."""
    from chalicelib.crm.sales_pipeline.services import deals as deal_service

    deal = created(api, owner, "/v1/deals", {"name": "D", "customer_id": customer["id"]})
    path = f"/v1/deals/{deal['id']}"
    real_modification = deal_service.deals.modification

    def close_meanwhile(current, changes, actor, *args, **kwargs):
        result = real_modification(current, changes, actor, *args, **kwargs)
        if changes.get("name") == "Edited":
            # Another request closes the deal between this one's read and its write.
            parts, _ = real_modification(current, {"status": "won"}, actor)
            deal_service.commit(parts)
        return result

    monkeypatch.setattr(deal_service.deals, "modification", close_meanwhile)
    assert_closed(api.patch(path, {"name": "Edited"}, as_=owner), "won")
    assert api.get(path, as_=owner).json["name"] == "D"
