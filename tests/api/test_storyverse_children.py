"""StoryVerse families: /v1/children (profiles), a child's PIN and device tokens, the child's
sign-in (POST /v1/auth/child-login, /v1/auth/device-login), the parent ending a child's sessions,
and what the child role may never do."""
from __future__ import annotations

import time

import boto3
import jwt
import pytest

from chalicelib.core import clock
from chalicelib.platform.services.signing_keys import get_key_ring
from tests.conftest import Caller

PIN = "4821"


def create_child(api, parent, **fields):
    reply = api.post("/v1/children", {"name": "Mia", "age_band": "under_7", **fields}, as_=parent)
    assert reply.status == 201, reply.body
    return reply.json


def set_pin(api, parent, child_id, pin=PIN):
    reply = api.put(f"/v1/children/{child_id}/pin", {"pin": pin}, as_=parent)
    assert reply.status == 204, reply.body


def pin_login(api, org_id, child_id, pin=PIN):
    return api.post("/v1/auth/child-login", {"organization_id": org_id, "child_id": child_id, "pin": pin})


def as_child(reply) -> Caller:
    assert reply.status == 200, reply.body
    tokens = reply.json
    claims = jwt.decode(tokens["access_token"], options={"verify_signature": False})
    return Caller(tokens["access_token"], tokens["refresh_token"], claims["sub"], claims["org"], claims["role"], "")


@pytest.fixture
def child(api, owner):
    return create_child(api, owner)


@pytest.fixture
def child_caller(api, owner, child):
    set_pin(api, owner, child["id"])
    return as_child(pin_login(api, owner.org_id, child["id"]))


# Profiles


def test_a_parent_creates_reads_lists_patches_deletes_and_restores_a_child(api, owner):
    created = api.post("/v1/children", {"name": " Mia ", "age_band": "under_7", "avatar": "fox"}, as_=owner)
    assert created.status == 201, created.body
    child = created.json
    assert created.header("ETag") == '"1"' and created.header("Location") == f"/v1/children/{child['id']}"
    assert child["name"] == "Mia" and child["age_band"] == "under_7" and child["avatar"] == "fox"
    assert child["birth_year"] is None and child["has_pin"] is False and child["pin_locked_until"] is None
    assert child["restrictions"]["max_scariness"] == 1 and "blood" in child["restrictions"]["blocked_words"]

    assert api.get(f"/v1/children/{child['id']}", as_=owner).json == child
    create_child(api, owner, name="Leo", age_band="7_12")
    assert [c["name"] for c in api.get("/v1/children", as_=owner).json["items"]] == ["Mia", "Leo"]

    patched = api.patch(f"/v1/children/{child['id']}", {"age_band": "7_12", "avatar": None}, as_=owner,
                        headers={"If-Match": '"1"'})  # fmt: skip
    assert patched.status == 200, patched.body
    assert patched.header("ETag") == '"2"'
    assert patched.json["age_band"] == "7_12" and patched.json["avatar"] is None
    assert patched.json["restrictions"]["vocabulary_level"] == "intermediate"

    assert api.delete(f"/v1/children/{child['id']}", as_=owner).status == 204
    assert api.get(f"/v1/children/{child['id']}", as_=owner).status == 404
    assert [c["name"] for c in api.get("/v1/children", as_=owner).json["items"]] == ["Leo"]
    restored = api.post(f"/v1/children/{child['id']}/restore", as_=owner)
    assert restored.status == 200 and restored.json["name"] == "Mia"


def test_if_match_guards_a_patch(api, owner, child):
    stale = api.patch(f"/v1/children/{child['id']}", {"name": "Mila"}, as_=owner, headers={"If-Match": '"7"'})
    assert stale.status == 412
    assert stale.header("content-type") == "application/problem+json"
    assert api.get(f"/v1/children/{child['id']}", as_=owner).json["name"] == "Mia"
    malformed = api.patch(f"/v1/children/{child['id']}", {"name": "Mila"}, as_=owner, headers={"If-Match": "1"})
    assert malformed.status == 400


