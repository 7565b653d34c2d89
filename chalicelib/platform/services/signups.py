"""Self-service sign-up, confirmed by email: a new organization and its owner.

`POST /v1/auth/register` answers the same 202 for every well-formed request, whether the email is
new, already has a login, or belongs to people in other organizations, and does the same work in
each case (one GetItem of the login, one argon2 hash, one PutItem of the pending sign-up, one
mail): neither status, body, headers nor timing tells whether an address is registered. What
differs is only the mail, which only the address's owner reads:
- a new email gets a single-use code (24 hours) that creates the login and the organization;
- an email with a login gets a note that an organization sign-up was requested for it: the code
  plus the login's current password create the organization; ignored, nothing happens.
The sign-up is confirmed with `POST /v1/auth/register/confirm`, which signs the owner in.
Per-client request limits are API Gateway's and WAF's (issue 15), not this module's.
"""
from __future__ import annotations

import secrets
from typing import Any

from chalicelib.core import clock
from chalicelib.core.errors import Conflict, MalformedRequest
from chalicelib.core.ids import new_id
from chalicelib.core.validation import validate
from chalicelib.observability import count
from chalicelib.platform.services.auth import hash_token, normalize_email, password_proves, start_session, user_view
from chalicelib.platform.services.notifications import deliver, get_notifier
from chalicelib.platform.services.passwords import MAX_LENGTH, MIN_LENGTH, hash_password
from chalicelib.platform.services.roles import OWNER
from chalicelib.platform.tables import memberships, signups, users
from chalicelib.platform.tables.memberships import ACTIVE, MembershipModel
from chalicelib.platform.tables.organizations import OrganizationModel
from chalicelib.platform.tables.users import UserModel
from chalicelib.platform.tables.writes import Change, commit

SIGNUP_TTL_SECONDS = 24 * 3600

REGISTER_SCHEMA = {
    "type": "object",
    "additionalProperties": False,
    "required": ["email", "password", "name", "organization"],
    "properties": {
        "email": {"type": "string", "format": "email", "maxLength": 254},
        "password": {"type": "string", "minLength": MIN_LENGTH, "maxLength": MAX_LENGTH},
        "name": {"type": "string", "minLength": 1, "maxLength": 200},
        "organization": {"type": "string", "minLength": 1, "maxLength": 200},
    },
}
CONFIRM_SCHEMA = {
    "type": "object",
    "additionalProperties": False,
    "required": ["token"],
    "properties": {
        "token": {"type": "string", "minLength": 1, "maxLength": 512},
        # An existing login's current password: only its length is bounded, as at login.
        "password": {"type": "string", "maxLength": MAX_LENGTH},
    },
}

INVALID_TOKEN = "The sign-up token is invalid, expired or already used."
PASSWORD_NEEDED = "This address already has a login: confirm with its current password."
WRONG_PASSWORD = "The password is not this login's current password."
CHANGED_MEANWHILE = "The login of this address changed while confirming; confirm again."


def request_signup(body: Any) -> None:
    """Store the pending sign-up and mail the address; the caller learns nothing more."""
    request = validate(REGISTER_SCHEMA, body)
    email = normalize_email(request["email"])
    if request["password"].lower() == email:
        raise MalformedRequest("The password must not be the email address.", field="password")
    has_login = users.find_user(email) is not None
    token = secrets.token_urlsafe(32)
    # Hashed in every case, used only for a new login: the argon2 hash is the expensive part of
    # the request, so skipping it for an existing login would show in the response time.
    signups.store(
        email,
        hash_token(token),
        name=request["name"].strip(),
        organization=request["organization"].strip(),
        password_hash=hash_password(request["password"]),
        expires_at=clock.epoch_seconds() + SIGNUP_TTL_SECONDS,
    )
    notifier = get_notifier()
    if has_login:
        deliver("signup", lambda: notifier.send_signup_for_existing_login(email, token))
    else:
        deliver("signup", lambda: notifier.send_signup_confirmation(email, token))
    count("SignupRequested")


