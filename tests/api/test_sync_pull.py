"""GET /v1/sync: the pull side of offline sync, through HTTP. A snapshot to start from, then the
changes since a cursor, exactly, in commit order, of the kinds the caller may read; tombstones for
deletes; opaque signed cursors (tampered or foreign: 400; stale: 410 resync-required);
If-Modified-Since. The concurrent test writes from threads through the services while the puller
loops over HTTP, and checks nothing committed is missed."""
from __future__ import annotations

import base64
import json
import threading
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime
from typing import Any

from chalicelib.core import clock
from chalicelib.platform.tables import changes
from chalicelib.platform.tables.changes import ChangeModel, partition


def pull(api, caller, since=None, kinds=None, limit=None, headers=None) -> dict[str, Any]:
    reply = api.get(_path(since, kinds, limit), as_=caller, headers=headers)
    assert reply.status == 200, reply.body
    return reply.json


def pull_all(api, caller, since=None, kinds=None, limit=None) -> tuple[list[dict[str, Any]], str]:
    """Every page until has_more is false: the changes in order, and the cursor to go on from."""
    changes: list[dict[str, Any]] = []
    while True:
        page = pull(api, caller, since, kinds, limit)
        changes += page["changes"]
        since = page["next_cursor"]
        if not page["has_more"]:
            return changes, since


def _path(since=None, kinds=None, limit=None) -> str:
    from urllib.parse import urlencode

    query = {name: value for name, value in (("since", since), ("kinds", kinds), ("limit", limit)) if value is not None}
    return "/v1/sync" + (f"?{urlencode(query)}" if query else "")


def created(api, caller, path, body) -> dict[str, Any]:
    reply = api.post(path, body, as_=caller)
    assert reply.status == 201, reply.body
    return reply.json


def summary(changes) -> list[tuple[str, str, str, int]]:
    return [(change["kind"], change["id"], change["op"], change["version"]) for change in changes]


def test_a_snapshot_then_exactly_the_changes_since_its_cursor(api, owner, customer):
    note = created(api, owner, f"/v1/customers/{customer['id']}/notes", {"body": "Met at the fair"})
    snapshot, cursor = pull_all(api, owner)
    assert summary(snapshot) == [("customers", customer["id"], "upsert", 1), ("notes", note["id"], "upsert", 1)]
    # The same shape as the REST GET of each record.
    assert snapshot[0]["record"] == api.get(f"/v1/customers/{customer['id']}", as_=owner).json
    assert snapshot[1]["record"] == api.get(f"/v1/notes/{note['id']}", as_=owner).json
    unchanged = pull(api, owner, cursor)
    assert unchanged["changes"] == [] and unchanged["has_more"] is False

    lead = created(api, owner, "/v1/leads", {"name": "Grace"})
    patched = api.patch(f"/v1/customers/{customer['id']}", {"phone": "+44 20 7946 0000"}, as_=owner).json
    assert api.delete(f"/v1/notes/{note['id']}", as_=owner).status == 204
    assert api.delete(f"/v1/customers/{customer['id']}", as_=owner).status == 204
    restored = api.post(f"/v1/customers/{customer['id']}/restore", as_=owner).json

    delta, _ = pull_all(api, owner, cursor)
    assert summary(delta) == [
        ("leads", lead["id"], "upsert", 1),
        ("customers", customer["id"], "upsert", 2),
        ("notes", note["id"], "delete", 2),
        ("customers", customer["id"], "delete", 3),
        ("customers", customer["id"], "upsert", 4),
    ]
    assert [change["record"] for change in delta] == [lead, patched, None, None, restored]


def test_pages_of_any_size_add_up_to_the_same_changes(api, owner):
    ids = [created(api, owner, "/v1/customers", {"name": f"C{n}"})["id"] for n in range(5)]
    lead = created(api, owner, "/v1/leads", {"name": "L"})["id"]
    whole, cursor = pull_all(api, owner)
    assert [change["id"] for change in whole] == [*ids, lead]
    for limit in (1, 2, 5):
        assert pull_all(api, owner, limit=limit)[0] == whole
    for customer_id in ids:
        api.patch(f"/v1/customers/{customer_id}", {"name": "Renamed"}, as_=owner)
    assert pull_all(api, owner, cursor, limit=2)[0] == pull_all(api, owner, cursor)[0]
    assert [change["id"] for change in pull_all(api, owner, cursor, limit=2)[0]] == ids


