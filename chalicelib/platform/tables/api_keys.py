"""Table `api_keys`: an organization's API keys. Partition `org_id`, sort `key_id` (time-ordered).

Only the SHA-256 of a key is stored (`key_hash`): a key is 40 random base-62 characters (238 bits),
so a fast hash cannot be reversed or guessed, and the authorizer finds a key by its hash with one
Query of the `key_hashes` index. Access patterns: list = one Query of the organization's partition;
one key = GetItem; authenticate = Query `key_hashes` (then GetItem, consistent, per request: see
services/api_keys.py).

A key is written `pending` before API Gateway has it and becomes `active` once its gateway key is
attached to the usage plan; only an active key authenticates (docs/architecture.md, "API keys").
"""
from __future__ import annotations

from pynamodb.attributes import ListAttribute, NumberAttribute, UnicodeAttribute, UTCDateTimeAttribute
from pynamodb.exceptions import UpdateError
from pynamodb.models import Model

from chalicelib.platform.tables.base import condition_failed, find, global_index, table_meta

PENDING = "pending"
ACTIVE = "active"
REVOKED = "revoked"


class ApiKeyModel(Model):
    Meta = table_meta("api_keys")

    org_id = UnicodeAttribute(hash_key=True)
    key_id = UnicodeAttribute(range_key=True)
    name = UnicodeAttribute()
    # The key's first characters (its environment prefix and 6 more), shown so people tell keys apart.
    prefix = UnicodeAttribute()
    key_hash = UnicodeAttribute()
    permissions = ListAttribute(of=UnicodeAttribute, default=list)
    status = UnicodeAttribute(default=PENDING)
    # The organization's plan tier whose usage plan the gateway key is attached to.
    tier = UnicodeAttribute()
    gateway_key_id = UnicodeAttribute(null=True)
    created_at = UTCDateTimeAttribute()
    created_by = UnicodeAttribute()
    expires_at = UTCDateTimeAttribute(null=True)
    revoked_at = UTCDateTimeAttribute(null=True)
    revoked_by = UnicodeAttribute(null=True)
    # Epoch seconds, written at most once a minute per key (services/api_keys.py).
    last_used_at = NumberAttribute(null=True)

    key_hashes = global_index("key_hashes", "key_hash")


def find_key(org_id: str, key_id: str, consistent: bool = False) -> ApiKeyModel | None:
    return find(ApiKeyModel, org_id, key_id, consistent=consistent)


def find_by_hash(key_hash: str) -> ApiKeyModel | None:
    return next(iter(ApiKeyModel.key_hashes.query(key_hash, limit=1)), None)


def of_organization(org_id: str) -> list[ApiKeyModel]:
    """Every key of the organization, oldest first (an organization holds tens of keys, not thousands)."""
    return list(ApiKeyModel.query(org_id))


def touch(org_id: str, key_id: str, now: int, at_most_every: int) -> None:
    """Record a use, unless one was recorded less than `at_most_every` seconds ago: the condition
    makes this one cheap UpdateItem whose refusal writes nothing, whatever the request rate."""
    try:
        ApiKeyModel(org_id, key_id).update(
            actions=[ApiKeyModel.last_used_at.set(now)],
            condition=ApiKeyModel.key_id.exists()
            & (ApiKeyModel.last_used_at.does_not_exist() | (ApiKeyModel.last_used_at <= now - at_most_every)),
        )
    except UpdateError as error:
        if not condition_failed(error):
            raise


def forget_gateway_key(org_id: str, key_id: str) -> None:
    ApiKeyModel(org_id, key_id).update(
        actions=[ApiKeyModel.gateway_key_id.remove()], condition=ApiKeyModel.status == REVOKED
    )
