"""Registration, login, token refresh, logout and password reset."""
from __future__ import annotations

import hashlib
import hmac
import secrets
from typing import Any

from chalicelib.core import clock
from chalicelib.core.errors import MalformedRequest, NotFound, TooManyRequests, Unauthorized
from chalicelib.core.ids import new_id
from chalicelib.core.settings import get_settings
from chalicelib.core.validation import validate
from chalicelib.observability import count, logger
from chalicelib.platform.services.notifications import DeliveryFailed, deliver, get_notifier
from chalicelib.platform.services.passwords import MAX_LENGTH, MIN_LENGTH, hash_password, needs_rehash, verify_password
from chalicelib.platform.services.roles import OWNER, Principal, is_built_in, principal
from chalicelib.platform.services.tokens import issue_access_token, verify_access_token
from chalicelib.platform.tables import password_resets
from chalicelib.platform.tables import sessions
from chalicelib.platform.tables import users
from chalicelib.platform.tables.base import temporarily_unavailable
from chalicelib.platform.tables.organizations import OrganizationModel
from chalicelib.platform.tables.roles import roles
from chalicelib.platform.tables.sessions import SessionModel
from chalicelib.platform.tables.users import UserModel

FAILED_LOGINS_BEFORE_LOCK = 5
FIRST_LOCK_SECONDS = 60
RESET_TOKEN_TTL_SECONDS = 3600

_EMAIL = {"type": "string", "format": "email", "maxLength": 254}
_PASSWORD = {"type": "string", "minLength": MIN_LENGTH, "maxLength": MAX_LENGTH}

REGISTER_SCHEMA = {
    "type": "object",
    "additionalProperties": False,
    "required": ["email", "password", "name", "organization"],
    "properties": {
        "email": _EMAIL,
        "password": _PASSWORD,
        "name": {"type": "string", "minLength": 1, "maxLength": 200},
        "organization": {"type": "string", "minLength": 1, "maxLength": 200},
    },
}
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
RESET_SCHEMA = {
    "type": "object",
    "additionalProperties": False,
    "required": ["token", "password"],
    "properties": {"token": {"type": "string", "minLength": 1, "maxLength": 512}, "password": _PASSWORD},
}

INVALID_CREDENTIALS = "The email or password is not correct."


def normalize_email(email: str) -> str:
    return email.strip().lower()


def register(body: Any) -> dict[str, Any]:
    request = validate(REGISTER_SCHEMA, body)
    email = normalize_email(request["email"])
    if request["password"].lower() == email:
        raise MalformedRequest("The password must not be the email address.", field="password")
    now = clock.now()
    organization = OrganizationModel(new_id(), name=request["organization"].strip(), created_at=now)
    owner = UserModel(
        email,
        user_id=new_id(),
        org_id=organization.org_id,
        name=request["name"].strip(),
        role=OWNER,
        password_hash=hash_password(request["password"]),
        created_at=now,
    )
    users.create_organization_with_owner(organization, owner)
    count("OrganizationRegistered")
    return {
        "user": user_view(owner),
        "organization": {"id": organization.org_id, "name": organization.name, "plan": organization.plan},
    }


def login(body: Any) -> dict[str, Any]:
    request = validate(LOGIN_SCHEMA, body)
    email = normalize_email(request["email"])
    user = users.find_user(email)
    now = clock.epoch_seconds()
    if user is not None and user.locked_until and user.locked_until > now:
        count("LoginThrottled")
        raise TooManyRequests("Too many failed logins for this account; try again later.", user.locked_until - now)
    if not verify_password(user.password_hash if user else None, request["password"]) or user is None:
        count("LoginFailed")
        if user is not None:
            users.record_failed_login(email, FAILED_LOGINS_BEFORE_LOCK, FIRST_LOCK_SECONDS, now)
        raise Unauthorized(INVALID_CREDENTIALS)
    if user.status != "active":
        count("LoginFailed")
        raise Unauthorized(INVALID_CREDENTIALS)
    if user.failed_logins:
        users.clear_failed_logins(email)
    if needs_rehash(user.password_hash):
        users.set_password_hash(email, hash_password(request["password"]))
    count("LoginSucceeded")
    return _start_session(user, now)


