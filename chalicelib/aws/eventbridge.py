"""Domain events to an EventBridge bus, for integrations (source "zebros", detail-type = the
event type, detail = the event with its id, on which subscribers deduplicate: delivery is at
least once)."""
from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from dataclasses import asdict

from chalicelib.core.events import DomainEvent

SOURCE = "zebros"
# PutEvents takes at most 10 entries and 256 KB per call (an entry's size is mostly its detail).
MAX_ENTRIES = 10
MAX_BATCH_BYTES = 256 * 1024
ENTRY_OVERHEAD_BYTES = 512


class EventBridgeConsumer:
    def __init__(self, bus_name: str) -> None:
        from chalicelib.aws.sessions import client

        self.bus_name = bus_name
        self.client = client("events")

    def __call__(self, events: Sequence[DomainEvent]) -> None:
        """Put every event, in order; entries EventBridge refuses are sent once more, and what is
        still refused raises, so the stream delivers the batch again."""
        for batch in _batches([self._entry(event) for event in events]):
            failed = self._put(batch)
            if failed:
                failed = self._put([entry for entry, _ in failed])
            if failed:
                codes = sorted({result["ErrorCode"] for _, result in failed})
                raise RuntimeError(f"EventBridge refused {len(failed)} events ({', '.join(codes)})")

    def _put(self, entries: list[dict]) -> list[tuple[dict, dict]]:
        """The entries EventBridge did not accept, with its answer for each."""
        response = self.client.put_events(Entries=entries)
        if not response.get("FailedEntryCount"):
            return []
        return [(entry, result) for entry, result in zip(entries, response["Entries"]) if "ErrorCode" in result]

    def _entry(self, event: DomainEvent) -> dict:
        detail = event.to_json()
        if len(detail.encode()) + ENTRY_OVERHEAD_BYTES > MAX_BATCH_BYTES:
            # Large values (a long note) cannot ride on the bus: subscribers get the changed field
            # names and read the record itself.
            fields = asdict(event)
            fields["data"] = {**fields["data"], "changes": sorted(fields["data"].get("changes", {})), "truncated": True}
            detail = json.dumps(fields, default=str, separators=(",", ":"))
        return {"EventBusName": self.bus_name, "Source": SOURCE, "DetailType": event.type, "Detail": detail}


def _batches(entries: list[dict]) -> Iterator[list[dict]]:
    batch: list[dict] = []
    size = 0
    for entry in entries:
        entry_size = len(entry["Detail"].encode()) + ENTRY_OVERHEAD_BYTES
        if batch and (len(batch) == MAX_ENTRIES or size + entry_size > MAX_BATCH_BYTES):
            yield batch
            batch, size = [], 0
        batch.append(entry)
        size += entry_size
    if batch:
        yield batch
