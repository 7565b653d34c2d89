"""Organization API keys: server-to-server access with a subset of the creator's permissions
(never the api_keys ones: keys do not manage keys).

A key is `zk_<environment>_` (live in prod, else the stage's name) and 40 random base-62
characters; it is shown once, at creation, and only its SHA-256 is stored (tables/api_keys.py).
Each key is also an API Gateway key with the same value, attached to the usage plan of the
organization's plan tier, so the gateway throttles and meters it (chalicelib/aws/api_gateway.py).

Writes are ordered so that no crash leaves a usable key the gateway does not know, or the reverse,
unnoticed: creation writes the item `pending` (it authenticates nothing), then creates and attaches
the gateway key, then marks the item `active` with its audit entry in one transaction; a failure of
either later step undoes the gateway key and the pending item. Revocation marks the item `revoked`
first (from then on it authenticates nothing), then deletes the gateway key; a crash between leaves
a revoked key whose gateway key still exists, and DELETE again (answered 204 for a revoked key)
finishes the deletion. What a crash can still leave is a `pending` item, harmless, whose gateway
key (named after the key id) may exist attached to a plan (docs/architecture.md, "API keys").
"""
from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import string
from datetime import datetime, timezone
from typing import Any

from chalicelib.core import clock
from chalicelib.core.errors import NotFound, ServiceUnavailable, Unauthorized, ValidationFailed
from chalicelib.core.ids import new_id
from chalicelib.core.settings import get_settings
from chalicelib.core.validation import validate
from chalicelib.observability import count, logger
from chalicelib.platform.services.roles import API_KEY, API_KEY_PERMISSIONS, Principal
from chalicelib.platform.tables import api_keys
from chalicelib.platform.tables.api_keys import ACTIVE, PENDING, REVOKED, ApiKeyModel
from chalicelib.platform.tables.base import find
from chalicelib.platform.tables.organizations import OrganizationModel
from chalicelib.platform.tables.writes import Change, audited, commit

KEY_ALPHABET = string.ascii_letters + string.digits
SECRET_LENGTH = 40  # 40 x log2(62) = 238 bits
VISIBLE_SECRET_CHARACTERS = 6
# A use is written at most this often per key: one conditional UpdateItem a minute, whatever the rate.
LAST_USED_RESOLUTION_SECONDS = 60
# The plan tiers with an API Gateway usage plan (infra/modules/usage_plans); another plan name
# (none today) would take the basic one.
TIERS = ("basic", "premium", "custom")
DEFAULT_TIER = "basic"
INVALID_KEY = "The API key is not valid, or was revoked."

CREATE_SCHEMA = {
    "type": "object",
    "additionalProperties": False,
    "required": ["name", "permissions"],
    "properties": {
        "name": {"type": "string", "minLength": 1, "maxLength": 100, "pattern": r"\S"},
        "permissions": {
            "type": "array",
            "minItems": 1,
            "maxItems": len(API_KEY_PERMISSIONS),
            "uniqueItems": True,
            "items": {"type": "string", "enum": sorted(API_KEY_PERMISSIONS)},
        },
        "expires_at": {"type": ["string", "null"], "format": "date-time"},
    },
}


def environment_prefix() -> str:
    stage = get_settings().stage
    return f"zk_{'live' if stage == 'prod' else stage}_"


