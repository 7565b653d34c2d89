"""/v1/characters and /v1/universes: the built-in catalogue, read-only and the same for every
family, listed with each family's own, which its parents write."""
from __future__ import annotations

import pytest

from chalicelib.storyverse.stories.services.catalogue import CHARACTERS, UNIVERSES
from tests.api.storyverse_family import add_child, child_session

CATALOGUES = [("characters", CHARACTERS), ("universes", UNIVERSES)]


@pytest.mark.parametrize("collection, catalogue", CATALOGUES)
def test_the_catalogue_then_the_familys_own(api, owner, collection, catalogue):
    mine = api.post(f"/v1/{collection}", {"name": "Granny Pearl", "description": "Knits and tells tall tales."}, as_=owner)
    assert mine.status == 201, mine.body
    assert mine.json["builtin"] is False and mine.header("ETag") == '"1"'

    listed = api.get(f"/v1/{collection}", as_=owner).json
    assert [item["id"] for item in listed["items"]] == [*catalogue, mine.json["id"]]
    assert all(item["builtin"] for item in listed["items"][:-1]) and listed["next_cursor"] is None

    # One cursor walks the catalogue, then the family's own, a page at a time.
    seen, cursor = [], None
    while True:
        page = api.get(f"/v1/{collection}?limit=2" + (f"&cursor={cursor}" if cursor else ""), as_=owner).json
        seen += [item["id"] for item in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == [*catalogue, mine.json["id"]]

    assert [i["id"] for i in api.get(f"/v1/{collection}?source=family", as_=owner).json["items"]] == [mine.json["id"]]
    assert [i["id"] for i in api.get(f"/v1/{collection}?source=builtin", as_=owner).json["items"]] == list(catalogue)
    assert api.get(f"/v1/{collection}?source=elsewhere", as_=owner).status == 400
    assert api.get(f"/v1/{collection}?cursor=nonsense", as_=owner).status == 400


@pytest.mark.parametrize("collection, catalogue", CATALOGUES)
def test_a_builtin_one_is_readable_by_everyone_and_writable_by_no_one(api, login_as, owner, collection, catalogue):
    builtin_id = next(iter(catalogue))
    path = f"/v1/{collection}/{builtin_id}"
    child = child_session(api, owner, add_child(api, owner))
    for caller in (owner, login_as("owner"), login_as("viewer", org_of=owner), child):
        read = api.get(path, as_=caller)
        assert read.status == 200 and read.json["name"] == catalogue[builtin_id]["name"]
    for method, body in (("PUT", {"name": "Mine now"}), ("PATCH", {"name": "Mine now"}), ("DELETE", None)):
        refused = api.call(method, path, body, as_=owner, headers={"If-Match": '"1"'})
        assert refused.status == 403, (method, refused.body)
        assert "read-only" in refused.json["detail"]
    assert api.post(f"{path}/restore", as_=owner).status == 403
    assert api.get(f"/v1/{collection}/builtin-no-such-thing", as_=owner).status == 404


@pytest.mark.parametrize("collection", ["characters", "universes"])
def test_a_familys_own_edited_deleted_restored_and_private_to_it(api, login_as, owner, collection):
    created = api.post(f"/v1/{collection}", {"name": "Old name", "description": "x"}, as_=owner).json
    path = f"/v1/{collection}/{created['id']}"
    assert api.put(path, {"name": "New name"}, as_=owner, headers={"If-Match": '"9"'}).status == 412
    replaced = api.put(path, {"name": "New name"}, as_=owner, headers={"If-Match": '"1"'})
    assert replaced.status == 200 and replaced.json["description"] is None
    assert api.patch(path, {"description": "Kind."}, as_=owner).json["description"] == "Kind."
    assert api.post(f"/v1/{collection}", {"name": " "}, as_=owner).status == 422

    intruder, viewer = login_as("owner"), login_as("viewer", org_of=owner)
    assert api.get(path, as_=intruder).status == 404
    assert api.patch(path, {"name": "Stolen"}, as_=intruder).status == 404
    assert created["id"] not in [item["id"] for item in api.get(f"/v1/{collection}", as_=intruder).json["items"]]
    assert api.patch(path, {"name": "Viewer's"}, as_=viewer).status == 403
    assert api.post(f"/v1/{collection}", {"name": "Viewer's"}, as_=viewer).status == 403

    assert api.delete(path, as_=owner).status == 204
    assert api.get(path, as_=owner).status == 404
    assert api.post(f"{path}/restore", as_=owner).json["name"] == "New name"
