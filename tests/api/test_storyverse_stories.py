"""/v1/stories: a family's stories, with ETag/If-Match, soft delete, audit, tenancy and roles, the
children's space (own, siblings' shared, never a sibling's private one), the age-band checks of
what a client writes, and sync."""
from __future__ import annotations

from typing import Any

import pytest

from tests.api.storyverse_family import add_child, child_session


@pytest.fixture
def mia(api, owner) -> str:
    return add_child(api, owner, "Mia", "7_12")


@pytest.fixture
def leo(api, owner) -> str:
    return add_child(api, owner, "Leo", "under_7")


def new_story(api, caller, child_id: str, **fields: Any) -> dict[str, Any]:
    reply = api.post("/v1/stories", {"title": "The Lost Star", "child_id": child_id, **fields}, as_=caller)
    assert reply.status == 201, reply.body
    return reply.json


def test_create_read_replace_patch_delete_restore(api, owner, mia):
    created = api.post(
        "/v1/stories",
        {"title": "The Lost Star", "child_id": mia, "universe_id": "builtin-starship-pebble",
         "character_ids": ["builtin-captain-bolt"], "theme": "space",
         "pages": [{"text": "Captain Bolt hummed as the stars went by."}]},
        as_=owner,
    )  # fmt: skip
    assert created.status == 201, created.body
    story = created.json
    assert created.header("Location") == f"/v1/stories/{story['id']}"
    assert story["status"] == "draft" and story["sharing"] == "private" and story["version"] == 1
    assert story["pages"] == [{"text": "Captain Bolt hummed as the stars went by.", "image_file_id": None, "audio_file_id": None}]

    read = api.get(f"/v1/stories/{story['id']}", as_=owner)
    assert read.json == story and read.header("ETag") == '"1"'

    assert api.put(f"/v1/stories/{story['id']}", {"title": "x", "child_id": mia}, as_=owner).status == 428
    stale = api.put(f"/v1/stories/{story['id']}", {"title": "x", "child_id": mia}, as_=owner, headers={"If-Match": '"7"'})
    assert stale.status == 412
    replaced = api.put(
        f"/v1/stories/{story['id']}", {"title": "The Found Star", "child_id": mia, "status": "complete"},
        as_=owner, headers={"If-Match": '"1"'},
    )  # fmt: skip
    assert replaced.status == 200, replaced.body
    # PUT replaces: what the body leaves out goes back to its default.
    assert replaced.json["universe_id"] is None and replaced.json["pages"] == [] and replaced.json["status"] == "complete"

    patched = api.patch(f"/v1/stories/{story['id']}", {"pages": [{"text": "Once upon a time."}]}, as_=owner)
    assert patched.status == 200 and patched.json["title"] == "The Found Star" and patched.json["version"] == 3

    assert api.delete(f"/v1/stories/{story['id']}", as_=owner, headers={"If-Match": '"2"'}).status == 412
    assert api.delete(f"/v1/stories/{story['id']}", as_=owner).status == 204
    assert api.get(f"/v1/stories/{story['id']}", as_=owner).status == 404
    assert api.get("/v1/stories", as_=owner).json["items"] == []
    restored = api.post(f"/v1/stories/{story['id']}/restore", as_=owner)
    assert restored.status == 200 and restored.json["title"] == "The Found Star"

    trail = api.get(f"/v1/audit-logs?target_type=story&target_id={story['id']}", as_=owner).json["items"]
    assert [entry["action"] for entry in trail] == ["restored", "deleted", "updated", "updated", "created"]


def test_list_pages_and_filters(api, owner, mia, leo):
    first = new_story(api, owner, mia, title="One")
    second = new_story(api, owner, leo, title="Two", status="complete")
    third = new_story(api, owner, mia, title="Three", sharing="family")

    page = api.get("/v1/stories?limit=2", as_=owner).json
    assert [s["id"] for s in page["items"]] == [first["id"], second["id"]] and page["next_cursor"]
    rest = api.get(f"/v1/stories?limit=2&cursor={page['next_cursor']}", as_=owner).json
    assert [s["id"] for s in rest["items"]] == [third["id"]] and rest["next_cursor"] is None

    assert [s["id"] for s in api.get(f"/v1/stories?child_id={mia}", as_=owner).json["items"]] == [first["id"], third["id"]]
    assert [s["id"] for s in api.get("/v1/stories?status=complete", as_=owner).json["items"]] == [second["id"]]
    both = api.get(f"/v1/stories?child_id={mia}&sharing=family", as_=owner).json["items"]
    assert [s["id"] for s in both] == [third["id"]]
    assert [s["id"] for s in api.get("/v1/stories?sort=-created", as_=owner).json["items"]][0] == third["id"]
    assert api.get("/v1/stories?status=lost", as_=owner).status == 400
    assert api.get("/v1/stories?colour=red", as_=owner).status == 400


