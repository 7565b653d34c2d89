"""StoryVerse generation through HTTP and the jobs platform: POST /v1/generate/text|image|audio
queue jobs whose state machines (infra/state-machines/story_*.asl.json) run on moto's interpreter
with the app's task functions and the offline generator (templates, a drawn PNG, espeak-ng); the
results are read back as a family reads them (the story, its files, their downloads)."""
from __future__ import annotations

import struct
import zlib
from typing import Any

import pytest
import requests

from chalicelib.storyverse.generation.services import offline_generator
from tests.api.storyverse_family import add_child, child_session
from tests.jobs_fixtures import wait_for_job


@pytest.fixture
def leo(api, owner) -> str:
    return add_child(api, owner, "Leo", "under_7")


@pytest.fixture
def mia(api, owner) -> str:
    return add_child(api, owner, "Mia", "7_12")


def new_story(api, caller, child_id: str, **fields: Any) -> dict[str, Any]:
    reply = api.post("/v1/stories", {"title": "Leo and the Sea", "child_id": child_id, **fields}, as_=caller)
    assert reply.status == 201, reply.body
    return reply.json


def generated(api, caller, kind: str, body: dict[str, Any]) -> dict[str, Any]:
    """Queue a generation (202 with the job and its Location), wait for its end: the job."""
    reply = api.post(f"/v1/generate/{kind}", body, as_=caller)
    assert reply.status == 202, reply.body
    assert reply.header("Location") == f"/v1/jobs/{reply.json['id']}"
    assert reply.json["status"] == "queued" and reply.json["kind"] == f"story.{kind}"
    return wait_for_job(api, caller, reply.json["id"])


def story_of(api, caller, story_id: str) -> dict[str, Any]:
    reply = api.get(f"/v1/stories/{story_id}", as_=caller)
    assert reply.status == 200, reply.body
    return reply.json


def download(api, caller, file_id: str) -> tuple[dict[str, Any], bytes]:
    reply = api.get(f"/v1/files/{file_id}", as_=caller)
    assert reply.status == 200, reply.body
    fetched = requests.get(reply.json["download_url"], timeout=30)
    assert fetched.status_code == 200
    return reply.json, fetched.content


def png_pixels(png: bytes) -> tuple[int, int, bytes]:
    """Width, height and the raw scanlines of an 8-bit RGB PNG, every chunk's CRC checked."""
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    position, chunks = 8, {}
    while position < len(png):
        (length,) = struct.unpack(">I", png[position : position + 4])
        kind, data = png[position + 4 : position + 8], png[position + 8 : position + 8 + length]
        (crc,) = struct.unpack(">I", png[position + 8 + length : position + 12 + length])
        assert zlib.crc32(kind + data) & 0xFFFFFFFF == crc, kind
        chunks.setdefault(kind, b"")
        chunks[kind] += data
        position += 12 + length
    width, height, depth, color_type = struct.unpack(">IIBB", chunks[b"IHDR"][:10])
    assert (depth, color_type) == (8, 2) and b"IEND" in chunks
    return width, height, zlib.decompress(chunks[b"IDAT"])


def test_a_story_is_written_illustrated_and_narrated(api, owner, leo, step_functions):
    character = api.post("/v1/characters", {"name": "Biscuit", "description": "A very good dog"}, as_=owner).json
    universe = api.post("/v1/universes", {"name": "Pebble Cove", "description": "A sleepy harbour by the sea"},
                        as_=owner).json  # fmt: skip
    story = new_story(api, owner, leo, universe_id=universe["id"], character_ids=[character["id"]])

    text_job = generated(api, owner, "text", {"story_id": story["id"], "prompt": "a boat made of shells"})
    assert text_job["status"] == "succeeded", text_job
    pages = story_of(api, owner, story["id"])["pages"]
    # The youngest band's story: five pages, with the story's character, world and prompt in them.
    assert len(pages) == 5 and text_job["result"] == {"story_id": story["id"], "pages": [0, 1, 2, 3, 4]}
    told = " ".join(page["text"] for page in pages)
    assert "Biscuit" in told and "Pebble Cove" in told and "a boat made of shells" in told
    assert all(page["image_file_id"] is None and page["audio_file_id"] is None for page in pages)

    image_job = generated(api, owner, "image", {"story_id": story["id"], "page": 0})
    assert image_job["status"] == "succeeded", image_job
    page = story_of(api, owner, story["id"])["pages"][0]
    assert page["image_file_id"] == image_job["result"]["file_id"] and page["text"] == pages[0]["text"]
    shown, png = download(api, owner, page["image_file_id"])
    assert (shown["content_type"], shown["record_type"], shown["record_id"]) == ("image/png", "stories", story["id"])
    assert shown["size"] == len(png) == image_job["result"]["size"]
    width, height, scanlines = png_pixels(png)
    assert len(scanlines) == height * (1 + 3 * width)
    assert len({scanlines[i : i + 3] for i in range(1, len(scanlines), 3 * 7)}) > 10  # a picture, not a flat fill

    audio_job = generated(api, owner, "audio", {"story_id": story["id"], "page": 0})
    assert audio_job["status"] == "succeeded", audio_job
    page = story_of(api, owner, story["id"])["pages"][0]
    assert page["audio_file_id"] == audio_job["result"]["file_id"] and page["image_file_id"] == image_job["result"]["file_id"]
    shown, wav = download(api, owner, page["audio_file_id"])
    assert shown["content_type"] == "audio/wav" and wav[:4] == b"RIFF" and wav[8:12] == b"WAVE"
    # Seconds of speech, not an empty header: 16-bit mono at espeak-ng's 22,050 Hz.
    assert len(wav) > 22050


