"""Table `fanout_deliveries`: for each event the WebSocket fan-out handled, the connections it reached.

Delivery is at-least-once (a stream batch is sent again after an error), so before posting an
event the fan-out reads this item (one GetItem) and skips the connections already reached, and
after posting adds the ones it reached (one UpdateItem): a duplicate reaches a client once.
Kept a day (TTL), well past the stream's retries.
"""
from __future__ import annotations

from datetime import datetime, timedelta

from pynamodb.attributes import TTLAttribute, UnicodeAttribute, UnicodeSetAttribute
from pynamodb.models import Model

from chalicelib.platform.tables.base import find, table_meta

KEPT_FOR = timedelta(days=1)


class FanoutDeliveryModel(Model):
    Meta = table_meta("fanout_deliveries")

    event_id = UnicodeAttribute(hash_key=True)
    connection_ids = UnicodeSetAttribute(null=True)
    purge_at = TTLAttribute()


def reached(event_id: str) -> set[str]:
    delivery = find(FanoutDeliveryModel, event_id, consistent=True)
    return set(delivery.connection_ids or ()) if delivery else set()


def record_reached(event_id: str, connection_ids: set[str], now: datetime) -> None:
    if connection_ids:
        FanoutDeliveryModel(event_id).update(
            actions=[
                FanoutDeliveryModel.connection_ids.add(connection_ids),
                FanoutDeliveryModel.purge_at.set(now + KEPT_FOR),
            ]
        )
