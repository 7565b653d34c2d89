"""StoryVerse end to end against `make run`, as issue 16 says it is done: a parent registers,
creates a child, the child logs in, creates a story, generates its text, a picture and narration
(the offline generator: templates, a drawn PNG, espeak-ng) on the local Step Functions, and reads
the story with its files; the sixth story of a basic family that day is 429 with RateLimit
headers; a child cannot change settings or read a sibling's private story; restricted themes are
refused for a young child; a public link works until revoked."""
from __future__ import annotations

import http.client
import json
import time
import uuid
from typing import Any

import pytest
import requests

from tests.conftest import Reply
from tests.localdev.conftest import REQUEST_TIMEOUT, LocalServer

JOB_DEADLINE_SECONDS = 180
PIN = "4821"


ANONYMOUS: dict[str, str] = {}


def request(server: LocalServer, caller: dict[str, str], method: str, path: str, body: Any = None,
            content_type: str = "application/json") -> Reply:  # fmt: skip
    """One HTTP/1.1 call with exactly the caller's headers (none for an anonymous one)."""
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=REQUEST_TIMEOUT)
    try:
        headers = {"Content-Type": content_type, "Connection": "close", **caller}
        connection.request(method, path, json.dumps(body) if body is not None else None, headers)
        response = connection.getresponse()
        return Reply(response.status, dict(response.getheaders()), response.read())
    finally:
        connection.close()


class Family:
    def __init__(self, server: LocalServer, access_token: str, org_id: str) -> None:
        self.server, self.org_id = server, org_id
        self.parent = {"Authorization": f"Bearer {access_token}"}

    def call(self, caller: dict[str, str], method: str, path: str, body: Any = None, expect: int | None = None):
        reply = request(self.server, caller, method, path, body)
        if expect is not None:
            assert reply.status == expect, (method, path, reply.status, reply.body)
        return reply

    def add_child(self, name: str, age_band: str) -> str:
        return self.call(self.parent, "POST", "/v1/children", {"name": name, "age_band": age_band}, 201).json["id"]

    def child_login(self, child_id: str) -> dict[str, str]:
        self.call(self.parent, "PUT", f"/v1/children/{child_id}/pin", {"pin": PIN}, 204)
        tokens = self.call(ANONYMOUS, "POST", "/v1/auth/child-login",
                           {"organization_id": self.org_id, "child_id": child_id, "pin": PIN}, 200).json  # fmt: skip
        return {"Authorization": f"Bearer {tokens['access_token']}"}

    def generated(self, caller: dict[str, str], kind: str, body: dict[str, Any]) -> dict[str, Any]:
        queued = self.call(caller, "POST", f"/v1/generate/{kind}", body, 202)
        assert queued.header("RateLimit") and queued.header("RateLimit-Policy")
        deadline = time.monotonic() + JOB_DEADLINE_SECONDS
        while True:
            job = self.call(caller, "GET", f"/v1/jobs/{queued.json['id']}", expect=200).json
            if job["status"] not in ("queued", "running"):
                assert job["status"] == "succeeded", job
                return job
            assert time.monotonic() < deadline, job
            time.sleep(0.5)

    def download(self, caller: dict[str, str], file_id: str) -> bytes:
        shown = self.call(caller, "GET", f"/v1/files/{file_id}", expect=200).json
        fetched = requests.get(shown["download_url"], timeout=30)
        assert fetched.status_code == 200
        return fetched.content


@pytest.fixture(scope="module")
def family(local_server: LocalServer) -> Family:
    """A parent who signs up as a developer would: register, the code from the local mailbox, confirm."""
    email = f"parent-{uuid.uuid4().hex[:8]}@example.com"
    registered = request(local_server, ANONYMOUS, "POST", "/v1/auth/register", {
        "email": email, "password": "correct horse battery", "name": "Sam", "organization": "The Rivers",
    })  # fmt: skip
    assert registered.status == 202, registered.body
    code = request(local_server, ANONYMOUS, "GET", f"/_local/mail/code?to={email}")
    assert code.status == 200, code.body
    confirmed = request(local_server, ANONYMOUS, "POST", "/v1/auth/register/confirm", {"token": code.body.decode().strip()})
    assert confirmed.status == 201, confirmed.body
    return Family(local_server, confirmed.json["access_token"], confirmed.json["organization_id"])