def test_a_retried_text_task_writes_the_same_pages_and_a_changed_story_is_not_overwritten(api, owner, mia, step_functions):
    story = new_story(api, owner, mia)
    job = generated(api, owner, "text", {"story_id": story["id"], "prompt": "a kite that flies at night"})
    written = story_of(api, owner, story["id"])["pages"]
    assert len(written) == 6
    # The task again, as Step Functions retries it after a failure that followed its writes.
    execution_input = {"job": {"org_id": owner.org_id, "job_id": job["id"]}, "metered_at": 0}
    step_functions["story_write_text"](execution_input, None)
    assert story_of(api, owner, story["id"])["pages"] == written
    # A generation queued when the story had no pages, run after a parent rewrote its first page.
    queued = api.post("/v1/generate/text", {"story_id": new_story(api, owner, mia)["id"]}, as_=owner)
    assert queued.status == 202
    later = wait_for_job(api, owner, queued.json["id"])
    assert later["status"] == "succeeded"
    other = queued.json["parameters"]["story_id"]
    current = story_of(api, owner, other)
    edited = [{**current["pages"][0], "text": "Mia wrote this page herself."}, *current["pages"][1:]]
    assert api.patch(f"/v1/stories/{other}", {"pages": edited}, as_=owner).status == 200
    with pytest.raises(Exception, match="The story changed since this generation was asked for"):
        step_functions["story_write_text"]({"job": {"org_id": owner.org_id, "job_id": later["id"]}, "metered_at": 0}, None)
    assert story_of(api, owner, other)["pages"][0]["text"] == "Mia wrote this page herself."


def test_a_prompt_the_childs_age_band_refuses_is_422_and_queues_and_charges_nothing(api, owner, leo, step_functions):
    story = new_story(api, owner, leo)
    reply = api.post("/v1/generate/text", {"story_id": story["id"], "prompt": "a zombie with a knife"}, as_=owner)
    assert reply.status == 422 and reply.header("Content-Type") == "application/problem+json"
    assert "children under 7" in reply.json["detail"]
    assert {error["field"] for error in reply.json["errors"]} == {"prompt"}
    assert any("zombie" in error["message"] for error in reply.json["errors"])
    assert reply.header("RateLimit") .startswith('"daily";r=5;')
    assert api.get("/v1/jobs", as_=owner).json["items"] == []
    assert _usage_today(api, owner) == []


def test_the_sixth_story_of_a_basic_family_today_is_429(api, owner, leo, mia, step_functions):
    child = child_session(api, owner, mia)
    stories = [new_story(api, owner, leo if number % 2 else mia, title=f"Story {number}") for number in range(6)]
    for number, story in enumerate(stories[:5]):
        # Whoever asks, parent or child, uses the family's one quota.
        caller = child if story["child_id"] == mia else owner
        reply = api.post("/v1/generate/text", {"story_id": story["id"]}, as_=caller)
        assert reply.status == 202, reply.body
        assert reply.header("RateLimit-Policy") == '"daily";q=5;w=86400'
        assert reply.header("RateLimit").startswith(f'"daily";r={4 - number};')
        # One at a time: moto's DynamoDB is not safe for concurrent transactions (AWS is).
        assert wait_for_job(api, owner, reply.json["id"])["status"] == "succeeded"
    refused = api.post("/v1/generate/text", {"story_id": stories[5]["id"]}, as_=owner)
    assert refused.status == 429 and refused.header("Content-Type") == "application/problem+json"
    assert refused.json["type"] == "/docs/errors#quota-exceeded" and "per organization" in refused.json["detail"]
    assert refused.header("RateLimit-Policy") == '"daily";q=5;w=86400'
    assert refused.header("RateLimit").startswith('"daily";r=0;') and int(refused.header("Retry-After")) > 0
    assert len(api.get("/v1/jobs", as_=owner).json["items"]) == 5
    # Pictures and narration have quotas of their own.
    image = api.post("/v1/generate/image", {"story_id": stories[0]["id"], "page": 0}, as_=owner)
    assert image.status == 202 and image.header("RateLimit-Policy") == '"daily";q=15;w=86400'
    assert wait_for_job(api, owner, image.json["id"])["status"] == "succeeded"
    assert _usage_today(api, owner) == [{"action": "stories.generate", "count": 5, "user_id": None},
                                        {"action": "stories.illustrate", "count": 1, "user_id": None}]  # fmt: skip


