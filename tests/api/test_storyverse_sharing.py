"""A story's public link (POST/DELETE /v1/stories/{id}/share, GET /v1/shared/stories/{token}),
its files (as visible as the story), and the generation contract's read and write of a story
(services/stories.py: generation_context, record_generated_page)."""
from __future__ import annotations

import hashlib
from typing import Any

import pytest
import requests

from chalicelib.core.errors import Forbidden, NotFound, ValidationFailed
from chalicelib.platform.services.tokens import verify_access_token
from chalicelib.storyverse.stories.services.stories import StoryContext, generation_context, record_generated_page
from chalicelib.storyverse.stories.tables.stories import StoryModel
from tests.api.storyverse_family import add_child, child_session

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 24


@pytest.fixture
def mia(api, owner) -> str:
    return add_child(api, owner, "Mia", "7_12")


@pytest.fixture
def story(api, owner, mia) -> dict[str, Any]:
    reply = api.post(
        "/v1/stories",
        {"title": "The Lost Star", "child_id": mia, "universe_id": "builtin-starship-pebble",
         "character_ids": ["builtin-captain-bolt"], "pages": [{"text": "Captain Bolt hummed."}]},
        as_=owner,
    )  # fmt: skip
    assert reply.status == 201, reply.body
    return reply.json


def attach_image(api, caller, story_id: str) -> str:
    body = {"name": "page1.png", "content_type": "image/png", "size": len(PNG), "record_type": "stories", "record_id": story_id}
    created = api.post("/v1/files", body, as_=caller)
    assert created.status == 201, created.body
    upload = created.json["upload"]
    assert requests.post(upload["url"], data=upload["fields"], files={"file": ("x", PNG)}, timeout=10).status_code == 204
    assert api.get(f"/v1/files/{created.json['id']}", as_=caller).json["status"] == "uploaded"
    return created.json["id"]


def test_a_public_link_shows_the_story_with_its_files_until_revoked(api, owner, story):
    file_id = attach_image(api, owner, story["id"])
    assert api.patch(f"/v1/stories/{story['id']}", {"pages": [{"text": "Captain Bolt hummed.", "image_file_id": file_id}]},
                     as_=owner).status == 200  # fmt: skip

    shared = api.post(f"/v1/stories/{story['id']}/share", as_=owner)
    assert shared.status == 201, shared.body
    token = shared.json["token"]
    assert shared.json["story"]["sharing"] == "public" and shared.json["path"] == f"/v1/shared/stories/{token}"
    # Only the token's hash is stored.
    stored = StoryModel.get(owner.org_id, story["id"])
    assert stored.share_token_hash == hashlib.sha256(token.encode()).hexdigest() and token not in str(stored.attribute_values)

    public = api.get(f"/v1/shared/stories/{token}")  # no Authorization
    assert public.status == 200, public.body
    assert public.header("RateLimit-Policy")
    view = public.json
    assert view["title"] == "The Lost Star" and view["universe"]["name"] == "Starship Pebble"
    assert [c["name"] for c in view["characters"]] == ["Captain Bolt"]
    assert "child_id" not in view and "created_by" not in view
    image = view["pages"][0]["image"]
    assert view["pages"][0]["text"] == "Captain Bolt hummed." and view["pages"][0]["audio"] is None
    assert requests.get(image["url"], timeout=10).content == PNG

    # A new link replaces the old one.
    again = api.post(f"/v1/stories/{story['id']}/share", as_=owner).json["token"]
    assert api.get(f"/v1/shared/stories/{token}").status == 404
    assert api.get(f"/v1/shared/stories/{again}").status == 200

    revoked = api.delete(f"/v1/stories/{story['id']}/share", as_=owner)
    assert revoked.status == 200 and revoked.json["sharing"] == "family"
    assert api.get(f"/v1/shared/stories/{again}").status == 404
    assert api.delete(f"/v1/stories/{story['id']}/share", as_=owner).status == 409