def test_a_feed_spread_over_partitions_pages_as_one(api, owner, monkeypatch):
    monkeypatch.setattr(changes, "CHANGES_PER_PARTITION", 3)
    _, cursor = pull_all(api, owner)
    ids = [created(api, owner, "/v1/customers", {"name": f"C{n}"})["id"] for n in range(8)]
    lead = created(api, owner, "/v1/leads", {"name": "L"})["id"]
    for limit in (1, 2, 3, 4, 100):
        assert [change["id"] for change in pull_all(api, owner, cursor, limit=limit)[0]] == [*ids, lead]
    assert [change["id"] for change in pull_all(api, owner, cursor, kinds="leads", limit=1)[0]] == [lead]


def test_a_snapshot_lists_live_records_only_and_continues_from_the_feed(api, owner):
    kept, gone = (created(api, owner, "/v1/customers", {"name": name}) for name in ("Kept", "Gone"))
    assert api.delete(f"/v1/customers/{gone['id']}", as_=owner).status == 204
    first = pull(api, owner, limit=1)
    assert summary(first["changes"]) == [("customers", kept["id"], "upsert", 1)]
    # Written while the client pages through the snapshot: comes again from the feed, in order.
    later = created(api, owner, "/v1/customers", {"name": "Later"})
    rest, cursor = pull_all(api, owner, first["next_cursor"], limit=1)
    assert summary(rest) == [("customers", later["id"], "upsert", 1), ("customers", later["id"], "upsert", 1)]
    assert pull(api, owner, cursor)["changes"] == []


def test_kinds_narrow_the_pull_and_unknown_ones_are_400(api, owner, customer):
    lead = created(api, owner, "/v1/leads", {"name": "Grace"})
    snapshot, cursor = pull_all(api, owner, kinds="leads")
    assert summary(snapshot) == [("leads", lead["id"], "upsert", 1)]
    api.patch(f"/v1/customers/{customer['id']}", {"name": "Ada"}, as_=owner)
    api.patch(f"/v1/leads/{lead['id']}", {"name": "Grace H"}, as_=owner)
    assert summary(pull_all(api, owner, cursor, kinds="leads")[0]) == [("leads", lead["id"], "upsert", 2)]
    assert summary(pull_all(api, owner, cursor, kinds="customers,leads")[0]) == [
        ("customers", customer["id"], "upsert", 2), ("leads", lead["id"], "upsert", 2),
    ]  # fmt: skip
    for kinds in ("customers,gizmos", ","):
        reply = api.get(_path(kinds=kinds), as_=owner)
        assert reply.status == 400 and reply.header("content-type") == "application/problem+json"
        assert reply.json["field"] == "kinds"
        assert "gizmos" in reply.json["detail"] or "none given" in reply.json["detail"]


def test_a_role_never_sees_the_kinds_it_cannot_read(api, login_as, owner, customer):
    role = api.post("/v1/roles", {"name": "Leads only", "permissions": ["leads:read"]}, as_=owner).json
    member = login_as("member", org_of=owner)
    assert api.put(f"/v1/users/{member.user_id}/role", {"role": role["id"]}, as_=owner).status == 200
    member = _relogin(api, member)
    lead = created(api, owner, "/v1/leads", {"name": "Grace"})
    snapshot, cursor = pull_all(api, member)
    assert summary(snapshot) == [("leads", lead["id"], "upsert", 1)]
    api.patch(f"/v1/customers/{customer['id']}", {"name": "Ada"}, as_=owner)
    assert api.delete(f"/v1/customers/{customer['id']}", as_=owner).status == 204
    assert pull_all(api, member, cursor)[0] == []
    reply = api.get(_path(kinds="customers"), as_=member)
    assert reply.status == 403 and "customers:read" in reply.json["detail"]


def test_a_draft_article_reaches_only_its_writers_and_unpublishing_is_a_tombstone(api, login_as, owner):
    viewer = login_as("viewer", org_of=owner)
    article = created(api, owner, "/v1/kb/articles", {"title": "Reset a password", "body": "Click Forgot."})
    _, viewer_cursor = pull_all(api, viewer)
    _, owner_cursor = pull_all(api, owner)
    assert pull_all(api, viewer)[0] == []
    published = api.post(f"/v1/kb/articles/{article['id']}/publish", as_=owner).json
    api.patch(f"/v1/kb/articles/{article['id']}", {"status": "draft"}, as_=owner)
    assert [(c["op"], c["record"]) for c in pull_all(api, viewer, viewer_cursor)[0]] == [
        ("upsert", published), ("delete", None),
    ]  # fmt: skip
    assert [c["op"] for c in pull_all(api, owner, owner_cursor)[0]] == ["upsert", "upsert"]


def test_another_organization_sees_none_of_it_and_cannot_use_its_cursor(api, login_as, owner, customer):
    other = login_as()
    _, cursor = pull_all(api, owner)
    api.patch(f"/v1/customers/{customer['id']}", {"name": "Ada"}, as_=owner)
    assert pull_all(api, other)[0] == []
    reply = api.get(_path(since=cursor), as_=other)
    assert reply.status == 400 and reply.header("content-type") == "application/problem+json"


