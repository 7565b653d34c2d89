"""One person in several organizations: one login, a membership per organization, switching by
token exchange, and invitations that answer alike whether or not the email has a login elsewhere."""
from __future__ import annotations

import logging
import re
import time

import jwt
import pytest

from chalicelib.core.ids import ID_PATTERN
from tests.api.test_auth import ATTACKS, _forged_tokens
from tests.conftest import PASSWORD, Caller

SWITCH = "/v1/auth/switch-organization"
NEW_PASSWORD = "an invited person's passphrase"


@pytest.fixture
def mailbox(caplog):
    """Invitations the local notifier sent, as (email, token), read from its log records."""
    caplog.set_level(logging.INFO)

    def sent() -> list[tuple[str, str]]:
        return [
            (record.invitation_email, record.invitation_token)
            for record in caplog.records
            if getattr(record, "invitation_token", None)
        ]

    return sent


def as_caller(tokens: dict, email: str) -> Caller:
    claims = jwt.decode(tokens["access_token"], options={"verify_signature": False})
    return Caller(tokens["access_token"], tokens["refresh_token"], claims["sub"], claims["org"], claims["role"], email)


def invite(api, caller, email, role="member", name="Invited Person"):
    return api.post("/v1/users/invite", {"email": email, "name": name, "role": role}, as_=caller)


def accept(api, token, password=PASSWORD):
    return api.post("/v1/auth/invitations/accept", {"token": token, "password": password})


def switch(api, caller, organization_id, **kwargs):
    return api.post(SWITCH, {"organization_id": organization_id}, as_=caller, **kwargs)


def join(api, mailbox, inviter, person: Caller, role: str) -> dict:
    """`person` (a login of another organization) is invited to `inviter`'s organization and accepts."""
    assert invite(api, inviter, person.email, role=role).status == 201
    reply = accept(api, mailbox()[-1][1])
    assert reply.status == 200, reply.body
    return reply.json


def new_customer(api, caller, name):
    reply = api.post("/v1/customers", {"name": name}, as_=caller)
    assert reply.status == 201, reply.body
    return reply.json["id"]


def test_one_login_switches_between_organizations_and_sees_only_each_ones_data(api, login_as, mailbox):
    person = login_as("owner")
    other_owner = login_as("owner")
    ours = new_customer(api, person, "Ours")
    theirs = new_customer(api, other_owner, "Theirs")
    membership = join(api, mailbox, other_owner, person, role="viewer")
    assert membership["status"] == "active" and membership["id"] != person.user_id

    login = api.login(person.email)
    assert login.status == 200 and login.header("cache-control") == "no-store"
    assert login.json["organization_id"] == other_owner.org_id, "the login opens where the person last went"
    assert sorted((org["id"], org["role"]) for org in login.json["organizations"]) == sorted(
        [(person.org_id, "owner"), (other_owner.org_id, "viewer")]
    )
    in_theirs = as_caller(login.json, person.email)
    assert (in_theirs.org_id, in_theirs.role, in_theirs.user_id) == (other_owner.org_id, "viewer", membership["id"])
    assert [c["id"] for c in api.get("/v1/customers", as_=in_theirs).json["items"]] == [theirs]
    assert api.get(f"/v1/customers/{ours}", as_=in_theirs).status == 404
    assert api.post("/v1/customers", {"name": "Not allowed"}, as_=in_theirs).status == 403, "a viewer there"
    assert api.get(f"/v1/users/{person.user_id}", as_=other_owner).status == 404, "ids differ per organization"

    switched = switch(api, in_theirs, person.org_id)
    assert switched.status == 200, switched.body
    assert switched.header("cache-control") == "no-store"
    in_ours = as_caller(switched.json, person.email)
    assert (in_ours.org_id, in_ours.role, in_ours.user_id) == (person.org_id, "owner", person.user_id)
    assert [c["id"] for c in api.get("/v1/customers", as_=in_ours).json["items"]] == [ours]
    assert api.get(f"/v1/customers/{theirs}", as_=in_ours).status == 404
    assert api.post("/v1/customers", {"name": "Allowed"}, as_=in_ours).status == 201, "the owner here"

    assert api.get("/v1/customers", as_=in_theirs).status == 200, "switching ends no other session"
    refreshed = api.post("/v1/auth/refresh", {"refresh_token": in_ours.refresh_token})
    assert as_caller(refreshed.json, person.email).org_id == person.org_id, "a session stays in its organization"
    assert api.login(person.email).json["organization_id"] == person.org_id, "the last chosen one opens next"

    mine = api.get("/v1/me/organizations", as_=in_ours)
    assert mine.status == 200 and mine.json["current_organization_id"] == person.org_id
    assert {org["id"]: org["role"] for org in mine.json["items"]} == {person.org_id: "owner", other_owner.org_id: "viewer"}
    assert [org["id"] for org in api.get("/v1/me/organizations", as_=other_owner).json["items"]] == [other_owner.org_id]


