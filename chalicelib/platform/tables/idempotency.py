"""Table `idempotency_keys`: the first response to each (caller, route, Idempotency-Key), kept 24 h.

A request claims its key with a conditional put before doing any work, so of two concurrent
requests with one key exactly one runs; the other is told the first is still in progress.
"""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from pynamodb.attributes import (
    MapAttribute,
    NumberAttribute,
    TTLAttribute,
    UnicodeAttribute,
)
from pynamodb.exceptions import PutError
from pynamodb.models import Model

from chalicelib.platform.tables.base import condition_failed, find, table_meta

RETENTION = timedelta(hours=24)
# A claim older than this belongs to a request that died mid-way; a retry may take it over.
CLAIM_TIMEOUT_SECONDS = 30


class IdempotencyRecordModel(Model):
    Meta = table_meta("idempotency_keys")

    scope_key = UnicodeAttribute(hash_key=True)
    fingerprint = UnicodeAttribute()
    claimed_at = NumberAttribute()
    response_status = NumberAttribute(null=True)
    response_body = UnicodeAttribute(null=True)
    response_headers = MapAttribute(null=True)
    purge_at = TTLAttribute()


def claim(scope_key: str, fingerprint: str, now: int) -> IdempotencyRecordModel | None:
    """Claim the key; None when claimed. Otherwise the record that holds it (done or in progress)."""
    record = IdempotencyRecordModel(
        scope_key,
        fingerprint=fingerprint,
        claimed_at=now,
        purge_at=datetime.fromtimestamp(now, timezone.utc) + RETENTION,
    )
    unclaimed = IdempotencyRecordModel.scope_key.does_not_exist() | (
        IdempotencyRecordModel.response_status.does_not_exist()
        & (IdempotencyRecordModel.claimed_at < now - CLAIM_TIMEOUT_SECONDS)
    )
    try:
        record.save(condition=unclaimed)
        return None
    except PutError as error:
        if not condition_failed(error):
            raise
    return find(IdempotencyRecordModel, scope_key, consistent=True)


def complete(scope_key: str, status: int, body: str, headers: dict[str, str]) -> None:
    IdempotencyRecordModel(scope_key).update(
        actions=[
            IdempotencyRecordModel.response_status.set(status),
            IdempotencyRecordModel.response_body.set(body),
            IdempotencyRecordModel.response_headers.set(headers),
        ]
    )


def release(scope_key: str) -> None:
    """Give the key back after a failure, so the client's retry runs the request again."""
    IdempotencyRecordModel(scope_key).delete(condition=IdempotencyRecordModel.response_status.does_not_exist())
