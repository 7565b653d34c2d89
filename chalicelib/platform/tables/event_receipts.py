"""Table `event_receipts`: which domain events a consumer has already handled, kept 48 h.

The stream delivers at least once (a batch is delivered again when any consumer raises), so a
consumer whose effect must not repeat (a message to a person) skips the ids it has a receipt for.
Key `receipt` = "<consumer>#<event id>", so receipts spread over partitions rather than piling
into one per consumer; the retention outlasts the stream's (24 h), so a redelivery always finds
the receipt. One BatchGetItem before, one BatchWriteItem after delivery.
"""
from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

from pynamodb.attributes import TTLAttribute, UnicodeAttribute
from pynamodb.models import Model

from chalicelib.core import clock
from chalicelib.platform.tables.base import table_meta

RETENTION = timedelta(hours=48)


class EventReceiptModel(Model):
    Meta = table_meta("event_receipts")

    receipt = UnicodeAttribute(hash_key=True)
    purge_at = TTLAttribute()


def _receipt(consumer: str, event_id: str) -> str:
    return f"{consumer}#{event_id}"


def handled(consumer: str, event_ids: Sequence[str]) -> set[str]:
    """The ids among `event_ids` that `consumer` has a receipt for."""
    by_receipt = {_receipt(consumer, event_id): event_id for event_id in event_ids}
    found = EventReceiptModel.batch_get(list(by_receipt)) if by_receipt else []
    return {by_receipt[item.receipt] for item in found}


def record_handled(consumer: str, event_ids: Sequence[str]) -> None:
    purge_at = clock.now() + RETENTION
    with EventReceiptModel.batch_write() as batch:
        for event_id in dict.fromkeys(event_ids):
            batch.save(EventReceiptModel(_receipt(consumer, event_id), purge_at=purge_at))