def test_deactivation_in_one_organization_leaves_the_others(api, login_as, mailbox):
    person = login_as("owner")
    other_owner = login_as("owner")
    membership = join(api, mailbox, other_owner, person, role="member")
    in_theirs = as_caller(api.login(person.email).json, person.email)

    assert api.post(f"/v1/users/{membership['id']}/deactivate", as_=other_owner).status == 200
    assert api.get("/v1/customers", as_=in_theirs).status == 401
    assert api.post("/v1/auth/refresh", {"refresh_token": in_theirs.refresh_token}).status == 401
    assert api.get("/v1/customers", as_=person).status == 200
    assert api.post("/v1/auth/refresh", {"refresh_token": person.refresh_token}).status == 200
    login = api.login(person.email)
    assert login.status == 200 and login.json["organization_id"] == person.org_id
    assert [org["id"] for org in login.json["organizations"]] == [person.org_id]
    again = as_caller(login.json, person.email)
    assert switch(api, again, other_owner.org_id).status == 404

    assert api.post(f"/v1/users/{membership['id']}/reactivate", as_=other_owner).status == 200
    assert switch(api, again, other_owner.org_id).status == 200


def test_deactivated_everywhere_cannot_log_in(api, login_as):
    owner = login_as("owner")
    member = login_as("member", org_of=owner)
    assert api.post(f"/v1/users/{member.user_id}/deactivate", as_=owner).status == 200
    reply = api.login(member.email)
    assert reply.status == 401 and reply.json["detail"] == "The email or password is not correct."


def test_switching_is_refused_alike_for_unknown_and_foreign_organizations(api, login_as):
    person = login_as("owner")
    stranger = login_as("owner")
    foreign = switch(api, person, stranger.org_id)
    unknown = switch(api, person, "01J0000000000000000000000Z")
    assert foreign.status == unknown.status == 404
    assert foreign.header("content-type") == "application/problem+json"
    assert (foreign.json["title"], foreign.json["detail"]) == (unknown.json["title"], unknown.json["detail"])
    assert switch(api, person, "").status == 422
    assert api.post(SWITCH, {"organization_id": person.org_id, "role": "owner"}, as_=person).status == 422
    assert api.post(SWITCH, {"organization_id": stranger.org_id}).status == 401


@pytest.mark.parametrize("attack", ATTACKS)
def test_switching_with_a_forged_or_expired_token_is_401(api, login_as, mailbox, attack):
    person = login_as("owner")
    other_owner = login_as("owner")
    join(api, mailbox, other_owner, person, role="member")
    token = _forged_tokens(person)[attack]
    reply = switch(api, person, other_owner.org_id, headers={"Authorization": f"Bearer {token}"})
    assert reply.status == 401, attack


def test_switching_with_an_ended_session_is_401(api, login_as, mailbox):
    person = login_as("owner")
    other_owner = login_as("owner")
    join(api, mailbox, other_owner, person, role="member")
    assert api.post("/v1/auth/logout", as_=person).status == 204
    assert switch(api, person, other_owner.org_id).status == 401


def test_invitations_answer_alike_for_registered_and_unregistered_emails(api, login_as, mailbox):
    inviter = login_as("owner")
    registered = login_as("owner")
    before_ms = int(time.time() * 1000)
    replies = [invite(api, inviter, email) for email in (registered.email, "nobody.yet@example.com")]
    assert [reply.status for reply in replies] == [201, 201]
    assert [sorted(reply.headers) for reply in replies][0] == sorted(replies[1].headers)
    assert replies[0].header("location") == f"/v1/users/{replies[0].json['id']}"
    first, second = (reply.json for reply in replies)
    assert first.keys() == second.keys()
    same = {key: value for key, value in first.items() if key not in {"id", "email", "created_at", "updated_at", "invitation_expires_at"}}
    assert same == {key: second[key] for key in same} and same["status"] == "invited"
    for body in (first, second):
        assert _minted_ms(body["id"]) >= before_ms, "an id minted now, whatever the age of the email's login"
    assert [email for email, _ in mailbox()] == [registered.email, "nobody.yet@example.com"]
    assert [invite(api, inviter, registered.email).status, invite(api, inviter, "nobody.yet@example.com").status] == [409, 409]


