"""Login, token refresh, switching organization, logout and password reset.

A login (table `users`) may belong to several organizations (table `memberships`). A session and
its tokens are for one organization: login opens the one the person last chose (else their first
active one) and lists the others; switching is a token exchange that starts a session for another
organization the person is an active member of, leaving the current one as it is. Registration
(a confirmed sign-up) is platform/services/signups.py.

A product may open a session for a caller who is no member and has no email login (a StoryVerse
child, logged in with a PIN or a device token): `start_role_session`. Such a session keeps the
role it was opened with: refresh renews that role alone, the authorizer refuses a token of that
session claiming any other, and it has no organizations to list or switch to.
"""
from __future__ import annotations

import hashlib
import hmac
import secrets
from typing import Any

from chalicelib.core import clock
from chalicelib.core.errors import Forbidden, MalformedRequest, NotFound, TooManyRequests, Unauthorized
from chalicelib.core.ids import new_id
from chalicelib.core.settings import get_settings
from chalicelib.core.validation import validate
from chalicelib.observability import count, logger
from chalicelib.platform.services.notifications import DeliveryFailed, deliver, get_notifier
from chalicelib.platform.services.passwords import MAX_LENGTH, MIN_LENGTH, hash_password, needs_rehash, verify_password
from chalicelib.platform.services.roles import Principal, is_built_in, principal
from chalicelib.platform.services.tokens import issue_access_token, verify_access_token
from chalicelib.platform.tables import memberships
from chalicelib.platform.tables import password_resets
from chalicelib.platform.tables import sessions
from chalicelib.platform.tables import users
from chalicelib.platform.tables.base import temporarily_unavailable
from chalicelib.platform.tables.organizations import OrganizationModel
from chalicelib.platform.tables.roles import roles
from chalicelib.platform.tables.memberships import ACTIVE, MembershipModel
from chalicelib.platform.tables.sessions import SessionModel
from chalicelib.platform.tables.users import UserModel

FAILED_LOGINS_BEFORE_LOCK = 5
FIRST_LOCK_SECONDS = 60
RESET_TOKEN_TTL_SECONDS = 3600

_EMAIL = {"type": "string", "format": "email", "maxLength": 254}
_PASSWORD = {"type": "string", "minLength": MIN_LENGTH, "maxLength": MAX_LENGTH}

LOGIN_SCHEMA = {
    "type": "object",
    "additionalProperties": False,
    "required": ["email", "password"],
    "properties": {"email": {"type": "string", "maxLength": 254}, "password": {"type": "string", "maxLength": MAX_LENGTH}},
}
REFRESH_SCHEMA = {
    "type": "object",
    "additionalProperties": False,
    "required": ["refresh_token"],
    "properties": {"refresh_token": {"type": "string", "minLength": 1, "maxLength": 512}},
}
FORGOT_SCHEMA = {
    "type": "object",
    "additionalProperties": False,
    "required": ["email"],
    "properties": {"email": _EMAIL},
}
SWITCH_SCHEMA = {
    "type": "object",
    "additionalProperties": False,
    "required": ["organization_id"],
    "properties": {"organization_id": {"type": "string", "minLength": 1, "maxLength": 64}},
}
RESET_SCHEMA = {
    "type": "object",
    "additionalProperties": False,
    "required": ["token", "password"],
    "properties": {"token": {"type": "string", "minLength": 1, "maxLength": 512}, "password": _PASSWORD},
}

INVALID_CREDENTIALS = "The email or password is not correct."
NOT_YOUR_ORGANIZATION = "You are not an active member of an organization with this id."


def normalize_email(email: str) -> str:
    return email.strip().lower()


def login(body: Any) -> dict[str, Any]:
    request = validate(LOGIN_SCHEMA, body)
    email = normalize_email(request["email"])
    user = users.find_user(email)
    now = clock.epoch_seconds()
    if not password_proves(user, request["password"], now):
        raise Unauthorized(INVALID_CREDENTIALS)
    active = _active_memberships(user)
    if not active:
        count("LoginFailed")
        raise Unauthorized(INVALID_CREDENTIALS)
    if needs_rehash(user.password_hash):
        users.set_password_hash(email, hash_password(request["password"]))
    count("LoginSucceeded")
    chosen = next((m for m in active if m.org_id == user.org_id), active[0])
    return start_session(chosen, now, active)


def password_proves(user: UserModel | None, password: str, now: int) -> bool:
    """Whether `password` is this login's, counting failures toward the lock (429 while locked).
    Costs one password verification whether or not the login exists or has a password."""
    if user is not None and user.locked_until and user.locked_until > now:
        count("LoginThrottled")
        raise TooManyRequests("Too many failed logins for this account; try again later.", user.locked_until - now)
    if not verify_password(user.password_hash if user else None, password) or user is None:
        count("LoginFailed")
        if user is not None:
            users.record_failed_login(user.email, FAILED_LOGINS_BEFORE_LOCK, FIRST_LOCK_SECONDS, now)
        return False
    if user.failed_logins:
        users.clear_failed_logins(user.email)
    return True


