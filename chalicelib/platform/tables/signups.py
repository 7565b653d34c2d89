"""Table `signups`: sign-ups waiting for their email to be confirmed (POST /v1/auth/register).

One item per email (partition `email`), so a new request for an address replaces its pending
one (a PutItem) and the table holds at most one item per address asked for, each swept by TTL:
answering 202 to anyone cannot grow it without bound. The confirmation token is known only by its
SHA-256 (`token_hash`, 256 random bits make a slow hash unnecessary) and the chosen password
only by its argon2 hash. Confirming finds the sign-up by the token's hash (one Query of the
`by_token_hash` GSI) and consumes it in the transaction that creates the organization
(`consumption`: a delete conditional on the same hash, unexpired), so a token is spent once even
when two confirmations race, and a token replaced meanwhile (or a stale index entry) finds
nothing to consume.
"""
from __future__ import annotations

from datetime import datetime, timezone

from pynamodb.attributes import NumberAttribute, TTLAttribute, UnicodeAttribute
from pynamodb.models import Model

from chalicelib.core.errors import DomainError
from chalicelib.platform.tables.base import global_index, table_meta
from chalicelib.platform.tables.writes import Change


class SignupModel(Model):
    Meta = table_meta("signups")

    email = UnicodeAttribute(hash_key=True)
    token_hash = UnicodeAttribute()
    name = UnicodeAttribute()
    organization = UnicodeAttribute()
    password_hash = UnicodeAttribute()
    expires_at = NumberAttribute()
    purge_at = TTLAttribute()

    by_token_hash = global_index("by_token_hash", "token_hash")


def store(email: str, token_hash: str, name: str, organization: str, password_hash: str, expires_at: int) -> None:
    """The pending sign-up of `email`, replacing any earlier one (and so invalidating its token)."""
    SignupModel(
        email,
        token_hash=token_hash,
        name=name,
        organization=organization,
        password_hash=password_hash,
        expires_at=expires_at,
        purge_at=datetime.fromtimestamp(expires_at, timezone.utc),
    ).save()


def find_unexpired(token_hash: str, now: int) -> SignupModel | None:
    found = next(iter(SignupModel.by_token_hash.query(token_hash, limit=1)), None)
    return found if found is not None and found.expires_at > now else None


def consumption(signup: SignupModel, now: int, refused: DomainError) -> Change:
    """The change that spends the sign-up's token, for the transaction that acts on it."""
    return Change(
        "delete",
        SignupModel(signup.email),
        condition=(SignupModel.token_hash == signup.token_hash) & (SignupModel.expires_at > now),
        on_condition_failed=refused,
    )
