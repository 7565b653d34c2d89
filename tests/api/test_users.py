"""Users: list and read within the organization, invitations, role changes, deactivation."""
from __future__ import annotations

import pytest

from chalicelib.platform.services import users_admin

NEW_PASSWORD = "an invited person's passphrase"


class RecordingNotifier:
    def __init__(self):
        self.invitations = []

    def send_password_reset(self, email, token):
        pass

    def send_invitation(self, email, token):
        self.invitations.append((email, token))


@pytest.fixture
def notifier(monkeypatch):
    recording = RecordingNotifier()
    monkeypatch.setattr(users_admin, "get_notifier", lambda: recording)
    return recording


def history(api, caller, user_id):
    reply = api.get(f"/v1/audit-logs?target_type=user&target_id={user_id}", as_=caller)
    assert reply.status == 200, reply.body
    return reply.json["items"]


def invite(api, caller, email="new@example.com", role="member", name="New Person"):
    return api.post("/v1/users/invite", {"email": email, "name": name, "role": role}, as_=caller)


def test_users_are_listed_and_read_within_the_organization(api, login_as, owner):
    member = login_as("member", org_of=owner)
    page = api.get("/v1/users?limit=1", as_=owner).json
    rest = api.get(f"/v1/users?cursor={page['next_cursor']}", as_=owner).json
    ids = [user["id"] for user in page["items"] + rest["items"]]
    assert sorted(ids) == sorted([owner.user_id, member.user_id])
    reply = api.get(f"/v1/users/{member.user_id}", as_=owner)
    assert reply.status == 200
    assert reply.json["email"] == member.email and reply.json["role"] == "member" and reply.json["status"] == "active"
    assert "password_hash" not in reply.json


def test_another_organizations_users_are_404_on_every_route(api, login_as, owner, notifier):
    member = login_as("member", org_of=owner)
    intruder = login_as("owner")
    path = f"/v1/users/{member.user_id}"
    assert api.get(path, as_=intruder).status == 404
    assert api.put(f"{path}/role", {"role": "viewer"}, as_=intruder).status == 404
    assert api.post(f"{path}/deactivate", as_=intruder).status == 404
    assert api.post(f"{path}/reactivate", as_=intruder).status == 404
    assert [user["id"] for user in api.get("/v1/users", as_=intruder).json["items"]] == [intruder.user_id]
    assert api.get(path, as_=owner).json["role"] == "member"
    assert api.login(member.email).status == 200


def test_invitation_creates_an_invited_user_who_accepts_and_logs_in(api, owner, notifier):
    reply = invite(api, owner, email="New@Example.com")
    assert reply.status == 201, reply.body
    user = reply.json
    assert reply.header("location") == f"/v1/users/{user['id']}"
    assert user["status"] == "invited" and user["email"] == "new@example.com" and user["role"] == "member"
    (email, token), = notifier.invitations
    assert email == "new@example.com" and token not in reply.body.decode()
    assert api.login("new@example.com", NEW_PASSWORD).status == 401, "no password until accepted"
    accepted = api.post("/v1/auth/invitations/accept", {"token": token, "password": NEW_PASSWORD})
    assert accepted.status == 200, accepted.body
    assert accepted.json["status"] == "active"
    assert api.login("new@example.com", NEW_PASSWORD).status == 200
    assert api.get(f"/v1/users/{user['id']}", as_=owner).json["status"] == "active"
    again = api.post("/v1/auth/invitations/accept", {"token": token, "password": "another passphrase 123"})
    assert again.status == 400 and again.json["field"] == "token"
    actions = [entry["action"] for entry in history(api, owner, user["id"])]
    assert actions == ["activated", "invited"]


def test_an_unknown_invitation_token_is_400(api):
    reply = api.post("/v1/auth/invitations/accept", {"token": "made-up", "password": NEW_PASSWORD})
    assert reply.status == 400 and reply.json["field"] == "token"


