"""An organization's users: invite, accept an invitation, change role, deactivate, reactivate.

A user of an organization is a membership (table `memberships`) of a login (table `users`, one
per email, possibly a member of other organizations too). Memberships are not a TenantTable, so
these writes are built as `Change`s by hand: each is conditional on the membership still being
in the state it was read in, and commits with its audit entry and event (`user.invited`,
`user.activated`, `user.role_changed`, `user.deactivated`, `user.reactivated`).

Inviting answers the same whether or not the email already has a login elsewhere (same status,
body and work: no password is hashed either way), so an administrator cannot learn who is
registered in other organizations; only a member of this very organization is refused (409).
Accepting adds the membership to the login: a new login sets its password with the acceptance,
an existing one proves itself with its password.

Role changes take effect at the user's next token refresh: the role and a custom role's
permissions travel in the access token, which lives at most 15 minutes. Deactivation is immediate:
the user's sessions in this organization are revoked, so the authorizer refuses their tokens and
refresh fails; the person's memberships and sessions in other organizations are untouched.
"""
from __future__ import annotations

import secrets
from datetime import datetime, timezone
from typing import Any

from chalicelib.core import clock
from chalicelib.core.errors import Conflict, Forbidden, MalformedRequest
from chalicelib.core.ids import new_id
from chalicelib.core.validation import validate
from chalicelib.observability import count
from chalicelib.platform.services import auth
from chalicelib.platform.services.notifications import deliver, get_notifier
from chalicelib.platform.services.passwords import MAX_LENGTH, MIN_LENGTH, hash_password
from chalicelib.platform.services.roles import OWNER, Principal
from chalicelib.platform.services.roles_admin import assignable_check
from chalicelib.platform.tables import memberships
from chalicelib.platform.tables import sessions
from chalicelib.platform.tables import users
from chalicelib.platform.tables.invitations import InvitationModel, find_invitation
from chalicelib.platform.tables.memberships import ACTIVE, DEACTIVATED, INVITED, MembershipModel
from chalicelib.platform.tables.users import UserModel
from chalicelib.platform.tables.writes import Change, audited, commit

INVITATION_TTL_SECONDS = 7 * 24 * 3600
_ROLE = {"type": "string", "minLength": 1, "maxLength": 64}
INVITE_SCHEMA = {
    "type": "object",
    "additionalProperties": False,
    "required": ["email", "name"],
    "properties": {
        "email": {"type": "string", "format": "email", "maxLength": 254},
        "name": {"type": "string", "minLength": 1, "maxLength": 200, "pattern": r"\S"},
        "role": _ROLE,
    },
}
ROLE_CHANGE_SCHEMA = {"type": "object", "additionalProperties": False, "required": ["role"], "properties": {"role": _ROLE}}
ACCEPT_SCHEMA = {
    "type": "object",
    "additionalProperties": False,
    "required": ["token", "password"],
    "properties": {
        "token": {"type": "string", "minLength": 1, "maxLength": 512},
        "password": {"type": "string", "minLength": MIN_LENGTH, "maxLength": MAX_LENGTH},
    },
}
INVALID_INVITATION = "The invitation token is invalid, expired or already used."
ALREADY_A_MEMBER = "This email is already a user of this organization."
WRONG_PASSWORD = (
    "This email already has an account: accept with its password (or reset the password first)."
)


def list_users(principal: Principal, limit: int, cursor: str | None) -> dict[str, Any]:
    items, next_cursor = memberships.page_of_org(principal.org_id, limit, cursor)
    return {"items": [user_view(item) for item in items], "next_cursor": next_cursor}


def get_user(principal: Principal, user_id: str) -> dict[str, Any]:
    return user_view(memberships.find_in_org(principal.org_id, user_id))