def _active_memberships(user: UserModel) -> list[MembershipModel]:
    return [m for m in memberships.of_account(user.user_id) if m.status == ACTIVE]


def switch_organization(principal: Principal, body: Any) -> dict[str, Any]:
    """Token exchange: tokens of a new session for another organization of the caller's login.
    The caller's current session stays as it is; the login opens there next time."""
    organization_id = validate(SWITCH_SCHEMA, body)["organization_id"]
    now = clock.epoch_seconds()
    user = _login_of(principal)
    active = _active_memberships(user)
    chosen = next((m for m in active if m.org_id == organization_id), None)
    if chosen is None:
        # The same answer for an organization that does not exist and one the caller is not in.
        raise NotFound(NOT_YOUR_ORGANIZATION)
    users.open_in(user.email, chosen.org_id)
    count("OrganizationSwitched")
    return start_session(chosen, now, active)


def my_organizations(principal: Principal) -> dict[str, Any]:
    active = _active_memberships(_login_of(principal))
    return {"items": _organizations_view(active), "current_organization_id": principal.org_id}


def _login_of(principal: Principal) -> UserModel:
    session = sessions.find_session(principal.session_id)
    if session is not None and session.role is not None:
        raise Forbidden("This session is not a person's login: it belongs to one organization and switches to none.")
    user = users.find_user(session.email) if session is not None else None
    if user is None:
        raise Unauthorized("The session of this access token has ended.", invalid_token=True)
    return user


def refresh(body: Any) -> dict[str, Any]:
    request = validate(REFRESH_SCHEMA, body)
    token = request["refresh_token"]
    session_id, _, secret = token.partition(".")
    now = clock.epoch_seconds()
    session = sessions.find_session(session_id) if secret else None
    if session is None or session.revoked_at is not None or session.expires_at <= now:
        raise Unauthorized("The refresh token is invalid, expired or revoked.")
    presented = hash_token(token)
    if not hmac.compare_digest(presented, session.current_hash):
        if presented in (session.used_hashes or set()):
            _revoke_on_reuse(session, now)
        raise Unauthorized("The refresh token is invalid, expired or revoked.")
    new_token = f"{session.session_id}.{secrets.token_urlsafe(32)}"
    if not sessions.rotate(session, presented, hash_token(new_token)):
        # Another request rotated this token first: the same token was presented twice.
        _revoke_on_reuse(session, now)
        raise Unauthorized("The refresh token is invalid, expired or revoked.")
    if session.role is not None:
        count("TokenRefreshed")
        caller = principal(session.user_id, session.org_id, session.role, session.session_id)
        return _tokens(caller, new_token, session.expires_at - now)
    membership = memberships.find_membership(session.org_id, session.user_id)
    if membership is None or membership.status != ACTIVE:
        sessions.revoke(session.session_id, now)
        raise Unauthorized("The account is no longer active.")
    count("TokenRefreshed")
    return _token_response(membership, session.session_id, new_token, session.expires_at - now)


def logout(principal: Principal) -> None:
    sessions.revoke(principal.session_id, clock.epoch_seconds())
    count("LoggedOut")


def forgot_password(body: Any) -> None:
    """Always succeeds from the caller's view, so it cannot be used to discover accounts: the same
    answer after the same fixed time (settings.forgot_password_response_seconds) whether the account
    exists and whether the mail could be sent."""
    request = validate(FORGOT_SCHEMA, body)
    email = normalize_email(request["email"])
    answer_at = clock.monotonic() + get_settings().forgot_password_response_seconds
    user = users.find_user(email)
    if user is not None and user.password_hash is not None and deliver("password_reset", lambda: _send_reset_code(email)):
        count("PasswordResetRequested")
    clock.sleep_until(answer_at)


def _send_reset_code(email: str) -> None:
    """Only existing accounts get here, so a failure must look like a lost mail, not a 503."""
    token = secrets.token_urlsafe(32)
    try:
        password_resets.store_reset(hash_token(token), email, clock.epoch_seconds() + RESET_TOKEN_TTL_SECONDS)
    except Exception as error:
        if not temporarily_unavailable(error):
            raise
        raise DeliveryFailed("The reset code could not be stored.") from error
    get_notifier().send_password_reset(email, token)


