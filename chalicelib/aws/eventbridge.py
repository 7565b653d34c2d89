"""Domain events to an EventBridge bus (source "zebros", detail-type = the event type)."""
from __future__ import annotations

from collections.abc import Sequence

from chalicelib.core.events import DomainEvent

# PutEvents takes at most 10 entries per call.
BATCH = 10


class EventBridgePublisher:
    def __init__(self, bus_name: str) -> None:
        from chalicelib.aws.sessions import client

        self.bus_name = bus_name
        self.client = client("events")

    def publish(self, events: Sequence[DomainEvent]) -> None:
        for start in range(0, len(events), BATCH):
            entries = [
                {"EventBusName": self.bus_name, "Source": "zebros", "DetailType": event.type, "Detail": event.to_json()}
                for event in events[start : start + BATCH]
            ]
            response = self.client.put_events(Entries=entries)
            if response.get("FailedEntryCount"):
                raise RuntimeError(f"{response['FailedEntryCount']} events were not accepted by EventBridge")
