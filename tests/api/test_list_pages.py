"""Lists fill a page up to `limit` when matches exist, within a bounded number of Queries, and `q`
(a prefix of the name or of the email) on the contact-management lists equals a brute force."""
from __future__ import annotations

from urllib.parse import urlencode

import pytest

from chalicelib.platform.tables.base import MAX_QUERIES_PER_PAGE, MAX_QUERY_READ, QUERY_GROWTH
from tests.api.test_customer_search import search_all, seed_people
from tests.conftest import add_users

STATUSES = {"/v1/customers": ["active", "prospect", "churned"], "/v1/leads": ["new", "contacted", "qualified"],
            "/v1/contacts": ["active"]}


def _batch(api, caller, path, bodies):
    ids = []
    for start in range(0, len(bodies), 100):
        reply = api.post(f"{path}/batch", {"items": bodies[start:start + 100]}, as_=caller)
        assert reply.status == 200, reply.body
        ids += [result["id"] for result in reply.json["results"]]
    return ids


def _page(api, caller, path, query):
    reply = api.get(f"{path}?{urlencode(query)}", as_=caller)
    assert reply.status == 200, reply.body
    return reply.json


def test_a_filtered_page_is_filled_up_to_the_limit(api, owner):
    # bob's records are served by the owner index; status is then a FilterExpression that drops
    # the prospects between the churned ones.
    statuses = ["prospect", "prospect", "churned"] * 8
    add_users(owner.org_id, "bob")
    ids = _batch(api, owner, "/v1/customers", [{"name": f"c{index}", "owner": "bob", "status": status}
                                                for index, status in enumerate(statuses)])
    churned = [record_id for record_id, status in zip(ids, statuses) if status == "churned"]
    page = _page(api, owner, "/v1/customers", {"owner": "bob", "status": "churned", "limit": 5})
    assert [item["id"] for item in page["items"]] == churned[:5]
    rest = _page(api, owner, "/v1/customers", {"owner": "bob", "status": "churned", "limit": 5, "cursor": page["next_cursor"]})
    assert [item["id"] for item in rest["items"]] == churned[5:]
    assert rest["next_cursor"] is None


def test_deleted_records_do_not_leave_a_page_short(api, owner):
    ids = _batch(api, owner, "/v1/companies", [{"name": f"co{index}"} for index in range(12)])
    for record_id in ids[:8]:
        assert api.delete(f"/v1/companies/{record_id}", as_=owner).status == 204
    page = _page(api, owner, "/v1/companies", {"limit": 3})
    assert [item["id"] for item in page["items"]] == ids[8:11]
    assert _page(api, owner, "/v1/companies", {"limit": 3, "cursor": page["next_cursor"]})["items"][0]["id"] == ids[11]


def test_tagged_lists_fill_their_page_too(api, owner):
    ids = _batch(api, owner, "/v1/customers", [{"name": f"t{index}", "tags": ["vip"]} for index in range(9)])
    for record_id in ids[:6]:
        assert api.delete(f"/v1/customers/{record_id}", as_=owner).status == 204
    page = _page(api, owner, "/v1/customers", {"tag": "vip", "limit": 2})
    assert [item["id"] for item in page["items"]] == ids[6:8]


def test_a_sparse_filter_stops_at_the_query_bound_with_a_cursor(api, owner):
    # More records ahead of the only match than the bounded Queries of one request read.
    readable = sum(min(QUERY_GROWTH**index, MAX_QUERY_READ) for index in range(MAX_QUERIES_PER_PAGE))
    add_users(owner.org_id, "carol")
    bodies = [{"name": f"n{index}", "owner": "carol", "status": "active"} for index in range(readable + 5)]
    _batch(api, owner, "/v1/customers", bodies + [{"name": "needle", "owner": "carol", "status": "churned"}])
    page = _page(api, owner, "/v1/customers", {"owner": "carol", "status": "churned", "limit": 1})
    assert page["items"] == [] and page["next_cursor"]
    assert [item["name"] for item in _page(api, owner, "/v1/customers", {
        "owner": "carol", "status": "churned", "limit": 1, "cursor": page["next_cursor"]})["items"]] == ["needle"]


def q_brute_force(people, query):
    prefix = query["q"].lower()

    def keep(person):
        return all([
            "status" not in query or person["status"] == query["status"],
            "owner" not in query or person["owner"] == query["owner"],
            "tag" not in query or query["tag"].lower() in person["tags"],
        ])

    kept = [person for person in people if keep(person)]
    by_name = sorted((person for person in kept if person["name"].lower().startswith(prefix)), key=lambda p: p["name"].lower())
    by_email = sorted(
        (person for person in kept if not person["name"].lower().startswith(prefix)
         and (person.get("email") or "").lower().startswith(prefix)),
        key=lambda p: p["email"].lower(),
    )
    return [person["id"] for person in by_name + by_email]


Q_QUERIES = [{"q": "a"}, {"q": "A"}, {"q": "b"}, {"q": "ALAN"}, {"q": "e"}, {"q": "g"}, {"q": "zz"},
             {"q": "a", "owner": "alice"}, {"q": "b", "tag": "t2"}, {"q": "d"}, {"q": "h"}]


@pytest.mark.parametrize("path", ["/v1/customers", "/v1/leads", "/v1/contacts"])
def test_q_matches_name_or_email_prefix_like_brute_force(api, owner, path):
    people = seed_people(api, owner, path, STATUSES[path])
    # Names that do not start with q but emails that do, so both halves of a page are exercised.
    for name, email in [("Zed", "ada.z@x.example"), ("Yan", "bob@y.example"), ("Xia", "alan.x@z.example")]:
        reply = api.post(path, {"name": name, "email": email, "owner": "alice", "tags": ["t2"]}, as_=owner)
        people.append(reply.json)
    statuses = STATUSES[path]
    found_any = 0
    for query in Q_QUERIES + [{"q": "a", "status": statuses[0]}]:
        expected = q_brute_force(people, query)
        assert search_all(api, owner, path, query) == expected, query
        for limit in (1, 2, 50):
            assert _ids_paged(api, owner, path, query, limit) == expected, (query, limit)
        found_any += bool(expected)
    assert found_any >= 8


def _ids_paged(api, caller, path, query, limit):
    seen, cursor = [], None
    while True:
        page = _page(api, caller, path, {**query, "limit": limit, **({"cursor": cursor} if cursor else {})})
        assert len(page["items"]) <= limit
        seen += [item["id"] for item in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            return seen


def test_q_on_companies_is_a_name_prefix(api, owner):
    ids = _batch(api, owner, "/v1/companies", [{"name": name} for name in ["Acme", "acorn", "Beta", "ACE"]])
    page = _page(api, owner, "/v1/companies", {"q": "ac"})
    assert [item["id"] for item in page["items"]] == [ids[3], ids[0], ids[1]]


@pytest.mark.parametrize("query", [{"q": ""}, {"q": "a", "sort": "name"}, {"q": "x" * 201}])
def test_bad_q_is_400(api, owner, query):
    reply = api.get(f"/v1/customers?{urlencode(query)}", as_=owner)
    assert reply.status == 400 and reply.header("Content-Type") == "application/problem+json"


def test_q_stays_in_the_callers_organization(api, owner, login_as):
    api.post("/v1/customers", {"name": "Alpha", "email": "alpha@a.example"}, as_=owner)
    other = login_as("owner", org_of=None)
    assert _page(api, other, "/v1/customers", {"q": "alpha"})["items"] == []