def test_a_tampered_cursor_is_400(api, owner, customer):
    _, cursor = pull_all(api, owner)
    fields = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    rewound = {**fields, "s": 0}
    unsigned = {name: value for name, value in fields.items() if name != "h"}
    flipped = cursor[:-3] + ("A" if cursor[-3] != "A" else "B") + cursor[-2:]
    for bad in (_b64(rewound), _b64(unsigned), flipped, cursor[:-4], "not-a-cursor", "é", _b64({**fields, "s": "1"})):
        reply = api.get(_path(since=bad), as_=owner)
        assert reply.status == 400, bad
        assert reply.json["title"] == "Bad Request" and reply.header("content-type") == "application/problem+json"
    assert api.get(_path(since=cursor), as_=owner).status == 200


def _b64(fields) -> str:
    return base64.urlsafe_b64encode(json.dumps(fields).encode()).decode().rstrip("=")


def test_a_cursor_older_than_the_retention_is_410_resync_required_once_the_feed_moved(api, owner, customer, monkeypatch):
    _, cursor = pull_all(api, owner, kinds="customers")
    now = clock.now()
    monkeypatch.setattr(clock, "now", lambda: now + timedelta(days=31))
    # Nothing changed since: nothing can have expired, and the client needs no resync.
    idle = pull(api, owner, cursor, kinds="customers")
    assert idle["changes"] == [] and idle["has_more"] is False
    monkeypatch.setattr(clock, "now", lambda: now)
    api.patch(f"/v1/customers/{customer['id']}", {"name": "Ada"}, as_=owner)
    monkeypatch.setattr(clock, "now", lambda: now + timedelta(days=31))
    reply = api.get(_path(since=cursor, kinds="customers"), as_=owner)
    assert reply.status == 410 and reply.header("content-type") == "application/problem+json"
    assert reply.json["type"] == "/docs/errors#resync-required"
    assert reply.json["snapshot"] == "/v1/sync?kinds=customers"
    assert pull(api, owner, idle["next_cursor"], kinds="customers")["changes"][0]["version"] == 2
    monkeypatch.setattr(clock, "now", lambda: now + timedelta(days=29))
    assert api.get(_path(since=cursor, kinds="customers"), as_=owner).status == 200


def test_a_cursor_whose_next_changes_expired_is_410(api, owner, customer):
    _, cursor = pull_all(api, owner)
    for name in ("One", "Two"):
        api.patch(f"/v1/customers/{customer['id']}", {"name": name}, as_=owner)
    # DynamoDB's TTL removes expired items in no particular order: here, the one after the cursor.
    oldest = next(iter(ChangeModel.query(partition(owner.org_id, 2), ChangeModel.seq > 1)))
    oldest.delete()
    reply = api.get(_path(since=cursor), as_=owner)
    assert reply.status == 410 and reply.json["type"] == "/docs/errors#resync-required"
    assert reply.json["snapshot"] == "/v1/sync"


def test_if_modified_since_is_304_until_the_feed_moves(api, owner, customer):
    first = api.get("/v1/sync", as_=owner)
    last_modified = first.header("last-modified")
    cursor = first.json["next_cursor"]
    assert last_modified and first.header("cache-control") == "private, no-cache"
    unchanged = api.get(_path(since=cursor), as_=owner, headers={"If-Modified-Since": last_modified})
    assert unchanged.status == 304 and unchanged.body == b"" and unchanged.header("last-modified") == last_modified
    future = format_datetime(datetime.now(timezone.utc) + timedelta(hours=1), usegmt=True)
    assert api.get("/v1/sync", as_=owner, headers={"If-Modified-Since": future}).status == 304
    api.patch(f"/v1/customers/{customer['id']}", {"name": "Ada"}, as_=owner)
    moved = api.get(_path(since=cursor), as_=owner, headers={"If-Modified-Since": last_modified})
    assert moved.status == 200 and summary(moved.json["changes"]) == [("customers", customer["id"], "upsert", 2)]
    assert api.get("/v1/sync", as_=owner, headers={"If-Modified-Since": "yesterday"}).status == 200


def test_an_organization_that_never_wrote_syncs_an_empty_snapshot(api, owner):
    page = pull(api, owner)
    assert page["changes"] == [] and page["has_more"] is False
    assert api.get("/v1/sync", as_=owner).header("last-modified") is None
    assert pull(api, owner, page["next_cursor"])["changes"] == []


