"""Table `password_resets`: single-use reset tokens, stored as hashes, swept by TTL."""
from __future__ import annotations

from datetime import datetime, timezone

from pynamodb.attributes import NumberAttribute, TTLAttribute, UnicodeAttribute
from pynamodb.exceptions import UpdateError
from pynamodb.models import Model

from chalicelib.platform.tables.base import condition_failed, table_meta


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


def redeem(token_hash: str, now: int) -> str | None:
    """Mark the token used and return its email; None when unknown, expired or already used."""
    reset = PasswordResetModel(token_hash)
    try:
        reset.update(
            actions=[PasswordResetModel.used_at.set(now)],
            condition=PasswordResetModel.token_hash.exists()
            & PasswordResetModel.used_at.does_not_exist()
            & (PasswordResetModel.expires_at > now),
        )
    except UpdateError as error:
        if condition_failed(error):
            return None
        raise
    return reset.email
