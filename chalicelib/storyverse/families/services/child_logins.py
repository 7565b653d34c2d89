"""A child's logins: with the PIN their parent set (family id + child id + PIN), or with a device
token their parent created for a device. Both open a platform session (platform/services/auth.py,
`start_role_session`) whose caller has the role `child` and the child's id as user id: the usual
access and refresh tokens, refreshed by POST /v1/auth/refresh, which renews the role `child` and
nothing else; the parent ends them (services/children.py, `revoke_sessions`).

Guessing is bounded three ways. Each address may try a few logins a minute (the platform's
per-address limit, counted by the route). Each child allows FAILED_PINS_BEFORE_LOCK wrong PINs,
then refuses PIN logins for a while (429 with Retry-After, even with the right PIN), the lock
doubling at each further run of wrong PINs up to an hour; a right PIN, or a new PIN set by the
parent, starts the count again. And nothing tells what was wrong: an unknown family, an unknown or
deleted child, a child without a PIN and a wrong PIN answer the same 401 after the same argon2
verification (platform/services/passwords.py), so the route reveals no child.

A device token is `svd.<family id>.<child id>.<device id>.<secret>`, 256 random bits of secret:
it names its own key, so a login is one GetItem, then a constant-time comparison of its SHA-256
with the stored one. It is shown once, at creation; the parent lists a child's devices (without
tokens) and revokes one, which also ends the sessions it opened.
"""
from __future__ import annotations

import hmac
import re
import secrets
from datetime import datetime, timezone
from typing import Any

from chalicelib.core import clock
from chalicelib.core.errors import NotFound, TooManyRequests, Unauthorized
from chalicelib.core.ids import is_id, new_id
from chalicelib.core.validation import validate
from chalicelib.observability import count
from chalicelib.platform.services.auth import hash_token, start_role_session
from chalicelib.platform.services.passwords import verify_password
from chalicelib.platform.services.roles import CHILD, Principal
from chalicelib.platform.tables import sessions
from chalicelib.platform.tables.base import find
from chalicelib.platform.tables.writes import Change, audited, commit
from chalicelib.storyverse.families.services.children import PIN_PATTERN
from chalicelib.storyverse.families.tables import child_devices
from chalicelib.storyverse.families.tables.child_devices import ChildDeviceModel, device_key
from chalicelib.storyverse.families.tables.children import ChildModel, children, live

FAILED_PINS_BEFORE_LOCK = 5
FIRST_LOCK_SECONDS = 60
MAX_LOCK_SECONDS = 3600
INVALID_PIN_LOGIN = "The family, child or PIN is not correct."
INVALID_DEVICE_TOKEN = "The device token is not valid, or was revoked."
DEVICE_TOKEN_PREFIX = "svd"
_ID = {"type": "string", "minLength": 1, "maxLength": 64}

PIN_LOGIN_SCHEMA = {
    "type": "object",
    "additionalProperties": False,
    "required": ["organization_id", "child_id", "pin"],
    "properties": {
        "organization_id": _ID,
        "child_id": _ID,
        # Any string up to 8 characters: a wrong shape is as wrong as a wrong PIN (401, no hint).
        "pin": {"type": "string", "maxLength": 8},
    },
}
DEVICE_LOGIN_SCHEMA = {
    "type": "object",
    "additionalProperties": False,
    "required": ["device_token"],
    "properties": {"device_token": {"type": "string", "minLength": 1, "maxLength": 256}},
}
DEVICE_SCHEMA = {
    "type": "object",
    "additionalProperties": False,
    "required": ["name"],
    "properties": {"name": {"type": "string", "minLength": 1, "maxLength": 100, "pattern": r"\S"}},
}
_TIME = {"type": "string", "format": "date-time"}
_NULLABLE_TIME = {"type": ["string", "null"], "format": "date-time"}
DEVICE_VIEW = {
    "type": "object",
    "required": ["id", "child_id", "name", "created_at", "created_by", "revoked", "revoked_at", "last_used_at"],
    "properties": {
        "id": {"type": "string"},
        "child_id": {"type": "string"},
        "name": {"type": "string"},
        "created_at": _TIME,
        "created_by": {"type": "string"},
        "revoked": {"type": "boolean"},
        "revoked_at": _NULLABLE_TIME,
        "last_used_at": _NULLABLE_TIME,
    },
}
CREATED_DEVICE = {**DEVICE_VIEW, "required": [*DEVICE_VIEW["required"], "device_token"],
                  "properties": {**DEVICE_VIEW["properties"], "device_token": {"type": "string"}}}  # fmt: skip


def login_with_pin(body: Any) -> dict[str, Any]:
    request = validate(PIN_LOGIN_SCHEMA, body)
    org_id, child_id, pin = request["organization_id"], request["child_id"], request["pin"]
    now = clock.epoch_seconds()
    child = find(ChildModel, org_id, child_id) if is_id(org_id) and is_id(child_id) else None
    if child is not None and child.deleted_at is not None:
        child = None
    if child is not None and child.locked_until and child.locked_until > now:
        count("ChildLoginThrottled")
        raise TooManyRequests(
            "Too many wrong PINs for this child: PIN logins are paused for a while. A parent can set a new PIN "
            "to end the pause.", child.locked_until - now,
        )  # fmt: skip
    pin_hash = child.pin_hash if child is not None else None
    # One argon2 verification whatever was wrong (a decoy hash without a PIN), so time tells nothing.
    right = verify_password(pin_hash, pin) and pin_hash is not None and _pin_shaped(pin)
    if not right:
        count("ChildLoginFailed")
        if child is not None and pin_hash is not None:
            _record_failed_pin(child, now)
        raise Unauthorized(INVALID_PIN_LOGIN)
    if child.failed_pins:
        ChildModel(org_id, child_id).update(actions=[ChildModel.failed_pins.remove(), ChildModel.locked_until.remove()])
    count("ChildLoggedIn")
    return start_role_session(child_id, org_id, CHILD, now)