def _key_shape() -> re.Pattern[str]:
    return re.compile(re.escape(environment_prefix()) + f"[A-Za-z0-9]{{{SECRET_LENGTH}}}")


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def create_key(principal: Principal, body: Any) -> dict[str, Any]:
    """201's body: the key's view and, this once, the key itself."""
    fields = validate(CREATE_SCHEMA, body)
    permissions = sorted(fields["permissions"])
    beyond = [p for p in permissions if p not in principal.permissions]
    if beyond:
        raise ValidationFailed(
            "An API key may hold only permissions its creator holds.",
            [{"field": "permissions", "message": f"you do not hold {', '.join(beyond)}"}],
        )
    now = clock.now()
    expires_at = _expiry(fields.get("expires_at"), now)
    key = environment_prefix() + "".join(secrets.choice(KEY_ALPHABET) for _ in range(SECRET_LENGTH))
    item = ApiKeyModel(
        principal.org_id,
        new_id(),
        name=fields["name"].strip(),
        prefix=key[: len(environment_prefix()) + VISIBLE_SECRET_CHARACTERS],
        key_hash=hash_key(key),
        permissions=permissions,
        status=PENDING,
        tier=_tier(principal.org_id),
        created_at=now,
        created_by=principal.user_id,
        expires_at=expires_at,
    )
    item.save(condition=ApiKeyModel.key_id.does_not_exist())
    gateway_key_id = _create_gateway_key(item, key)
    try:
        _activate(item, gateway_key_id, principal)
    except BaseException:
        _undo(item, gateway_key_id)
        raise
    count("ApiKeyCreated")
    return {**key_view(item), "key": key}


def _create_gateway_key(item: ApiKeyModel, key: str) -> str:
    from chalicelib.aws.api_gateway import UnknownTier, create_gateway_key

    try:
        return create_gateway_key(item.key_id, key, item.tier, item.org_id)
    except UnknownTier:
        _undo(item, None)
        logger.error("No API Gateway usage plan for tier %s", item.tier)
        raise ServiceUnavailable("API keys cannot be issued right now; try again later.") from None
    except Exception:
        _undo(item, None)
        logger.exception("API Gateway did not create the key")
        raise ServiceUnavailable("API keys cannot be issued right now; try again later.") from None


def _activate(item: ApiKeyModel, gateway_key_id: str, principal: Principal) -> None:
    audit, event = audited(
        item.org_id, principal.user_id, "created", "api_key", item.key_id,
        {"name": item.name, "prefix": item.prefix, "permissions": item.permissions,
         "expires_at": clock.isoformat(item.expires_at) if item.expires_at else None},
    )  # fmt: skip
    commit([Change(
        "update", ApiKeyModel(item.org_id, item.key_id),
        actions=[ApiKeyModel.status.set(ACTIVE), ApiKeyModel.gateway_key_id.set(gateway_key_id)],
        condition=ApiKeyModel.status == PENDING, audit=audit, event=event,
    )])  # fmt: skip
    item.status, item.gateway_key_id = ACTIVE, gateway_key_id


def _undo(item: ApiKeyModel, gateway_key_id: str | None) -> None:
    """Best effort: what is left if this fails too is a pending item (and perhaps its gateway key)."""
    from chalicelib.aws.api_gateway import delete_gateway_key

    try:
        if gateway_key_id is not None:
            delete_gateway_key(gateway_key_id, item.tier)
        item.delete(condition=ApiKeyModel.status == PENDING)
    except Exception:
        logger.exception("Could not undo the pending API key %s", item.key_id)


def list_keys(principal: Principal) -> dict[str, Any]:
    return {"items": [key_view(item) for item in api_keys.of_organization(principal.org_id)]}


def get_key(principal: Principal, key_id: str) -> dict[str, Any]:
    return key_view(_existing(principal.org_id, key_id))


def revoke_key(principal: Principal, key_id: str) -> None:
    """Revoke the key; a key revoked already is answered the same (and its gateway key deleted,
    should an earlier revocation have stopped before deleting it)."""
    from chalicelib.aws.api_gateway import delete_gateway_key

    item = _existing(principal.org_id, key_id, consistent=True)
    if item.status != REVOKED:
        now = clock.now()
        audit, event = audited(item.org_id, principal.user_id, "revoked", "api_key", item.key_id, {"name": item.name})
        commit([Change(
            "update", ApiKeyModel(item.org_id, item.key_id),
            actions=[ApiKeyModel.status.set(REVOKED), ApiKeyModel.revoked_at.set(now),
                     ApiKeyModel.revoked_by.set(principal.user_id)],
            condition=ApiKeyModel.status == item.status, audit=audit, event=event,
        )])  # fmt: skip
        count("ApiKeyRevoked")
    if item.gateway_key_id:
        delete_gateway_key(item.gateway_key_id, item.tier)
        # A revoked item that still names its gateway key is one whose deletion is outstanding.
        api_keys.forget_gateway_key(item.org_id, item.key_id)