def test_a_generated_story_the_band_refuses_is_not_stored_and_the_quota_comes_back(api, owner, leo, step_functions):
    monster = api.post("/v1/characters", {"name": "Grumble", "description": "A monster who hides under beds"}, as_=owner)
    assert monster.status == 201, monster.body
    story = new_story(api, owner, leo, character_ids=[monster.json["id"]])
    job = generated(api, owner, "text", {"story_id": story["id"]})
    assert job["status"] == "failed"
    assert job["reason"].startswith("The generated story was not stored: it is not for children under 7.")
    assert "monster" in job["reason"]
    assert story_of(api, owner, story["id"])["pages"] == []
    assert _usage_today(api, owner) == []


def test_narration_without_espeak_ng_fails_the_job_naming_it(api, owner, leo, step_functions, monkeypatch):
    story = new_story(api, owner, leo, pages=[{"text": "Goodnight, moon."}])
    monkeypatch.setattr(offline_generator, "ESPEAK", "espeak-ng-not-installed")
    job = generated(api, owner, "audio", {"story_id": story["id"], "page": 0})
    assert job["status"] == "failed" and "espeak-ng" in job["reason"] and "apt-get install espeak-ng" in job["reason"]
    assert story_of(api, owner, story["id"])["pages"][0]["audio_file_id"] is None
    assert _usage_today(api, owner) == []


@pytest.mark.parametrize("kind", ["image", "audio"])
def test_a_page_without_text_cannot_be_illustrated_or_narrated(api, owner, leo, kind, step_functions):
    story = new_story(api, owner, leo)
    reply = api.post(f"/v1/generate/{kind}", {"story_id": story["id"], "page": 0}, as_=owner)
    assert reply.status == 422 and reply.json["errors"][0]["field"] == "page"
    assert api.get("/v1/jobs", as_=owner).json["items"] == []


def test_another_family_and_a_viewer(api, owner, leo, login_as, step_functions):
    story = new_story(api, owner, leo)
    stranger = login_as("owner")
    reply = api.post("/v1/generate/text", {"story_id": story["id"]}, as_=stranger)
    assert reply.status == 404 and reply.header("RateLimit").startswith('"daily";r=5;')
    viewer = login_as("viewer", org_of=owner)
    assert api.post("/v1/generate/text", {"story_id": story["id"]}, as_=viewer).status == 403
    assert api.post("/v1/generate/image", {"story_id": story["id"], "page": 0}, as_=viewer).status == 403
    assert api.get("/v1/jobs", as_=owner).json["items"] == []


def test_a_child_generates_for_their_own_stories_only(api, owner, leo, mia, step_functions):
    leo_session, mia_session = child_session(api, owner, leo), child_session(api, owner, mia)
    private = new_story(api, owner, mia, title="Mia's secret")
    shared = new_story(api, owner, mia, title="Mia's for everyone", sharing="family")
    assert api.post("/v1/generate/text", {"story_id": private["id"]}, as_=leo_session).status == 404
    assert api.post("/v1/generate/text", {"story_id": shared["id"]}, as_=leo_session).status == 403
    own = generated(api, mia_session, "text", {"story_id": private["id"]})
    assert own["status"] == "succeeded" and own["created_by"] == mia
    assert len(story_of(api, mia_session, private["id"])["pages"]) == 6
    assert _usage_today(api, owner) == [{"action": "stories.generate", "count": 1, "user_id": None}]


def test_a_child_sees_their_own_jobs_only(api, owner, leo, mia, step_functions):
    leo_session, mia_session = child_session(api, owner, leo), child_session(api, owner, mia)
    mias = generated(api, mia_session, "text", {"story_id": new_story(api, owner, mia)["id"]})
    leos = generated(api, leo_session, "text", {"story_id": new_story(api, owner, leo)["id"]})
    assert api.get(f"/v1/jobs/{mias['id']}", as_=leo_session).status == 404
    assert api.post(f"/v1/jobs/{mias['id']}/cancel", {}, as_=leo_session).status == 403  # no jobs:write
    assert [job["id"] for job in api.get("/v1/jobs", as_=leo_session).json["items"]] == [leos["id"]]
    assert {job["id"] for job in api.get("/v1/jobs", as_=owner).json["items"]} == {mias["id"], leos["id"]}


def _usage_today(api, owner) -> list[dict[str, Any]]:
    from chalicelib.core import clock

    today = clock.now().date().isoformat()
    reply = api.get(f"/v1/usage?from={today}&to={today}", as_=owner)
    assert reply.status == 200, reply.body
    return [{key: item[key] for key in ("action", "count", "user_id")} for item in reply.json["items"]]