def test_a_deleted_or_made_private_storys_link_is_404(api, owner, mia, story):
    token = api.post(f"/v1/stories/{story['id']}/share", as_=owner).json["token"]
    assert api.delete(f"/v1/stories/{story['id']}", as_=owner).status == 204
    assert api.get(f"/v1/shared/stories/{token}").status == 404
    # Restored, it stays unshared.
    assert api.post(f"/v1/stories/{story['id']}/restore", as_=owner).json["sharing"] == "family"
    assert api.get(f"/v1/shared/stories/{token}").status == 404

    token = api.post(f"/v1/stories/{story['id']}/share", as_=owner).json["token"]
    assert api.patch(f"/v1/stories/{story['id']}", {"sharing": "private"}, as_=owner).json["sharing"] == "private"
    assert api.get(f"/v1/shared/stories/{token}").status == 404


def test_a_guessed_or_malformed_token_is_404_and_guessing_is_rate_limited(api):
    assert api.get("/v1/shared/stories/short").status == 404
    guesses = [api.get(f"/v1/shared/stories/{'A' * 42}{n % 10}").status for n in range(30)]
    assert guesses == [404] * 30
    refused = api.get(f"/v1/shared/stories/{'B' * 43}")
    assert refused.status == 429 and refused.header("RateLimit")


def test_a_storys_files_are_as_visible_as_the_story(api, owner, mia, story):
    file_id = attach_image(api, owner, story["id"])
    leo = child_session(api, owner, add_child(api, owner, "Leo", "under_7"))
    as_mia = child_session(api, owner, mia)
    assert api.get(f"/v1/files/{file_id}", as_=as_mia).status == 200
    assert api.get(f"/v1/files/{file_id}", as_=leo).status == 404
    assert api.get(f"/v1/files?record_type=stories&record_id={story['id']}", as_=leo).status == 404
    assert api.patch(f"/v1/stories/{story['id']}", {"sharing": "family"}, as_=owner).status == 200
    assert api.get(f"/v1/files/{file_id}", as_=leo).status == 200


def test_a_page_names_only_files_of_its_own_story(api, owner, mia, story):
    other = api.post("/v1/stories", {"title": "Another", "child_id": mia}, as_=owner).json
    foreign = attach_image(api, owner, other["id"])
    reply = api.patch(f"/v1/stories/{story['id']}", {"pages": [{"image_file_id": foreign}]}, as_=owner)
    assert reply.status == 422 and reply.json["errors"][0]["field"] == "pages[0].image_file_id"


def test_generation_reads_and_writes_a_story_as_its_caller_may(api, owner, mia, story):
    parent = verify_access_token(owner.access_token)
    context = generation_context(parent, story["id"])
    assert context == StoryContext(
        story_id=story["id"], title="The Lost Star", child_id=mia, age_band="7_12",
        universe=("Starship Pebble", context.universe[1]), characters=[("Captain Bolt", context.characters[0][1])], pages=1,
    )  # fmt: skip

    as_mia = verify_access_token(child_session(api, owner, mia).access_token)
    assert generation_context(as_mia, story["id"]).child_id == mia
    as_leo = verify_access_token(child_session(api, owner, add_child(api, owner, "Leo")).access_token)
    with pytest.raises(NotFound):
        generation_context(as_leo, story["id"])
    api.patch(f"/v1/stories/{story['id']}", {"sharing": "family"}, as_=owner)
    with pytest.raises(Forbidden):
        generation_context(as_leo, story["id"])

    updated = record_generated_page(owner.org_id, story["id"], 1, text="The stars sang.", actor_id="generator")
    assert [page["text"] for page in updated["pages"]] == ["Captain Bolt hummed.", "The stars sang."]
    updated = record_generated_page(owner.org_id, story["id"], 0, audio_file_id="01HZZZZZZZZZZZZZZZZZZZZZZZ", actor_id="generator")
    assert updated["pages"][0] == {"text": "Captain Bolt hummed.", "image_file_id": None, "audio_file_id": "01HZZZZZZZZZZZZZZZZZZZZZZZ"}
    with pytest.raises(ValidationFailed):
        record_generated_page(owner.org_id, story["id"], 5, text="Too far.", actor_id="generator")
    read = api.get(f"/v1/stories/{story['id']}", as_=owner).json
    assert read["pages"] == updated["pages"] and read["version"] == updated["version"]
    trail = api.get(f"/v1/audit-logs?target_type=story&target_id={story['id']}", as_=owner).json["items"]
    assert trail[0]["actor"] == "generator"