def confirm_signup(body: Any) -> dict[str, Any]:
    """Create the organization of a pending sign-up, its owner's membership and, for a new email,
    the login; the token is spent in the same transaction. Signs the owner in there."""
    request = validate(CONFIRM_SCHEMA, body)
    now = clock.epoch_seconds()
    invalid = MalformedRequest(INVALID_TOKEN, field="token")
    signup = signups.find_unexpired(hash_token(request["token"]), now)
    if signup is None:
        raise invalid
    login = users.find_user(signup.email)
    if login is not None:
        if "password" not in request:
            raise MalformedRequest(PASSWORD_NEEDED, field="password")
        if not password_proves(login, request["password"], now):
            raise MalformedRequest(WRONG_PASSWORD, field="password")
    organization, owner = _create_organization(signup, login, [signups.consumption(signup, now, invalid)])
    count("SignupConfirmed")
    organizations = [owner] if login is None else _active_with(login, owner)
    return {**_registered_view(organization, owner), **start_session(owner, now, organizations)}


def register_confirmed(body: Any) -> dict[str, Any]:
    """A new organization and the new login of its owner, at once, for an operator who vouches for
    the address (the demo seed of `make run`): what a confirmed sign-up of a new email creates."""
    request = validate(REGISTER_SCHEMA, body)
    email = normalize_email(request["email"])
    signup = signups.SignupModel(
        email,
        name=request["name"].strip(),
        organization=request["organization"].strip(),
        password_hash=hash_password(request["password"]),
    )
    return _registered_view(*_create_organization(signup, None, []))


def _create_organization(
    signup: signups.SignupModel, login: UserModel | None, also: list[Change]
) -> tuple[OrganizationModel, MembershipModel]:
    now = clock.now()
    organization = OrganizationModel(new_id(), name=signup.organization, created_at=now)
    # A login's first membership takes the login's id; later ones are minted (memberships.py).
    account_id = login.user_id if login is not None else new_id()
    owner = MembershipModel(
        organization.org_id,
        new_id() if login is not None else account_id,
        account_id=account_id,
        email=signup.email,
        name=signup.name,
        role=OWNER,
        status=ACTIVE,
        created_at=now,
    )
    changed = Conflict(CHANGED_MEANWHILE, field="email")
    if login is None:
        new_login = UserModel(
            signup.email, user_id=account_id, org_id=organization.org_id, name=signup.name,
            password_hash=signup.password_hash, created_at=now,
        )  # fmt: skip
        login_change = Change("put", new_login, condition=UserModel.email.does_not_exist(), on_condition_failed=changed)
    else:
        # The login opens in its new organization next time; the password just verified must still
        # be the login's (a reset meanwhile refuses the confirmation).
        login_change = Change(
            "update",
            UserModel(login.email),
            actions=[UserModel.org_id.set(organization.org_id)],
            condition=(UserModel.user_id == login.user_id) & (UserModel.password_hash == login.password_hash),
            on_condition_failed=changed,
        )
    commit([
        Change("put", organization, condition=OrganizationModel.org_id.does_not_exist()),
        Change("put", owner, condition=MembershipModel.user_id.does_not_exist()),
        login_change,
        *also,
    ])
    count("OrganizationRegistered")
    return organization, owner


def _active_with(login: UserModel, owner: MembershipModel) -> list[MembershipModel]:
    """The login's active memberships, the one just created included (the index that lists them
    may not show it yet)."""
    active = [m for m in memberships.of_account(login.user_id) if m.status == ACTIVE and m.org_id != owner.org_id]
    return [*active, owner]


def _registered_view(organization: OrganizationModel, owner: MembershipModel) -> dict[str, Any]:
    return {
        "user": user_view(owner),
        "organization": {"id": organization.org_id, "name": organization.name, "plan": organization.plan},
    }