def refresh(body: Any) -> dict[str, Any]:
    request = validate(REFRESH_SCHEMA, body)
    token = request["refresh_token"]
    session_id, _, secret = token.partition(".")
    now = clock.epoch_seconds()
    session = sessions.find_session(session_id) if secret else None
    if session is None or session.revoked_at is not None or session.expires_at <= now:
        raise Unauthorized("The refresh token is invalid, expired or revoked.")
    presented = _hash_token(token)
    if not hmac.compare_digest(presented, session.current_hash):
        if presented in (session.used_hashes or set()):
            _revoke_on_reuse(session, now)
        raise Unauthorized("The refresh token is invalid, expired or revoked.")
    new_token = f"{session.session_id}.{secrets.token_urlsafe(32)}"
    if not sessions.rotate(session, presented, _hash_token(new_token)):
        # Another request rotated this token first: the same token was presented twice.
        _revoke_on_reuse(session, now)
        raise Unauthorized("The refresh token is invalid, expired or revoked.")
    user = users.find_user(session.email)
    if user is None or user.status != "active":
        sessions.revoke(session.session_id, now)
        raise Unauthorized("The account is no longer active.")
    count("TokenRefreshed")
    return _token_response(user, session.session_id, new_token, session.expires_at - now)


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
    if user is not None and user.status == "active" and deliver("password_reset", lambda: _send_reset_code(email)):
        count("PasswordResetRequested")
    clock.sleep_until(answer_at)


def _send_reset_code(email: str) -> None:
    """Only existing accounts get here, so a failure must look like a lost mail, not a 503."""
    token = secrets.token_urlsafe(32)
    try:
        password_resets.store_reset(_hash_token(token), email, clock.epoch_seconds() + RESET_TOKEN_TTL_SECONDS)
    except Exception as error:
        if not temporarily_unavailable(error):
            raise
        raise DeliveryFailed("The reset code could not be stored.") from error
    get_notifier().send_password_reset(email, token)


def reset_password(body: Any) -> None:
    request = validate(RESET_SCHEMA, body)
    now = clock.epoch_seconds()
    email = password_resets.redeem(_hash_token(request["token"]), now)
    user = users.find_user(email) if email else None
    if user is None:
        raise MalformedRequest("The reset token is invalid, expired or already used.", field="token")
    users.set_password_hash(email, hash_password(request["password"]))
    sessions.revoke_all_for_user(user.user_id, now)
    count("PasswordReset")


def user_view(user: UserModel) -> dict[str, Any]:
    return {
        "id": user.user_id,
        "email": user.email,
        "name": user.name,
        "role": user.role,
        "organization_id": user.org_id,
        "status": user.status,
        "created_at": clock.isoformat(user.created_at),
    }


def _start_session(user: UserModel, now: int) -> dict[str, Any]:
    ttl = get_settings().refresh_token_ttl_seconds
    session_id = new_id()
    refresh_token = f"{session_id}.{secrets.token_urlsafe(32)}"
    sessions.start_session(
        SessionModel(
            session_id,
            user_id=user.user_id,
            org_id=user.org_id,
            email=user.email,
            current_hash=_hash_token(refresh_token),
            expires_at=now + ttl,
        )
    )
    return _token_response(user, session_id, refresh_token, ttl)


def _token_response(user: UserModel, session_id: str, refresh_token: str, refresh_expires_in: int) -> dict[str, Any]:
    caller = principal(user.user_id, user.org_id, user.role, session_id, custom_role_permissions(user))
    access_token, expires_in = issue_access_token(caller)
    return {
        "access_token": access_token,
        "token_type": "Bearer",
        "expires_in": expires_in,
        "refresh_token": refresh_token,
        "refresh_expires_in": refresh_expires_in,
    }


def custom_role_permissions(user: UserModel) -> list[str] | None:
    """A custom role's permissions as of now; a deleted custom role grants nothing."""
    if is_built_in(user.role):
        return None
    try:
        return list(roles.get(user.org_id, user.role).permissions)
    except NotFound:
        return []


def _revoke_on_reuse(session: SessionModel, now: int) -> None:
    sessions.revoke(session.session_id, now)
    count("RefreshTokenReuseDetected")
    logger.warning("Refresh token reuse: session family revoked", extra={"session_id": session.session_id})


def _hash_token(token: str) -> str:
    # Tokens carry 256 random bits, so a fast hash is enough; argon2 would only add latency.
    return hashlib.sha256(token.encode()).hexdigest()


def authenticate(authorization_header: str) -> Principal:
    """What the authorizer runs: a valid bearer token of a session that is still open."""
    scheme, _, token = authorization_header.strip().partition(" ")
    if scheme.lower() != "bearer" or not token:
        raise Unauthorized("Use the Authorization: Bearer <access token> header.")
    principal = verify_access_token(token.strip())
    session = sessions.find_session(principal.session_id)
    if session is None or session.revoked_at is not None or session.user_id != principal.user_id:
        raise Unauthorized("The access token was revoked: its session has ended.", invalid_token=True)
    return principal