def _existing(org_id: str, key_id: str, consistent: bool = False) -> ApiKeyModel:
    item = api_keys.find_key(org_id, key_id, consistent=consistent)
    if item is None or item.status == PENDING:
        raise NotFound("No API key with this id.")
    return item


def authenticate_key(presented: str) -> Principal:
    """What the authorizer runs for an x-api-key request: the key's organization and permissions.
    A key of another environment, or of any other shape, is refused without a lookup."""
    if not _key_shape().fullmatch(presented):
        raise Unauthorized(INVALID_KEY, invalid_token=True)
    presented_hash = hash_key(presented)
    item = api_keys.find_by_hash(presented_hash)
    if item is None or not hmac.compare_digest(item.key_hash, presented_hash):
        raise Unauthorized(INVALID_KEY, invalid_token=True)
    _check_usable(item)
    return Principal(
        user_id=item.key_id, org_id=item.org_id, role=API_KEY, session_id="",
        permissions=frozenset(item.permissions), kind=API_KEY,
    )  # fmt: skip


def confirm_active(org_id: str, key_id: str) -> None:
    """Every request of a key, after the authorizer (whose `key_hashes` index read is only
    eventually consistent): one consistent GetItem, so a revocation or an expiry applies to the
    very next request, and a use recorded at most once a minute."""
    item = api_keys.find_key(org_id, key_id, consistent=True)
    if item is None:
        raise Unauthorized(INVALID_KEY, invalid_token=True)
    _check_usable(item)
    now = clock.epoch_seconds()
    if item.last_used_at is None or item.last_used_at <= now - LAST_USED_RESOLUTION_SECONDS:
        api_keys.touch(org_id, key_id, now, LAST_USED_RESOLUTION_SECONDS)


def _check_usable(item: ApiKeyModel) -> None:
    if item.status != ACTIVE:
        raise Unauthorized(INVALID_KEY, invalid_token=True)
    if item.expires_at is not None and item.expires_at <= clock.now():
        raise Unauthorized("The API key has expired.", invalid_token=True)


def key_view(item: ApiKeyModel) -> dict[str, Any]:
    now = clock.now()
    if item.status == ACTIVE and item.expires_at is not None and item.expires_at <= now:
        status = "expired"
    else:
        status = item.status
    return {
        "id": item.key_id,
        "name": item.name,
        "prefix": item.prefix,
        "permissions": list(item.permissions),
        "tier": item.tier,
        "status": status,
        "revoked": item.status == REVOKED,
        "created_at": clock.isoformat(item.created_at),
        "created_by": item.created_by,
        "expires_at": clock.isoformat(item.expires_at) if item.expires_at else None,
        "revoked_at": clock.isoformat(item.revoked_at) if item.revoked_at else None,
        "last_used_at": (
            clock.isoformat(datetime.fromtimestamp(item.last_used_at, timezone.utc)) if item.last_used_at is not None else None
        ),
    }


def _expiry(value: str | None, now: datetime) -> datetime | None:
    if value is None:
        return None
    moment = clock.parse(value)
    if moment <= now:
        raise ValidationFailed(
            "expires_at must be in the future.", [{"field": "expires_at", "message": "must be in the future"}]
        )
    return moment


def _tier(org_id: str) -> str:
    organization = find(OrganizationModel, org_id)
    plan = organization.plan if organization is not None else DEFAULT_TIER
    return plan if plan in TIERS else DEFAULT_TIER