def test_invalid_bodies_and_references_are_422_and_write_nothing(api, owner, mia):
    missing = api.post("/v1/stories", {"child_id": mia}, as_=owner)
    assert missing.status == 422 and missing.json["errors"][0]["field"] == "title"
    for body, field in (
        ({"title": "T", "child_id": "01HZZZZZZZZZZZZZZZZZZZZZZZ"}, "child_id"),
        ({"title": "T", "child_id": mia, "universe_id": "01HZZZZZZZZZZZZZZZZZZZZZZZ"}, "universe_id"),
        ({"title": "T", "child_id": mia, "universe_id": "builtin-nowhere"}, "universe_id"),
        ({"title": "T", "child_id": mia, "character_ids": ["01HZZZZZZZZZZZZZZZZZZZZZZZ"]}, "character_ids"),
        ({"title": "T", "child_id": mia, "pages": [{"image_file_id": "01HZZZZZZZZZZZZZZZZZZZZZZZ"}]}, "pages[0].image_file_id"),
        ({"title": "T", "child_id": mia, "sharing": "public"}, "sharing"),
    ):
        reply = api.post("/v1/stories", body, as_=owner)
        assert reply.status == 422, (body, reply.body)
        assert field in [error["field"] for error in reply.json["errors"]], reply.json
    assert api.get("/v1/stories", as_=owner).json["items"] == []


def test_a_familys_own_universe_and_characters_may_be_named(api, owner, mia):
    universe = api.post("/v1/universes", {"name": "Grandma's Garden"}, as_=owner).json
    character = api.post("/v1/characters", {"name": "Biscuit the Dog", "description": "A very good dog."}, as_=owner).json
    story = new_story(api, owner, mia, universe_id=universe["id"], character_ids=[character["id"], "builtin-pip-the-fox"])
    assert story["universe_id"] == universe["id"]


def test_text_a_young_childs_story_may_not_hold_is_refused_with_the_reasons(api, owner, leo, mia):
    reply = api.post(
        "/v1/stories",
        {"title": "Night", "child_id": leo, "theme": "suspense", "pages": [{"text": "The ghost had blood on its hands."}]},
        as_=owner,
    )  # fmt: skip
    assert reply.status == 422, reply.body
    problem = reply.json
    fields = {error["field"] for error in problem["errors"]}
    assert {"theme", "pages[0].text"} <= fields
    assert problem["reasons"] and all(isinstance(reason, str) for reason in problem["reasons"])
    assert api.get("/v1/stories", as_=owner).json["items"] == []

    story = new_story(api, owner, leo, pages=[{"text": "A bunny hopped home."}])
    refused = api.patch(f"/v1/stories/{story['id']}", {"pages": [{"text": "Blood and a ghost."}]}, as_=owner)
    assert refused.status == 422
    assert api.get(f"/v1/stories/{story['id']}", as_=owner).json["version"] == 1
    # The same text is fine for an older child: the rules are the child's.
    assert api.patch(f"/v1/stories/{story['id']}", {"title": "A brave night", "child_id": mia}, as_=owner).status == 200


def test_another_family_sees_nothing(api, login_as, owner, mia):
    story = new_story(api, owner, mia)
    intruder = login_as("owner")
    path = f"/v1/stories/{story['id']}"
    assert api.get(path, as_=intruder).status == 404
    assert api.put(path, {"title": "Mine", "child_id": mia}, as_=intruder, headers={"If-Match": '"1"'}).status == 404
    assert api.patch(path, {"title": "Mine"}, as_=intruder).status == 404
    assert api.delete(path, as_=intruder).status == 404
    assert api.post(f"{path}/share", as_=intruder).status == 404
    assert api.get("/v1/stories", as_=intruder).json["items"] == []
    # Nor may a story name another family's child.
    assert api.post("/v1/stories", {"title": "T", "child_id": mia}, as_=intruder).status == 422


def test_a_viewer_reads_but_cannot_write(api, login_as, owner, mia):
    story = new_story(api, owner, mia)
    viewer = login_as("viewer", org_of=owner)
    assert api.get(f"/v1/stories/{story['id']}", as_=viewer).status == 200
    assert api.post("/v1/stories", {"title": "T", "child_id": mia}, as_=viewer).status == 403
    assert api.patch(f"/v1/stories/{story['id']}", {"title": "T"}, as_=viewer).status == 403
    assert api.delete(f"/v1/stories/{story['id']}", as_=viewer).status == 403
    assert api.post(f"/v1/stories/{story['id']}/share", as_=viewer).status == 403