def test_a_birth_year_gives_the_band_or_must_agree_with_it(api, owner):
    year = clock.now().year
    reply = api.post("/v1/children", {"name": "Ada", "birth_year": year - 9}, as_=owner)
    assert reply.status == 201 and reply.json["age_band"] == "7_12"
    # Born 7 years ago: 6 before the birthday, 7 after; either band fits.
    for band in ("under_7", "7_12"):
        assert api.post("/v1/children", {"name": "Bo", "birth_year": year - 7, "age_band": band}, as_=owner).status == 201
    wrong = api.post("/v1/children", {"name": "Cy", "birth_year": year - 3, "age_band": "13_plus"}, as_=owner)
    assert wrong.status == 422
    assert wrong.json["errors"][0]["field"] == "age_band" and f"born in {year - 3}" in wrong.json["detail"]
    future = api.post("/v1/children", {"name": "Di", "birth_year": year + 1}, as_=owner)
    assert future.status == 422 and future.json["errors"][0]["field"] == "birth_year"
    # A patch's birth year that contradicts the band is refused, and writes nothing.
    child = reply.json
    contradicted = api.patch(f"/v1/children/{child['id']}", {"birth_year": year - 2, "age_band": "7_12"}, as_=owner)
    assert contradicted.status == 422
    assert api.get(f"/v1/children/{child['id']}", as_=owner).json["version"] == 1
    # A new birth year alone moves the band with it.
    moved = api.patch(f"/v1/children/{child['id']}", {"birth_year": year - 14}, as_=owner)
    assert moved.status == 200 and moved.json["age_band"] == "13_plus"


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"name": "Mia"},
        {"name": "", "age_band": "under_7"},
        {"name": "   ", "age_band": "under_7"},
        {"name": "Mia", "age_band": "adult"},
        {"name": "Mia", "age_band": "under_7", "pin": "1234"},
        {"name": "Mia", "birth_year": "2019"},
        {"name": "Mia", "birth_year": 1800},
        ["Mia"],
    ],
)
def test_invalid_profiles_are_refused_and_write_nothing(api, owner, body):
    reply = api.post("/v1/children", body, as_=owner)
    assert reply.status in (400, 422), reply.body
    assert reply.header("content-type") == "application/problem+json"
    assert api.get("/v1/children", as_=owner).json["items"] == []


def test_every_write_is_audited_without_secrets(api, owner, child, delivered_events):
    api.patch(f"/v1/children/{child['id']}", {"name": "Mila"}, as_=owner)
    set_pin(api, owner, child["id"])
    device = api.post(f"/v1/children/{child['id']}/devices", {"name": "Tablet"}, as_=owner).json
    api.delete(f"/v1/children/{child['id']}/devices/{device['id']}", as_=owner)
    api.post(f"/v1/children/{child['id']}/sessions/revoke", as_=owner)
    api.delete(f"/v1/children/{child['id']}/pin", as_=owner)
    api.delete(f"/v1/children/{child['id']}", as_=owner)
    entries = api.get("/v1/audit-logs", as_=owner).json["items"]
    actions = [entry["action"] for entry in entries if entry["target_type"] == "child"]
    assert sorted(actions) == sorted(["created", "updated", "pin_set", "device_created", "device_revoked",
                                      "sessions_revoked", "pin_removed", "deleted"])  # fmt: skip
    assert all(entry["actor"] == owner.user_id for entry in entries if entry["target_type"] == "child")
    events = [event.type for event in delivered_events() if event.subject_type == "child"]
    assert "child.created" in events and "child.pin_set" in events and "child.sessions_revoked" in events
    text = str(entries)
    assert PIN not in text and "pin_hash" not in text and device["device_token"] not in text


def test_the_pin_and_device_tokens_are_never_stored_in_clear(api, owner, child):
    set_pin(api, owner, child["id"])
    token = api.post(f"/v1/children/{child['id']}/devices", {"name": "Tablet"}, as_=owner).json["device_token"]
    secret = token.rsplit(".", 1)[1]
    dynamodb = boto3.client("dynamodb", region_name="us-east-1")
    for table in [name for name in dynamodb.list_tables()["TableNames"] if name.startswith("zebros-test-")]:
        for page in dynamodb.get_paginator("scan").paginate(TableName=table):  # the test reads whole tables; the app never scans
            assert secret not in str(page["Items"]), table
            assert f"'{PIN}'" not in str(page["Items"]), table