def test_concurrent_writers_and_a_looping_puller_lose_nothing(api, owner):
    """Writers in threads (the services, as the routes call them) against the linearizable local
    DynamoDB; the puller pulls over HTTP in a loop meanwhile, then once more after the writers end.
    Replaying everything pulled must give every record its final version, and each record's
    changes must arrive as versions 1, 2, 3, ... with none missing, twice or out of order."""
    from chalicelib.core.errors import ServiceUnavailable
    from chalicelib.crm.contact_management.services import customers, leads
    from chalicelib.localdev.dynamodb import serialize_requests
    from chalicelib.platform.services.roles import principal

    serialize_requests()
    writer = principal(owner.user_id, owner.org_id, "owner", "session")
    final: dict[tuple[str, str], tuple[int, bool]] = {}
    lock = threading.Lock()

    def resent(operation, *arguments):
        # A 503 (the feed stayed contended) wrote nothing; a client sends the request again.
        while True:
            try:
                return operation(writer, *arguments)
            except ServiceUnavailable:
                continue

    def write(kind: str, records, rounds: int) -> None:
        for round_ in range(rounds):
            record = resent(records.create, {"name": "N"})
            version = resent(records.patch, record["id"], {"name": "M"}, None)["version"]
            deleted = round_ % 2 == 0
            if deleted:
                resent(records.delete, record["id"], None)
                version += 1
            with lock:
                final[(kind, record["id"])] = (version, deleted)

    threads = [threading.Thread(target=write, args=args) for args in
               [("customers", customers.records, 6), ("leads", leads.records, 6), ("customers", customers.records, 6)]]
    seen: dict[tuple[str, str], list[tuple[int, str]]] = {}
    page = pull(api, owner)
    assert page["changes"] == []
    cursor = page["next_cursor"]

    def drain() -> None:
        nonlocal cursor
        more = True
        while more:
            page = pull(api, owner, cursor, limit=3)
            for change in page["changes"]:
                seen.setdefault((change["kind"], change["id"]), []).append((change["version"], change["op"]))
            cursor, more = page["next_cursor"], page["has_more"]

    for thread in threads:
        thread.start()
    while any(thread.is_alive() for thread in threads):
        drain()
    for thread in threads:
        thread.join()
    drain()

    assert set(seen) == set(final)
    for key, (version, deleted) in final.items():
        versions = [pulled for pulled, _ in seen[key]]
        assert versions == list(range(1, version + 1)), key
        assert seen[key][-1][1] == ("delete" if deleted else "upsert"), key


def _relogin(api, caller):
    import dataclasses

    tokens = api.login(caller.email).json
    return dataclasses.replace(caller, access_token=tokens["access_token"])



def test_a_merge_of_more_children_than_one_transaction_holds_reaches_the_feed(api, owner):
    from chalicelib.crm.contact_management.services.merge import MOVES_PER_TRANSACTION

    target, source = (created(api, owner, "/v1/customers", {"name": name}) for name in ("Ada", "Ada L."))
    notes = [created(api, owner, f"/v1/customers/{source['id']}/notes", {"body": f"n{n}"})["id"]
             for n in range(MOVES_PER_TRANSACTION + 1)]
    _, cursor = pull_all(api, owner)
    reply = api.post("/v1/customers/merge", {"target_id": target["id"], "source_ids": [source["id"]]}, as_=owner)
    assert reply.status == 200, reply.body
    moved = [change for change in pull_all(api, owner, cursor)[0] if change["kind"] == "notes"]
    assert [change["id"] for change in moved] == notes
    assert all(change["record"]["customer_id"] == target["id"] for change in moved)


def test_a_lead_converted_with_as_many_tags_as_it_may_carry_reaches_the_feed_whole(api, owner):
    from chalicelib.crm.contact_management.services.leads import CONVERTIBLE_TAGS

    # A team owning the lead: its owner counters are the most a conversion writes besides the tags.
    team = created(api, owner, "/v1/teams", {"name": "Codebreakers"})["id"]
    body = {"name": "Alan", "company": "Bletchley", "owner_team_id": team, "tags": [f"t{n}" for n in range(CONVERTIBLE_TAGS + 1)]}
    conversion = {"create_opportunity": True, "opportunity_name": "Bombe", "amount": 1200}
    too_many = created(api, owner, "/v1/leads", body)
    assert api.post(f"/v1/leads/{too_many['id']}/convert", conversion, as_=owner).status == 422
    lead = created(api, owner, "/v1/leads", {**body, "tags": body["tags"][:-1]})
    _, cursor = pull_all(api, owner)
    reply = api.post(f"/v1/leads/{lead['id']}/convert", conversion, as_=owner)
    assert reply.status == 201, reply.body
    kinds = sorted(change["kind"] for change in pull_all(api, owner, cursor)[0])
    assert kinds == ["companies", "contacts", "customers", "leads", "opportunities"]