def invite_user(principal: Principal, body: Any) -> dict[str, Any]:
    fields = validate(INVITE_SCHEMA, body)
    email = fields["email"].strip().lower()
    role = fields.get("role", "member")
    _require_may_touch_owner(principal, role)
    now = clock.now()
    login = users.find_user(email)
    new_login = None
    if login is None:
        # No password until the person accepts: a login attempt fails as for an unknown email.
        new_login = login = UserModel(
            email, user_id=new_id(), org_id=principal.org_id, name=fields["name"].strip(), created_at=now
        )
    elif memberships.of_account_in_org(login.user_id, principal.org_id) is not None:
        raise Conflict(ALREADY_A_MEMBER, field="email")
    member = MembershipModel(
        principal.org_id,
        login.user_id if new_login else new_id(),
        account_id=login.user_id,
        email=email,
        name=fields["name"].strip(),
        role=role,
        status=INVITED,
        created_at=now,
        updated_at=now,
        updated_by=principal.user_id,
    )
    token = secrets.token_urlsafe(32)
    expires_at = clock.epoch_seconds() + INVITATION_TTL_SECONDS
    invitation = InvitationModel(
        auth.hash_token(token),
        email=email,
        org_id=principal.org_id,
        user_id=member.user_id,
        invited_by=principal.user_id,
        expires_at=expires_at,
        purge_at=datetime.fromtimestamp(expires_at, timezone.utc),
    )
    audit, event = audited(
        principal.org_id, principal.user_id, "invited", "user", member.user_id,
        {"email": email, "name": member.name, "role": role, "status": INVITED},
    )
    # Two invitations of one new email at once both read no login; the second to commit is refused.
    concurrent = Conflict("This email was invited at the same moment; look it up and try again.", field="email")
    login_created = []
    if new_login is not None:
        login_created = [Change("put", new_login, condition=UserModel.email.does_not_exist(), on_condition_failed=concurrent)]
    commit([
        Change(
            "put",
            member,
            condition=MembershipModel.user_id.does_not_exist(),
            on_condition_failed=concurrent,
            audit=audit,
            event=event,
        ),
        *login_created,
        Change("put", invitation, condition=InvitationModel.token_hash.does_not_exist()),
        *assignable_check(principal.org_id, role),
    ])
    count("UserInvited")
    # The invitation exists either way; when the mail could not go out (logged and counted as
    # NotificationDeliveryFailed) the inviter is told, instead of a 500 after the commit.
    sent = deliver("invitation", lambda: get_notifier().send_invitation(email, token))
    return {
        **user_view(member),
        "invitation_expires_at": clock.isoformat(datetime.fromtimestamp(expires_at, timezone.utc)),
        "invitation_sent": sent,
    }


def accept_invitation(body: Any) -> dict[str, Any]:
    """Public: the invited person accepts with the token. A login without a password sets one
    (`password`); a login that has one must give it: the token alone does not open an account."""
    fields = validate(ACCEPT_SCHEMA, body)
    token_hash = auth.hash_token(fields["token"])
    now = clock.epoch_seconds()
    invalid = MalformedRequest(INVALID_INVITATION, field="token")
    invitation = find_invitation(token_hash)
    if invitation is None or invitation.used_at is not None or invitation.expires_at <= now:
        raise invalid
    member = memberships.find_membership(invitation.org_id, invitation.user_id)
    login = users.find_user(invitation.email)
    if member is None or login is None or member.account_id != login.user_id or member.status != INVITED:
        raise invalid
    login_changes = []
    if login.password_hash is None:
        if fields["password"].lower() == login.email:
            raise MalformedRequest("The password must not be the email address.", field="password")
        login_changes = [UserModel.password_hash.set(hash_password(fields["password"]))]
    elif not auth.password_proves(login, fields["password"], now):
        raise MalformedRequest(WRONG_PASSWORD, field="password")
    moment = clock.now()
    audit, event = audited(
        member.org_id, member.user_id, "activated", "user", member.user_id, {"status": {"from": INVITED, "to": ACTIVE}}
    )
    commit([
        Change(
            "update",
            InvitationModel(token_hash),
            actions=[InvitationModel.used_at.set(now)],
            condition=InvitationModel.token_hash.exists()
            & InvitationModel.used_at.does_not_exist()
            & (InvitationModel.expires_at > now),
            on_condition_failed=invalid,
        ),
        Change(
            "update",
            MembershipModel(member.org_id, member.user_id),
            actions=[
                MembershipModel.status.set(ACTIVE),
                MembershipModel.updated_at.set(moment),
                MembershipModel.updated_by.set(member.user_id),
            ],
            condition=(MembershipModel.account_id == login.user_id) & (MembershipModel.status == INVITED),
            on_condition_failed=invalid,
            audit=audit,
            event=event,
        ),
        Change(
            "update",
            UserModel(login.email),
            # The login opens in the organization just joined.
            actions=[UserModel.org_id.set(member.org_id), *login_changes],
            # A password set meanwhile (another acceptance) must not be overwritten.
            condition=(UserModel.user_id == login.user_id)
            & (UserModel.password_hash.does_not_exist() if login_changes else UserModel.password_hash.exists()),
            on_condition_failed=invalid,
        ),
    ])
    member.status, member.updated_at, member.updated_by = ACTIVE, moment, member.user_id
    count("InvitationAccepted")
    return user_view(member)