# Tenancy and roles


def test_another_family_finds_no_child(api, owner, login_as, child):
    other = login_as("owner")
    path = f"/v1/children/{child['id']}"
    assert api.get(path, as_=other).status == 404
    assert api.patch(path, {"name": "X"}, as_=other).status == 404
    assert api.delete(path, as_=other).status == 404
    assert api.put(f"{path}/pin", {"pin": "9051"}, as_=other).status == 404
    assert api.post(f"{path}/devices", {"name": "Tablet"}, as_=other).status == 404
    assert api.get(f"{path}/devices", as_=other).status == 404
    assert api.post(f"{path}/sessions/revoke", as_=other).status == 404
    assert api.get("/v1/children", as_=other).json["items"] == []
    assert api.get(path, as_=owner).json["name"] == "Mia"


def test_members_manage_children_and_viewers_only_read(api, owner, login_as, child):
    member, viewer = login_as("member", org_of=owner), login_as("viewer", org_of=owner)
    assert api.patch(f"/v1/children/{child['id']}", {"avatar": "owl"}, as_=member).status == 200
    assert api.get(f"/v1/children/{child['id']}", as_=viewer).status == 200
    assert api.get(f"/v1/children/{child['id']}/devices", as_=viewer).status == 200
    for method, path, body in [
        ("POST", "/v1/children", {"name": "Leo", "age_band": "7_12"}),
        ("PATCH", f"/v1/children/{child['id']}", {"name": "X"}),
        ("DELETE", f"/v1/children/{child['id']}", None),
        ("PUT", f"/v1/children/{child['id']}/pin", {"pin": "9051"}),
        ("DELETE", f"/v1/children/{child['id']}/pin", None),
        ("POST", f"/v1/children/{child['id']}/devices", {"name": "Tablet"}),
        ("POST", f"/v1/children/{child['id']}/sessions/revoke", None),
    ]:
        reply = api.call(method, path, body, as_=viewer)
        assert reply.status == 403, (method, path)
    assert api.get(f"/v1/children/{child['id']}", as_=owner).json["avatar"] == "owl"


CHILD_REFUSED = [
    ("GET", "/v1/children", None),
    ("POST", "/v1/children", {"name": "Sibling", "age_band": "7_12"}),
    ("GET", "/v1/children/{child_id}", None),
    ("PATCH", "/v1/children/{child_id}", {"age_band": "13_plus"}),
    ("DELETE", "/v1/children/{child_id}", None),
    ("PUT", "/v1/children/{child_id}/pin", {"pin": "9051"}),
    ("POST", "/v1/children/{child_id}/devices", {"name": "My own tablet"}),
    ("POST", "/v1/children/{child_id}/sessions/revoke", None),
    ("GET", "/v1/settings", None),
    ("PATCH", "/v1/settings", {"currency": "EUR"}),
    ("GET", "/v1/users", None),
    ("POST", "/v1/users/invite", {"email": "friend@example.com", "name": "Friend", "role": "owner"}),
    ("PUT", "/v1/users/{parent_id}/role", {"role": "viewer"}),
    ("GET", "/v1/roles", None),
    ("POST", "/v1/roles", {"name": "Super child", "permissions": ["settings:write"]}),
    ("GET", "/v1/api-keys", None),
    ("POST", "/v1/api-keys", {"name": "Mine", "permissions": ["stories:read"]}),
    ("GET", "/v1/teams", None),
    ("POST", "/v1/teams", {"name": "Kids"}),
    ("GET", "/v1/usage?from={today}&to={today}&user_id={parent_id}", None),
    ("GET", "/v1/audit-logs", None),
    ("GET", "/v1/customers", None),
]


@pytest.mark.parametrize("method, path, body", CHILD_REFUSED, ids=[f"{m} {p}" for m, p, _ in CHILD_REFUSED])
def test_a_child_can_change_nothing_of_the_parents(api, owner, child, child_caller, method, path, body):
    path = path.format(child_id=child["id"], parent_id=owner.user_id, today=clock.now().date().isoformat())
    reply = api.call(method, path, body, as_=child_caller)
    assert reply.status == 403, reply.body
    assert reply.header("content-type") == "application/problem+json"
    assert api.get(f"/v1/children/{child['id']}", as_=owner).json["version"] == 1