def test_an_expired_invitation_cannot_be_accepted(api, owner, notifier, monkeypatch):
    assert invite(api, owner).status == 201
    (_, token), = notifier.invitations
    from chalicelib.core import clock

    later = clock.epoch_seconds() + users_admin.INVITATION_TTL_SECONDS + 1
    monkeypatch.setattr(clock, "epoch_seconds", lambda: later)
    assert api.post("/v1/auth/invitations/accept", {"token": token, "password": NEW_PASSWORD}).status == 400


def test_inviting_a_user_of_this_organization_again_is_409(api, login_as, owner, notifier):
    member = login_as("member", org_of=owner)
    reply = invite(api, owner, email=member.email)
    assert reply.status == 409 and reply.json["field"] == "email"
    assert invite(api, owner).status == 201
    assert invite(api, owner).status == 409
    assert len(notifier.invitations) == 1


@pytest.mark.parametrize(
    "body, field",
    [
        ({"email": "not-an-email", "name": "X"}, "email"),
        ({"email": "a@example.com"}, "name"),
        ({"email": "a@example.com", "name": "X", "role": "emperor"}, "role"),
        ({"email": "a@example.com", "name": "X", "org_id": "other"}, "org_id"),
    ],
)
def test_invalid_invitations_are_422_naming_the_field(api, owner, notifier, body, field):
    reply = api.post("/v1/users/invite", body, as_=owner)
    assert reply.status == 422, reply.body
    assert field in [error["field"] for error in reply.json["errors"]]
    assert notifier.invitations == []


def test_role_changes_are_audited_and_apply_at_the_next_login(api, login_as, owner):
    member = login_as("member", org_of=owner)
    reply = api.put(f"/v1/users/{member.user_id}/role", {"role": "viewer"}, as_=owner)
    assert reply.status == 200 and reply.json["role"] == "viewer"
    entry = history(api, owner, member.user_id)[0]
    assert entry["action"] == "role_changed" and entry["actor"] == owner.user_id
    assert entry["changes"] == {"role": {"from": "member", "to": "viewer"}}
    import jwt

    refreshed = api.post("/v1/auth/refresh", {"refresh_token": member.refresh_token}).json
    assert jwt.decode(refreshed["access_token"], options={"verify_signature": False})["role"] == "viewer"


def test_only_an_owner_may_grant_or_remove_owner(api, login_as, owner):
    admin = login_as("admin", org_of=owner)
    member = login_as("member", org_of=owner)
    assert api.put(f"/v1/users/{member.user_id}/role", {"role": "owner"}, as_=admin).status == 403
    assert api.put(f"/v1/users/{owner.user_id}/role", {"role": "admin"}, as_=admin).status == 403
    assert api.post(f"/v1/users/{owner.user_id}/deactivate", as_=admin).status == 403
    assert api.put(f"/v1/users/{member.user_id}/role", {"role": "admin"}, as_=admin).status == 200
    assert api.put(f"/v1/users/{member.user_id}/role", {"role": "owner"}, as_=owner).status == 200


def test_only_an_owner_may_invite_an_owner(api, login_as, owner, notifier):
    admin = login_as("admin", org_of=owner)
    assert invite(api, admin, email="boss@example.com", role="owner").status == 403
    assert invite(api, admin, email="helper@example.com", role="admin").status == 201
    reply = invite(api, owner, email="boss@example.com", role="owner")
    assert reply.status == 201 and reply.json["role"] == "owner"


def test_the_last_owner_cannot_be_demoted(api, login_as, owner):
    reply = api.put(f"/v1/users/{owner.user_id}/role", {"role": "admin"}, as_=owner)
    assert reply.status == 409
    second = login_as("member", org_of=owner)
    assert api.put(f"/v1/users/{second.user_id}/role", {"role": "owner"}, as_=owner).status == 200
    assert api.put(f"/v1/users/{owner.user_id}/role", {"role": "admin"}, as_=owner).status == 200
    assert api.get(f"/v1/users/{owner.user_id}", as_=second).json["role"] == "admin"


