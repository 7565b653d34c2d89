"""Table `password_resets`: single-use reset tokens, stored as hashes, swept by TTL."""
from __future__ import annotations

from datetime import datetime, timezone

from pynamodb.attributes import NumberAttribute, TTLAttribute, UnicodeAttribute
from pynamodb.models import Model

from chalicelib.platform.tables.base import find, table_meta


class PasswordResetModel(Model):
    Meta = table_meta("password_resets")

    token_hash = UnicodeAttribute(hash_key=True)
    email = UnicodeAttribute()
    expires_at = NumberAttribute()
    used_at = NumberAttribute(null=True)
    purge_at = TTLAttribute()


def store_reset(token_hash: str, email: str, expires_at: int) -> None:
    PasswordResetModel(
        token_hash,
        email=email,
        expires_at=expires_at,
        purge_at=datetime.fromtimestamp(expires_at, timezone.utc),
    ).save()


def usable_email(token_hash: str, now: int) -> str | None:
    """The email of a token that is known, unexpired and not yet used; None otherwise."""
    reset = find(PasswordResetModel, token_hash, consistent=True)
    if reset is None or reset.used_at is not None or reset.expires_at <= now:
        return None
    return reset.email


def mark_used(token_hash: str, now: int) -> None:
    """Spend the token, once the reset it proves is complete."""
    PasswordResetModel(token_hash).update(actions=[PasswordResetModel.used_at.set(now)], condition=PasswordResetModel.token_hash.exists())
