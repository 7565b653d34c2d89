"""Search results equal a brute-force filter over the same records: every filter alone, several
combinations, every sort order, each paged to the end (limit=3). The helpers serve the other
searchable resources' tests too (contacts, leads)."""
from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlencode

from chalicelib.core import clock
from tests.conftest import add_users

NAMES = ["Ada", "alan", "Barbara", "bjarne", "Claude", "dennis", "Edsger", "frances", "Grace", "hedy", "Ivan"]
OWNERS = ["alice", "bob", "carol"]
TAG_SETS = [["t1"], ["t2"], ["t1", "t2"], [], ["t3", "T1"]]


def seed_people(api, caller, path, statuses):
    """Eleven records with varied fields; three updated afterwards, one deleted (it must never show)."""
    add_users(caller.org_id, *OWNERS)
    ids = []
    for index, name in enumerate(NAMES):
        body = {"name": name, "owner": OWNERS[index % 3], "tags": TAG_SETS[index % 5], "status": statuses[index % len(statuses)]}
        if index % 4 != 3:
            body["email"] = f"{name.upper() if index % 2 else name}@{'b' if index % 3 else 'a'}.example"
        reply = api.post(path, body, as_=caller)
        assert reply.status == 201, reply.body
        ids.append(reply.json["id"])
    for index in (4, 0, 7):
        assert api.patch(f"{path}/{ids[index]}", {"tags": ["t2", "late"]}, as_=caller).status == 200
    assert api.delete(f"{path}/{ids[5]}", as_=caller).status == 204
    return [api.get(f"{path}/{record_id}", as_=caller).json for index, record_id in enumerate(ids) if index != 5]


def queries_for(people, statuses):
    by_created = sorted(people, key=lambda person: person["id"])
    by_updated = sorted(people, key=lambda person: person["updated_at"])
    just_after = _plus_ms(by_created[3]["created_at"])
    created_before = by_created[7]["created_at"]
    updated_after, updated_before = by_updated[2]["updated_at"], by_updated[8]["updated_at"]
    status = statuses[0]
    alone = [
        {}, {"status": status}, {"owner": "alice"}, {"tag": "t1"}, {"tag": "LATE"}, {"name_prefix": "a"},
        {"name_prefix": "Ba"}, {"email_prefix": "b"}, {"email_prefix": "ALAN@"}, {"created_after": just_after},
        {"created_before": created_before}, {"created_after": just_after, "created_before": created_before},
        {"updated_after": updated_after}, {"updated_before": updated_before},
        {"updated_after": updated_after, "updated_before": updated_before},
    ]
    sorts = [{"sort": sort} for sort in ("created", "-created", "name", "-name", "updated", "-updated")]
    combined = [
        {"status": status, "owner": "bob"}, {"tag": "t2", "status": status}, {"tag": "t1", "sort": "-created"},
        {"name_prefix": "e", "status": statuses[-1]}, {"email_prefix": "g", "owner": "carol"},
        {"sort": "name", "tag": "t2"}, {"sort": "-updated", "status": status}, {"owner": "alice", "created_after": just_after},
        {"tag": "t1", "name_prefix": "a"}, {"status": status, "updated_after": updated_after},
        {"sort": "created", "name_prefix": "b"}, {"sort": "-name", "owner": "bob", "tag": "t2"},
        {"owner": "carol", "created_before": created_before, "sort": "-created"},
        {"email_prefix": "a", "updated_before": updated_before},
    ]
    return alone + sorts + combined


def brute_force(people, query):
    def keep(person):
        email = (person.get("email") or "").lower()
        return all([
            "status" not in query or person["status"] == query["status"],
            "owner" not in query or person["owner"] == query["owner"],
            "tag" not in query or query["tag"].lower() in person["tags"],
            "name_prefix" not in query or person["name"].lower().startswith(query["name_prefix"].lower()),
            "email_prefix" not in query or (bool(email) and email.startswith(query["email_prefix"].lower())),
            "created_after" not in query or person["created_at"] >= query["created_after"],
            "created_before" not in query or person["created_at"] <= query["created_before"],
            "updated_after" not in query or person["updated_at"] >= query["updated_after"],
            "updated_before" not in query or person["updated_at"] <= query["updated_before"],
        ])

    order = _order(query)
    descending = order.startswith("-")
    key = {
        "created": lambda person: person["id"],
        "name": lambda person: person["name"].lower(),
        "updated": lambda person: person["updated_at"],
        "email": lambda person: person["email"].lower(),
    }[order.lstrip("-")]
    return [person["id"] for person in sorted(filter(keep, people), key=key, reverse=descending)]


def _order(query):
    """The documented order: the sort asked for, else that of the index serving the filters."""
    if "sort" in query:
        return query["sort"]
    if "tag" in query:
        return "created"
    if "name_prefix" in query and "email_prefix" not in query:
        return "name"
    updated_range = "updated_after" in query or "updated_before" in query
    if updated_range and not ({"email_prefix", "owner", "status"} & set(query)):
        return "updated"
    if "email_prefix" in query:
        return "email"
    return "created"


def search_all(api, caller, path, query):
    seen, cursor = [], None
    for _ in range(50):
        params = {**query, "limit": 3, **({"cursor": cursor} if cursor else {})}
        reply = api.get(f"{path}?{urlencode(params)}", as_=caller)
        assert reply.status == 200, (query, reply.body)
        assert len(reply.json["items"]) <= 3
        seen += [item["id"] for item in reply.json["items"]]
        cursor = reply.json["next_cursor"]
        if cursor is None:
            return seen
    raise AssertionError(f"{query}: no end of pages")


def assert_search_matches_brute_force(api, caller, path, people, statuses=None):
    statuses = statuses or sorted({person["status"] for person in people})
    checked = 0
    for query in queries_for(people, statuses):
        expected = brute_force(people, query)
        assert search_all(api, caller, path, query) == expected, query
        checked += bool(expected)
    # The data set is rich enough that most queries find something.
    assert checked >= 25


def _plus_ms(timestamp):
    return clock.isoformat(clock.parse(timestamp) + timedelta(milliseconds=1))


def test_customer_search_matches_brute_force(api, owner):
    statuses = ["active", "prospect", "churned"]
    people = seed_people(api, owner, "/v1/customers", statuses)
    assert_search_matches_brute_force(api, owner, "/v1/customers", people, statuses)


def test_lead_search_matches_brute_force(api, owner):
    statuses = ["new", "contacted", "qualified"]
    people = seed_people(api, owner, "/v1/leads", statuses)
    assert_search_matches_brute_force(api, owner, "/v1/leads", people, statuses)


def test_unknown_filters_are_400(api, owner):
    for path in ("/v1/customers", "/v1/leads", "/v1/contacts"):
        reply = api.get(f"{path}?colour=red", as_=owner)
        assert reply.status == 400 and reply.json["field"] == "colour"