def test_a_registered_person_accepts_with_their_own_password_only(api, login_as, mailbox):
    inviter = login_as("owner")
    registered = login_as("owner")
    assert invite(api, inviter, registered.email).status == 201
    (_, token), = mailbox()
    wrong = accept(api, token, password=NEW_PASSWORD)
    assert wrong.status == 400 and wrong.json["field"] == "password"
    assert api.login(registered.email, NEW_PASSWORD).status == 401, "the token does not reset a password"
    accepted = accept(api, token)
    assert accepted.status == 200 and accepted.json["status"] == "active"
    assert accept(api, token).status == 400, "single use"
    login = api.login(registered.email)
    assert {org["id"] for org in login.json["organizations"]} == {inviter.org_id, registered.org_id}


def test_an_invited_person_sets_one_password_for_every_organization(api, login_as, mailbox):
    first_org = login_as("owner")
    second_org = login_as("owner")
    email = "twice.invited@example.com"
    assert invite(api, first_org, email, role="viewer").status == 201
    assert invite(api, second_org, email, role="member").status == 201
    (_, first_token), (_, second_token) = mailbox()
    assert accept(api, second_token, password=NEW_PASSWORD).status == 200
    assert accept(api, first_token, password="a different passphrase").json["field"] == "password"
    assert accept(api, first_token, password=NEW_PASSWORD).status == 200
    login = api.login(email, NEW_PASSWORD)
    assert {org["id"]: org["role"] for org in login.json["organizations"]} == {
        first_org.org_id: "viewer",
        second_org.org_id: "member",
    }


def test_a_password_reset_ends_the_sessions_of_every_organization(api, login_as, mailbox, caplog):
    person = login_as("owner")
    other_owner = login_as("owner")
    join(api, mailbox, other_owner, person, role="member")
    in_theirs = as_caller(api.login(person.email).json, person.email)
    assert api.post("/v1/auth/password/forgot", {"email": person.email}).status == 202
    token = next(record.reset_token for record in caplog.records if getattr(record, "reset_token", None))
    assert api.post("/v1/auth/password/reset", {"token": token, "password": NEW_PASSWORD}).status == 204
    assert api.get("/v1/customers", as_=person).status == 401
    assert api.get("/v1/customers", as_=in_theirs).status == 401


def _minted_ms(identifier: str) -> int:
    """The creation time a ULID-layout id carries: its first 48 bits, in milliseconds."""
    assert re.fullmatch(ID_PATTERN, identifier)
    alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
    value = 0
    for char in identifier:
        value = value * 32 + alphabet.index(char)
    return value >> 80


def _to_legacy_shape(membership_key: tuple[str, str], email: str, placeholder_password: bool = False) -> None:
    """Rewrite a login and its membership as the single `users` item written before memberships."""
    import boto3

    from chalicelib.platform.tables.memberships import MembershipModel
    from chalicelib.platform.tables.users import UserModel

    membership = MembershipModel.get(*membership_key)
    membership.delete()
    client = boto3.client("dynamodb")
    legacy = {"role": {"S": membership.role}, "status": {"S": membership.status}}
    if placeholder_password:
        legacy["password_hash"] = {"S": "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$placeholderplaceholderplaceholder00"}
    client.update_item(
        TableName=UserModel.Meta.table_name,
        Key={"email": {"S": email}},
        UpdateExpression="SET " + ", ".join(f"#{name} = :{name}" for name in legacy),
        ExpressionAttributeNames={f"#{name}": name for name in legacy},
        ExpressionAttributeValues={f":{name}": value for name, value in legacy.items()},
    )


def test_logins_written_before_memberships_keep_their_sessions_after_the_backfill(api, login_as, mailbox):
    from chalicelib.platform.tables.backfill_memberships import backfill

    owner = login_as("owner")
    invited = invite(api, owner, "legacy.invitee@example.com").json
    _to_legacy_shape((owner.org_id, owner.user_id), owner.email)
    _to_legacy_shape((owner.org_id, invited["id"]), "legacy.invitee@example.com", placeholder_password=True)
    assert api.login(owner.email).status == 401, "without its membership the login opens nothing"

    assert backfill() == 2
    assert backfill() == 0, "a second run changes nothing"
    assert api.get("/v1/customers", as_=owner).status == 200
    refreshed = api.post("/v1/auth/refresh", {"refresh_token": owner.refresh_token})
    assert refreshed.status == 200, "a session from before still refreshes"
    assert as_caller(refreshed.json, owner.email).user_id == owner.user_id
    assert api.login(owner.email).json["organization_id"] == owner.org_id
    (_, token), = mailbox()
    assert accept(api, token, password=NEW_PASSWORD).status == 200
    assert api.login("legacy.invitee@example.com", NEW_PASSWORD).status == 200
    assert [user["id"] for user in api.get("/v1/users", as_=owner).json["items"]] == [owner.user_id, invited["id"]]