def test_a_deactivated_owner_does_not_count_as_the_remaining_owner(api, login_as, owner):
    second = login_as("member", org_of=owner)
    api.put(f"/v1/users/{second.user_id}/role", {"role": "owner"}, as_=owner)
    assert api.post(f"/v1/users/{second.user_id}/deactivate", as_=owner).status == 200
    assert api.put(f"/v1/users/{owner.user_id}/role", {"role": "admin"}, as_=owner).status == 409


def test_an_unknown_role_is_422(api, login_as, owner):
    member = login_as("member", org_of=owner)
    reply = api.put(f"/v1/users/{member.user_id}/role", {"role": "01ARZ3NDEKTSV4RRFFQ69G5FAV"}, as_=owner)
    assert reply.status == 422 and reply.json["errors"][0]["field"] == "role"


def test_deactivation_ends_sessions_and_logins_until_reactivated(api, login_as, owner):
    member = login_as("member", org_of=owner)
    reply = api.post(f"/v1/users/{member.user_id}/deactivate", as_=owner)
    assert reply.status == 200 and reply.json["status"] == "deactivated"
    assert api.get("/v1/customers", as_=member).status == 401
    assert api.post("/v1/auth/refresh", {"refresh_token": member.refresh_token}).status == 401
    assert api.login(member.email).status == 401
    assert api.post(f"/v1/users/{member.user_id}/deactivate", as_=owner).status == 409
    assert api.post(f"/v1/users/{member.user_id}/reactivate", as_=owner).status == 200
    assert api.post(f"/v1/users/{member.user_id}/reactivate", as_=owner).status == 409
    assert api.login(member.email).status == 200
    actions = [entry["action"] for entry in history(api, owner, member.user_id)]
    assert actions == ["reactivated", "deactivated"]


def test_nobody_deactivates_themself(api, login_as, owner):
    admin = login_as("admin", org_of=owner)
    assert api.post(f"/v1/users/{admin.user_id}/deactivate", as_=admin).status == 409
    assert api.post(f"/v1/users/{owner.user_id}/deactivate", as_=owner).status == 409


@pytest.mark.parametrize("role", ["member", "viewer"])
def test_members_and_viewers_read_users_but_cannot_manage_them(api, login_as, owner, notifier, role):
    caller = login_as(role, org_of=owner)
    other = login_as("viewer", org_of=owner)
    assert api.get("/v1/users", as_=caller).status == 200
    assert api.get(f"/v1/users/{other.user_id}", as_=caller).status == 200
    assert invite(api, caller).status == 403
    assert api.put(f"/v1/users/{other.user_id}/role", {"role": "member"}, as_=caller).status == 403
    assert api.post(f"/v1/users/{other.user_id}/deactivate", as_=caller).status == 403
    assert api.post(f"/v1/users/{other.user_id}/reactivate", as_=caller).status == 403
    assert notifier.invitations == []


def test_an_invited_user_can_be_deactivated_and_then_cannot_accept(api, owner, notifier):
    user = invite(api, owner).json
    (_, token), = notifier.invitations
    assert api.post(f"/v1/users/{user['id']}/deactivate", as_=owner).status == 200
    assert api.post("/v1/auth/invitations/accept", {"token": token, "password": NEW_PASSWORD}).status == 400


def test_an_invitation_whose_mail_cannot_be_sent_is_created_and_says_so(api, owner, monkeypatch):
    from chalicelib.aws.ses import SesNotifier

    # The real SES notifier; the test account's SES has no verified identity, so SendEmail is rejected.
    monkeypatch.setattr(users_admin, "get_notifier", lambda: SesNotifier("no-reply@zebroscrm.com"))
    reply = invite(api, owner, email="unreachable@example.com")
    assert reply.status == 201, reply.body
    assert reply.json["status"] == "invited" and reply.json["invitation_sent"] is False


def test_a_delivered_invitation_says_so(api, owner, notifier):
    reply = invite(api, owner, email="reachable@example.com")
    assert reply.status == 201 and reply.json["invitation_sent"] is True