def reset_password(body: Any) -> None:
    """The token is spent last, so a reset cut off part-way (a 503) is finished by sending the same
    request again, and a spent token proves the sessions were revoked. Two concurrent uses of one
    token both answer 204; the later password stays."""
    request = validate(RESET_SCHEMA, body)
    now = clock.epoch_seconds()
    token_hash = hash_token(request["token"])
    email = password_resets.usable_email(token_hash, now)
    user = users.find_user(email) if email else None
    if user is None:
        raise MalformedRequest("The reset token is invalid, expired or already used.", field="token")
    users.set_password_hash(email, hash_password(request["password"]))
    for membership in memberships.of_account(user.user_id):
        sessions.revoke_all_for_user(membership.user_id, now)
    password_resets.mark_used(token_hash, now)
    count("PasswordReset")


def user_view(member: MembershipModel) -> dict[str, Any]:
    return {
        "id": member.user_id,
        "email": member.email,
        "name": member.name,
        "role": member.role,
        "organization_id": member.org_id,
        "status": member.status,
        "created_at": clock.isoformat(member.created_at),
    }


def start_session(member: MembershipModel, now: int, active: list[MembershipModel]) -> dict[str, Any]:
    """A session for one membership; the answer also lists every organization the login may open."""
    ttl = get_settings().refresh_token_ttl_seconds
    session_id = new_id()
    refresh_token = f"{session_id}.{secrets.token_urlsafe(32)}"
    sessions.start_session(
        SessionModel(
            session_id,
            user_id=member.user_id,
            org_id=member.org_id,
            email=member.email,
            current_hash=hash_token(refresh_token),
            expires_at=now + ttl,
        )
    )
    return {
        **_token_response(member, session_id, refresh_token, ttl),
        "organization_id": member.org_id,
        "organizations": _organizations_view(active),
    }


def start_role_session(user_id: str, org_id: str, role: str, now: int, credential_id: str | None = None) -> dict[str, Any]:
    """Tokens of a new session for a caller who is no member (a built-in role, fixed for the
    session's life), opened with `credential_id` when a revocable credential opened it."""
    ttl = get_settings().refresh_token_ttl_seconds
    session_id = new_id()
    refresh_token = f"{session_id}.{secrets.token_urlsafe(32)}"
    sessions.start_session(
        SessionModel(
            session_id, user_id=user_id, org_id=org_id, role=role, credential_id=credential_id,
            current_hash=hash_token(refresh_token), expires_at=now + ttl,
        )
    )
    return {**_tokens(principal(user_id, org_id, role, session_id), refresh_token, ttl), "organization_id": org_id}


def _organizations_view(active: list[MembershipModel]) -> list[dict[str, Any]]:
    """Each organization with the person's role in it (one BatchGetItem for the names)."""
    names = {org.org_id: org.name for org in OrganizationModel.batch_get([m.org_id for m in active])}
    return [
        {"id": m.org_id, "name": names[m.org_id], "role": m.role} for m in active if m.org_id in names
    ]


def _token_response(member: MembershipModel, session_id: str, refresh_token: str, refresh_expires_in: int) -> dict[str, Any]:
    caller = principal(member.user_id, member.org_id, member.role, session_id, custom_role_permissions(member))
    return _tokens(caller, refresh_token, refresh_expires_in)


def _tokens(caller: Principal, refresh_token: str, refresh_expires_in: int) -> dict[str, Any]:
    access_token, expires_in = issue_access_token(caller)
    return {
        "access_token": access_token,
        "token_type": "Bearer",
        "expires_in": expires_in,
        "refresh_token": refresh_token,
        "refresh_expires_in": refresh_expires_in,
    }


def custom_role_permissions(member: MembershipModel) -> list[str] | None:
    """A custom role's permissions as of now; a deleted custom role grants nothing."""
    if is_built_in(member.role):
        return None
    try:
        return list(roles.get(member.org_id, member.role).permissions)
    except NotFound:
        return []


def _revoke_on_reuse(session: SessionModel, now: int) -> None:
    sessions.revoke(session.session_id, now)
    count("RefreshTokenReuseDetected")
    logger.warning("Refresh token reuse: session family revoked", extra={"session_id": session.session_id})


def hash_token(token: str) -> str:
    # Tokens carry 256 random bits, so a fast hash is enough; argon2 would only add latency.
    return hashlib.sha256(token.encode()).hexdigest()


def authenticate(authorization_header: str) -> Principal:
    """What the authorizer runs: a valid bearer token of a session that is still open."""
    scheme, _, token = authorization_header.strip().partition(" ")
    if scheme.lower() != "bearer" or not token:
        raise Unauthorized("Use the Authorization: Bearer <access token> header.")
    principal = verify_access_token(token.strip())
    session = sessions.find_session(principal.session_id)
    if (
        session is None
        or session.revoked_at is not None
        or (session.user_id, session.org_id) != (principal.user_id, principal.org_id)
        or (session.role is not None and session.role != principal.role)
    ):
        raise Unauthorized("The access token was revoked: its session has ended.", invalid_token=True)
    return principal