def test_a_child_session_keeps_the_child_role(api, owner, child, child_caller):
    assert (child_caller.role, child_caller.user_id, child_caller.org_id) == ("child", child["id"], owner.org_id)
    refreshed = api.post("/v1/auth/refresh", {"refresh_token": child_caller.refresh_token})
    assert refreshed.status == 200, refreshed.body
    claims = jwt.decode(refreshed.json["access_token"], options={"verify_signature": False})
    assert (claims["role"], claims["sub"], claims["org"]) == ("child", child["id"], owner.org_id)
    # A child has no login of its own to switch organizations with.
    switched = api.post("/v1/auth/switch-organization", {"organization_id": owner.org_id}, as_=as_child(refreshed))
    assert switched.status == 403
    assert api.get("/v1/me/organizations", as_=as_child(refreshed)).status == 403


@pytest.mark.parametrize("role", ["child"])
def test_the_child_role_is_never_given_to_an_adult(api, owner, login_as, role):
    invited = api.post("/v1/users/invite", {"email": "kid@example.com", "name": "Kid", "role": role}, as_=owner)
    assert invited.status == 422 and invited.json["errors"][0]["field"] == "role"
    assert [u["email"] for u in api.get("/v1/users", as_=owner).json["items"]] == [owner.email]
    member = login_as("member", org_of=owner)
    changed = api.put(f"/v1/users/{member.user_id}/role", {"role": role}, as_=owner)
    assert changed.status == 422 and changed.json["errors"][0]["field"] == "role"
    assert api.get(f"/v1/users/{member.user_id}", as_=owner).json["role"] == "member"


# PIN login


def test_pin_login_gives_a_child_session(api, owner, child):
    set_pin(api, owner, child["id"])
    assert api.get(f"/v1/children/{child['id']}", as_=owner).json["has_pin"] is True
    reply = pin_login(api, owner.org_id, child["id"])
    assert reply.status == 200, reply.body
    assert reply.header("Cache-Control") == "no-store"
    assert reply.header("RateLimit") is not None
    assert reply.json["token_type"] == "Bearer" and reply.json["organization_id"] == owner.org_id
    caller = as_child(reply)
    assert api.get("/v1/jobs", as_=caller).status == 200
    assert api.post("/v1/auth/logout", as_=caller).status == 204
    assert api.get("/v1/jobs", as_=caller).status == 401


@pytest.mark.parametrize("pin", ["1111", "1234", "98765", "123", "12345678901", "12a4"])
def test_guessable_or_malformed_pins_are_refused(api, owner, child, pin):
    reply = api.put(f"/v1/children/{child['id']}/pin", {"pin": pin}, as_=owner)
    assert reply.status == 422
    assert api.get(f"/v1/children/{child['id']}", as_=owner).json["has_pin"] is False


def test_a_wrong_pin_and_an_unknown_child_answer_alike(api, owner, login_as, child):
    set_pin(api, owner, child["id"])
    other = login_as("owner")
    no_pin = create_child(api, owner, name="Leo")
    answers = [
        pin_login(api, owner.org_id, child["id"], pin="9051"),  # wrong PIN
        pin_login(api, owner.org_id, "01ARZ3NDEKTSV4RRFFQ69G5FAV"),  # no such child
        pin_login(api, other.org_id, child["id"]),  # another family
        pin_login(api, owner.org_id, no_pin["id"]),  # a child without a PIN
        pin_login(api, "not-an-id", child["id"]),
        pin_login(api, owner.org_id, child["id"], pin=""),
    ]
    assert {reply.status for reply in answers} == {401}
    assert len({reply.json["detail"] for reply in answers}) == 1