def test_the_childrens_space(api, owner, mia, leo):
    as_mia, as_leo = child_session(api, owner, mia), child_session(api, owner, leo)
    mine = new_story(api, as_mia, mia, title="Mia's secret")
    shared = new_story(api, as_mia, mia, title="Mia's for everyone", sharing="family")
    leos = new_story(api, as_leo, leo, title="Leo's", pages=[{"text": "A bunny hopped home."}])

    # A child creates stories only for themself.
    assert api.post("/v1/stories", {"title": "For Leo", "child_id": leo}, as_=as_mia).status == 403

    # Leo sees his own and the family's shared ones, never Mia's private one (404: no existence leak).
    listed = [s["id"] for s in api.get("/v1/stories", as_=as_leo).json["items"]]
    assert listed == [shared["id"], leos["id"]]
    assert api.get(f"/v1/stories?child_id={mia}", as_=as_leo).json["items"] == [shared]
    assert api.get(f"/v1/stories/{mine['id']}", as_=as_leo).status == 404
    assert api.patch(f"/v1/stories/{mine['id']}", {"title": "Hacked"}, as_=as_leo).status == 404
    assert api.delete(f"/v1/stories/{mine['id']}", as_=as_leo).status == 404
    # A sibling's shared story is read-only to him.
    assert api.get(f"/v1/stories/{shared['id']}", as_=as_leo).status == 200
    assert api.patch(f"/v1/stories/{shared['id']}", {"title": "Hacked"}, as_=as_leo).status == 403
    assert api.delete(f"/v1/stories/{shared['id']}", as_=as_leo).status == 403
    # Nor can he hand his story to his sister, or share a link: that is a parent's decision.
    assert api.patch(f"/v1/stories/{leos['id']}", {"child_id": mia}, as_=as_leo).status == 403
    assert api.post(f"/v1/stories/{leos['id']}/share", as_=as_leo).status == 403
    # His own he edits and deletes.
    assert api.patch(f"/v1/stories/{leos['id']}", {"status": "complete"}, as_=as_leo).status == 200
    assert api.delete(f"/v1/stories/{leos['id']}", as_=as_leo).status == 204

    # Parents see everything in the family.
    assert {s["id"] for s in api.get("/v1/stories", as_=owner).json["items"]} == {mine["id"], shared["id"]}
    assert api.get(f"/v1/stories/{mine['id']}", as_=owner).status == 200


def test_a_childs_session_cannot_touch_the_catalogue(api, owner, mia):
    as_mia = child_session(api, owner, mia)
    assert api.get("/v1/universes", as_=as_mia).status == 200
    assert api.post("/v1/universes", {"name": "Mine"}, as_=as_mia).status == 403
    assert api.post("/v1/characters", {"name": "Mine"}, as_=as_mia).status == 403


def test_sync_carries_stories_as_each_caller_sees_them(api, owner, mia, leo):
    as_leo = child_session(api, owner, leo)
    private = new_story(api, owner, mia, title="Private")
    shared = new_story(api, owner, mia, title="Shared", sharing="family")

    def synced(caller) -> dict[str, Any]:
        reply = api.get("/v1/sync?kinds=stories", as_=caller)
        assert reply.status == 200, reply.body
        return {change["id"]: change for change in reply.json["changes"] if change["kind"] == "stories"}

    assert set(synced(owner)) == {private["id"], shared["id"]}
    assert set(synced(as_leo)) == {shared["id"]}
    assert synced(owner)[shared["id"]]["record"]["title"] == "Shared"


def test_an_offline_child_pushes_their_own_stories_only(api, owner, mia, leo):
    from chalicelib.core.ids import new_id

    as_leo = child_session(api, owner, leo)
    sisters = new_story(api, owner, mia, title="Mia's")
    own_id, for_sister_id = new_id(), new_id()
    changes = [
        {"change_id": "c1", "kind": "stories", "id": own_id, "op": "create",
         "fields": {"title": "Written on the bus", "child_id": leo, "pages": [{"text": "A bunny hopped home."}]}},
        {"change_id": "c2", "kind": "stories", "id": for_sister_id, "op": "create", "fields": {"title": "For Mia", "child_id": mia}},
        {"change_id": "c3", "kind": "stories", "id": sisters["id"], "op": "update", "base_version": 1, "fields": {"title": "Mine"}},
    ]  # fmt: skip
    reply = api.post("/v1/sync", {"client_id": "leos-tablet", "changes": changes}, as_=as_leo)
    assert reply.status == 200, reply.body
    own, for_sister, sisters_update = reply.json["results"]
    assert own["status"] == "applied" and own["record"]["id"] == own_id and own["record"]["child_id"] == leo
    assert for_sister["status"] == "rejected" and for_sister["problem"]["status"] == 403
    # Her private story does not exist for him, offline as online.
    assert sisters_update["status"] == "rejected" and sisters_update["problem"]["status"] == 404
    assert api.get(f"/v1/stories/{sisters['id']}", as_=owner).json["title"] == "Mia's"
    assert api.get(f"/v1/stories/{for_sister_id}", as_=owner).status == 404