def test_a_child_writes_illustrates_narrates_and_reads_a_story(family: Family):
    leo = family.add_child("Leo", "under_7")
    leo_session = family.child_login(leo)
    story = family.call(leo_session, "POST", "/v1/stories", {"title": "Leo and the Sea", "child_id": leo}, 201).json

    text_job = family.generated(leo_session, "text", {"story_id": story["id"], "prompt": "a boat made of shells"})
    family.generated(leo_session, "image", {"story_id": story["id"], "page": 0})
    family.generated(leo_session, "audio", {"story_id": story["id"], "page": 0})
    assert text_job["created_by"] == leo

    read = family.call(leo_session, "GET", f"/v1/stories/{story['id']}", expect=200).json
    first = read["pages"][0]
    assert len(read["pages"]) > 1 and all(page["text"] for page in read["pages"])
    assert family.download(leo_session, first["image_file_id"])[:8] == b"\x89PNG\r\n\x1a\n"
    narration = family.download(leo_session, first["audio_file_id"])
    assert narration[:4] == b"RIFF" and narration[8:12] == b"WAVE" and len(narration) > 10_000


def test_a_child_cannot_change_settings_nor_read_a_siblings_private_story(family: Family):
    ada, ben = family.add_child("Ada", "7_12"), family.add_child("Ben", "7_12")
    ada_session = family.child_login(ada)
    bens = family.call(family.parent, "POST", "/v1/stories", {"title": "Ben's secret", "child_id": ben}, 201).json
    assert bens["sharing"] == "private"

    assert family.call(ada_session, "GET", f"/v1/stories/{bens['id']}").status == 404
    assert bens["id"] not in [s["id"] for s in family.call(ada_session, "GET", "/v1/stories", expect=200).json["items"]]
    settings = family.call(family.parent, "GET", "/v1/settings", expect=200)
    refused = request(family.server, {**ada_session, "If-Match": settings.header("ETag") or '"1"'}, "PATCH",
                      "/v1/settings", {"time_zone": "Europe/Paris"}, "application/merge-patch+json")  # fmt: skip
    assert refused.status == 403 and refused.header("Content-Type") == "application/problem+json"
    assert family.call(family.parent, "GET", "/v1/settings", expect=200).body == settings.body


def test_restricted_themes_are_refused_for_a_young_child(family: Family):
    noa = family.add_child("Noa", "under_7")
    noa_session = family.child_login(noa)
    story = family.call(noa_session, "POST", "/v1/stories", {"title": "Noa's night", "child_id": noa}, 201).json
    refused = family.call(noa_session, "POST", "/v1/generate/text",
                          {"story_id": story["id"], "prompt": "a zombie with a knife"}, 422)  # fmt: skip
    assert refused.header("Content-Type") == "application/problem+json" and refused.json["detail"]
    scary = family.call(noa_session, "POST", "/v1/stories", {
        "title": "The Ghost", "child_id": noa, "pages": [{"text": "Blood dripped from the ghost."}],
    }, 422)  # fmt: skip
    assert scary.header("Content-Type") == "application/problem+json"


def test_a_public_link_works_until_revoked(family: Family):
    child = family.add_child("Ivy", "13_plus")
    story = family.call(family.parent, "POST", "/v1/stories", {
        "title": "Ivy's Lighthouse", "child_id": child, "pages": [{"text": "The lamp turned all night."}],
    }, 201).json  # fmt: skip
    token = family.call(family.parent, "POST", f"/v1/stories/{story['id']}/share", expect=201).json["token"]

    public = request(family.server, ANONYMOUS, "GET", f"/v1/shared/stories/{token}")
    assert public.status == 200 and public.json["title"] == "Ivy's Lighthouse"
    family.call(family.parent, "DELETE", f"/v1/stories/{story['id']}/share", expect=200)
    assert request(family.server, ANONYMOUS, "GET", f"/v1/shared/stories/{token}").status == 404


def test_the_sixth_story_of_a_basic_family_today_is_429(family: Family):
    """Runs last in this module: the family's text generations before it (one) count too."""
    child = family.add_child("Max", "7_12")
    used = 1
    for number in range(5 - used):
        story = family.call(family.parent, "POST", "/v1/stories", {"title": f"Tale {number}", "child_id": child}, 201)
        family.generated(family.parent, "text", {"story_id": story.json["id"]})
    sixth = family.call(family.parent, "POST", "/v1/stories", {"title": "One too many", "child_id": child}, 201)
    refused = family.call(family.parent, "POST", "/v1/generate/text", {"story_id": sixth.json["id"]}, 429)
    assert refused.header("Content-Type") == "application/problem+json"
    assert refused.header("RateLimit-Policy") == '"daily";q=5;w=86400'
    assert refused.header("RateLimit").startswith('"daily";r=0;') and int(refused.header("Retry-After")) > 0