def test_wrong_pins_lock_the_child_until_the_pause_ends_or_a_new_pin(api, owner, child, monkeypatch):
    set_pin(api, owner, child["id"])
    for _ in range(5):
        assert pin_login(api, owner.org_id, child["id"], pin="9051").status == 401
    locked = pin_login(api, owner.org_id, child["id"])  # even the right PIN
    assert locked.status == 429
    assert locked.header("content-type") == "application/problem+json"
    assert 0 < int(locked.header("Retry-After")) <= 60
    assert "Too many wrong PINs" in locked.json["detail"]
    assert api.get(f"/v1/children/{child['id']}", as_=owner).json["pin_locked_until"] is not None
    # Once the pause is over the right PIN logs in again.
    later = clock.epoch_seconds() + 61
    monkeypatch.setattr(clock, "epoch_seconds", lambda: later)
    assert pin_login(api, owner.org_id, child["id"]).status == 200
    # A new PIN set by the parent lifts a lock at once.
    monkeypatch.undo()
    for _ in range(5):
        pin_login(api, owner.org_id, child["id"], pin="9051")
    assert pin_login(api, owner.org_id, child["id"]).status == 429
    set_pin(api, owner, child["id"], pin="7302")
    assert pin_login(api, owner.org_id, child["id"], pin="7302").status == 200


@pytest.mark.parametrize("path", ["/v1/auth/child-login", "/v1/auth/device-login"])
def test_child_logins_are_limited_per_address(api, owner, child, path):
    set_pin(api, owner, child["id"])
    guesses = {"/v1/auth/child-login": {"organization_id": owner.org_id, "child_id": "01ARZ3NDEKTSV4RRFFQ69G5FAV", "pin": "9051"},
               "/v1/auth/device-login": {"device_token": "svd.guess"}}  # fmt: skip
    assert {api.post(path, guesses[path]).status for _ in range(30)} == {401}
    refused = pin_login(api, owner.org_id, child["id"]) if path.endswith("child-login") else api.post(path, guesses[path])
    assert refused.status == 429 and refused.header("Retry-After") is not None
    assert refused.header("RateLimit-Policy") == '"per-minute";q=30;w=60'


def test_a_deleted_child_logs_in_no_more_and_its_sessions_end(api, owner, child, child_caller):
    assert api.get("/v1/jobs", as_=child_caller).status == 200
    assert api.delete(f"/v1/children/{child['id']}", as_=owner).status == 204
    assert api.get("/v1/jobs", as_=child_caller).status == 401
    assert api.post("/v1/auth/refresh", {"refresh_token": child_caller.refresh_token}).status == 401
    assert pin_login(api, owner.org_id, child["id"]).status == 401
    api.post(f"/v1/children/{child['id']}/restore", as_=owner)
    assert pin_login(api, owner.org_id, child["id"]).status == 200


# Ending a child's sessions


def test_the_parent_ends_the_childs_sessions(api, owner, child, child_caller):
    second = as_child(pin_login(api, owner.org_id, child["id"]))
    assert api.get("/v1/jobs", as_=second).status == 200
    reply = api.post(f"/v1/children/{child['id']}/sessions/revoke", as_=owner)
    assert reply.status == 204
    for caller in (child_caller, second):
        refused = api.get("/v1/jobs", as_=caller)
        assert refused.status == 401 and "invalid_token" in refused.header("WWW-Authenticate")
    for caller in (child_caller, second):
        assert api.post("/v1/auth/refresh", {"refresh_token": caller.refresh_token}).status == 401
    # The parent's own session is untouched, and the child may log in again.
    assert api.get("/v1/children", as_=owner).status == 200
    assert pin_login(api, owner.org_id, child["id"]).status == 200


# Device tokens