def _pin_shaped(pin: str) -> bool:
    return re.fullmatch(PIN_PATTERN, pin) is not None


def _record_failed_pin(child: ChildModel, now: int) -> None:
    """Count a wrong PIN atomically; at each run of FAILED_PINS_BEFORE_LOCK, lock for a while."""
    counter = ChildModel(child.org_id, child.child_id)
    counter.update(actions=[ChildModel.failed_pins.add(1)], condition=ChildModel.child_id.exists())
    failures = int(counter.failed_pins)
    if failures % FAILED_PINS_BEFORE_LOCK == 0:
        lock = FIRST_LOCK_SECONDS * 2 ** (failures // FAILED_PINS_BEFORE_LOCK - 1)
        counter.update(actions=[ChildModel.locked_until.set(now + min(lock, MAX_LOCK_SECONDS))])


# Device tokens


def create_device(principal: Principal, child_id: str, body: Any) -> dict[str, Any]:
    name = validate(DEVICE_SCHEMA, body)["name"].strip()
    device_id = new_id()
    token = f"{DEVICE_TOKEN_PREFIX}.{principal.org_id}.{child_id}.{device_id}.{secrets.token_urlsafe(32)}"
    device = ChildDeviceModel(
        principal.org_id, device_key(child_id, device_id), child_id=child_id, device_id=device_id, name=name,
        token_hash=hash_token(token), created_at=clock.now(), created_by=principal.user_id,
    )  # fmt: skip
    audit, event = audited(principal.org_id, principal.user_id, "device_created", "child", child_id,
                           {"device_id": device_id, "name": name})  # fmt: skip
    commit([
        Change("check", ChildModel(principal.org_id, child_id), condition=live(), on_condition_failed=children.not_found()),
        Change("put", device, condition=ChildDeviceModel.device_key.does_not_exist(), audit=audit, event=event),
    ])  # fmt: skip
    count("ChildDeviceCreated")
    return {**device_view(device), "device_token": token}


def list_devices(principal: Principal, child_id: str) -> dict[str, Any]:
    children.get(principal.org_id, child_id)
    return {"items": [device_view(device) for device in child_devices.of_child(principal.org_id, child_id)]}


def revoke_device(principal: Principal, child_id: str, device_id: str) -> None:
    """Revoke the token and end the sessions it opened; a device revoked already answers the same."""
    device = child_devices.find_device(principal.org_id, child_id, device_id, consistent=True)
    if device is None:
        raise NotFound("No device with this id.")
    if device.revoked_at is None:
        audit, event = audited(principal.org_id, principal.user_id, "device_revoked", "child", child_id,
                               {"device_id": device_id, "name": device.name})  # fmt: skip
        commit([Change(
            "update", ChildDeviceModel(principal.org_id, device.device_key),
            actions=[ChildDeviceModel.revoked_at.set(clock.now()), ChildDeviceModel.revoked_by.set(principal.user_id)],
            condition=ChildDeviceModel.revoked_at.does_not_exist(), audit=audit, event=event,
        )])  # fmt: skip
        count("ChildDeviceRevoked")
    sessions.revoke_all_for_user(child_id, clock.epoch_seconds(), credential_id=device_id)


def login_with_device(body: Any) -> dict[str, Any]:
    token = validate(DEVICE_LOGIN_SCHEMA, body)["device_token"]
    parts = token.split(".")
    shaped = len(parts) == 5 and parts[0] == DEVICE_TOKEN_PREFIX and all(is_id(part) for part in parts[1:4])
    device = child_devices.find_device(parts[1], parts[2], parts[3]) if shaped else None
    stored_hash = device.token_hash if device is not None else ""
    if not hmac.compare_digest(hash_token(token), stored_hash) or device is None or device.revoked_at is not None:
        count("ChildDeviceLoginFailed")
        raise Unauthorized(INVALID_DEVICE_TOKEN)
    child = find(ChildModel, device.org_id, device.child_id)
    if child is None or child.deleted_at is not None:
        count("ChildDeviceLoginFailed")
        raise Unauthorized(INVALID_DEVICE_TOKEN)
    now = clock.epoch_seconds()
    child_devices.touch(device, now)
    count("ChildLoggedIn")
    return start_role_session(device.child_id, device.org_id, CHILD, now, credential_id=device.device_id)


def device_view(device: ChildDeviceModel) -> dict[str, Any]:
    return {
        "id": device.device_id,
        "child_id": device.child_id,
        "name": device.name,
        "created_at": clock.isoformat(device.created_at),
        "created_by": device.created_by,
        "revoked": device.revoked_at is not None,
        "revoked_at": clock.isoformat(device.revoked_at) if device.revoked_at else None,
        "last_used_at": clock.isoformat(datetime.fromtimestamp(device.last_used_at, timezone.utc))
        if device.last_used_at
        else None,
    }