def change_role(principal: Principal, user_id: str, body: Any) -> dict[str, Any]:
    role = validate(ROLE_CHANGE_SCHEMA, body)["role"]
    user = memberships.find_in_org(principal.org_id, user_id)
    if role == user.role:
        return user_view(user)
    _require_may_touch_owner(principal, role, user.role)
    also = assignable_check(principal.org_id, role)
    if user.role == OWNER:
        also.append(_another_owner_remains(principal.org_id, user))
    view = _commit_user_change(principal, user, "role_changed", also=also, role=role)
    count("UserRoleChanged")
    return view


def deactivate_user(principal: Principal, user_id: str) -> dict[str, Any]:
    user = memberships.find_in_org(principal.org_id, user_id)
    if user.user_id == principal.user_id:
        raise Conflict("You cannot deactivate yourself.")
    _require_may_touch_owner(principal, user.role)
    if user.status == DEACTIVATED:
        raise Conflict("This user is already deactivated.")
    also = [_another_owner_remains(principal.org_id, user)] if user.role == OWNER else []
    view = _commit_user_change(principal, user, "deactivated", also=also, status=DEACTIVATED)
    sessions.revoke_all_for_user(user.user_id, clock.epoch_seconds())
    count("UserDeactivated")
    return view


def reactivate_user(principal: Principal, user_id: str) -> dict[str, Any]:
    user = memberships.find_in_org(principal.org_id, user_id)
    _require_may_touch_owner(principal, user.role)
    if user.status != DEACTIVATED:
        raise Conflict("Only a deactivated user can be reactivated.")
    view = _commit_user_change(principal, user, "reactivated", status=ACTIVE)
    count("UserReactivated")
    return view


def user_view(user: MembershipModel) -> dict[str, Any]:
    return {
        "id": user.user_id,
        "email": user.email,
        "name": user.name,
        "role": user.role,
        "status": user.status,
        "created_at": clock.isoformat(user.created_at),
        "updated_at": clock.isoformat(user.updated_at or user.created_at),
    }


def _commit_user_change(
    principal: Principal, user: MembershipModel, action: str, also: list[Change] | None = None, **changes: str
) -> dict[str, Any]:
    """Set `changes` on the user, conditional on the user being, still, as read and in this organization."""
    now = clock.now()
    diff = {name: {"from": getattr(user, name), "to": value} for name, value in changes.items()}
    audit, event = audited(principal.org_id, principal.user_id, action, "user", user.user_id, diff)
    condition = MembershipModel.user_id.exists()
    for name in changes:
        condition &= getattr(MembershipModel, name) == getattr(user, name)
    actions = [getattr(MembershipModel, name).set(value) for name, value in changes.items()]
    actions += [MembershipModel.updated_at.set(now), MembershipModel.updated_by.set(principal.user_id)]
    commit([
        Change(
            "update",
            MembershipModel(principal.org_id, user.user_id),
            actions=actions,
            condition=condition,
            on_condition_failed=Conflict("The user changed while this request ran; fetch it again."),
            audit=audit,
            event=event,
        ),
        *(also or []),
    ])
    for name, value in changes.items():
        setattr(user, name, value)
    user.updated_at, user.updated_by = now, principal.user_id
    return user_view(user)


def _another_owner_remains(org_id: str, user: MembershipModel) -> Change:
    """A check, in the demotion's own transaction, that another active owner stays: two owners
    demoting each other at once cannot both succeed."""
    other = memberships.another_active_owner(org_id, user.user_id)
    last_owner = Conflict("The last owner cannot be demoted; make someone else an owner first.")
    if other is None:
        raise last_owner
    return Change(
        "check",
        MembershipModel(org_id, other.user_id),
        condition=(MembershipModel.role == OWNER) & (MembershipModel.status == ACTIVE),
        on_condition_failed=last_owner,
    )


def _require_may_touch_owner(principal: Principal, *roles: str) -> None:
    if OWNER in roles and principal.role != OWNER:
        raise Forbidden("Only an owner may grant or remove the owner role, or manage an owner.")