def test_a_device_token_is_shown_once_logs_in_and_is_revocable(api, owner, child):
    created = api.post(f"/v1/children/{child['id']}/devices", {"name": "Kitchen tablet"}, as_=owner)
    assert created.status == 201, created.body
    assert created.header("Cache-Control") == "no-store"
    device = created.json
    assert device["device_token"].startswith(f"svd.{owner.org_id}.{child['id']}.")
    listed = api.get(f"/v1/children/{child['id']}/devices", as_=owner).json["items"]
    assert [d["name"] for d in listed] == ["Kitchen tablet"] and "device_token" not in listed[0]

    login = api.post("/v1/auth/device-login", {"device_token": device["device_token"]})
    caller = as_child(login)
    assert (caller.role, caller.user_id) == ("child", child["id"])
    assert api.get("/v1/jobs", as_=caller).status == 200
    assert api.get(f"/v1/children/{child['id']}/devices", as_=owner).json["items"][0]["last_used_at"] is not None
    set_pin(api, owner, child["id"])
    pin_caller = as_child(pin_login(api, owner.org_id, child["id"]))

    assert api.delete(f"/v1/children/{child['id']}/devices/{device['id']}", as_=owner).status == 204
    assert api.delete(f"/v1/children/{child['id']}/devices/{device['id']}", as_=owner).status == 204
    assert api.get(f"/v1/children/{child['id']}/devices", as_=owner).json["items"][0]["revoked"] is True
    assert api.post("/v1/auth/device-login", {"device_token": device["device_token"]}).status == 401
    # Its sessions end; a session the PIN opened does not.
    assert api.get("/v1/jobs", as_=caller).status == 401
    assert api.get("/v1/jobs", as_=pin_caller).status == 200
    assert api.post("/v1/auth/refresh", {"refresh_token": caller.refresh_token}).status == 401
    assert api.post("/v1/auth/refresh", {"refresh_token": pin_caller.refresh_token}).status == 200


def test_forged_device_tokens_are_refused_alike(api, owner, login_as, child):
    token = api.post(f"/v1/children/{child['id']}/devices", {"name": "Tablet"}, as_=owner).json["device_token"]
    prefix, org_id, child_id, device_id, secret = token.split(".")
    other = login_as("owner")
    forged = [
        f"{prefix}.{org_id}.{child_id}.{device_id}.{secret[:-2]}xx",
        f"{prefix}.{other.org_id}.{child_id}.{device_id}.{secret}",
        f"{prefix}.{org_id}.{child_id}.01ARZ3NDEKTSV4RRFFQ69G5FAV.{secret}",
        f"{prefix}.{org_id}.{child_id}.{device_id}",
        "garbage",
    ]
    answers = [api.post("/v1/auth/device-login", {"device_token": value}) for value in forged]
    assert [reply.status for reply in answers] == [401] * len(forged)
    assert len({reply.json["detail"] for reply in answers}) == 1


# Token attacks on a child's session


def _signed(claims):
    ring = get_key_ring()
    return jwt.encode(claims, ring.private_key, algorithm="ES256", headers={"kid": ring.kid})


def test_a_child_token_claiming_another_role_is_refused(api, owner, child_caller):
    claims = jwt.decode(child_caller.access_token, options={"verify_signature": False})
    header, _, signature = child_caller.access_token.split(".")
    import base64
    import json

    def b64(value):
        return base64.urlsafe_b64encode(json.dumps(value).encode()).rstrip(b"=").decode()

    tampered = f"{header}.{b64({**claims, 'role': 'owner'})}.{signature}"
    assert api.get("/v1/settings", headers={"Authorization": f"Bearer {tampered}"}).status == 401
    # Even signed with the API's own key, a token of a child's session claiming another role is
    # refused: the session says who it is for.
    for role in ("owner", "admin", "member"):
        escalated = _signed({**claims, "role": role})
        assert api.get("/v1/settings", headers={"Authorization": f"Bearer {escalated}"}).status == 401, role
    assert api.get("/v1/jobs", headers={"Authorization": f"Bearer {_signed(claims)}"}).status == 200


def test_an_expired_or_other_family_child_token_is_refused(api, owner, login_as, child_caller):
    claims = jwt.decode(child_caller.access_token, options={"verify_signature": False})
    now = int(time.time())
    expired = _signed({**claims, "iat": now - 2000, "nbf": now - 2000, "exp": now - 1000})
    assert api.get("/v1/jobs", headers={"Authorization": f"Bearer {expired}"}).status == 401
    other = login_as("owner")
    elsewhere = _signed({**claims, "org": other.org_id})
    assert api.get("/v1/jobs", headers={"Authorization": f"Bearer {elsewhere}"}).status == 401
    assert api.get("/v1/jobs", as_=child_caller).status == 200
