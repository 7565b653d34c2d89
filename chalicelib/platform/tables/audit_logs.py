"""Table `audit_logs`: who changed what, when, written in the same transaction as the change.
Partition `org_id`, sort `entry_id` (time-ordered); `by_target` lists one record's history.

It is also the source of domain events (chalicelib/core/events.py): each entry announces the
event its own fields describe (`<target_type>.<action>` with the changes) or, when the write says
more than that, the events listed in `events_json`. Its stream (NEW_IMAGE) feeds the consumer.
"""
from __future__ import annotations

import json
from dataclasses import asdict
from typing import Any

from pynamodb.attributes import NumberAttribute, UnicodeAttribute, UTCDateTimeAttribute
from pynamodb.models import Model

from chalicelib.core import clock
from chalicelib.core.events import DomainEvent, event_id
from chalicelib.platform.tables.base import global_index, table_meta


class AuditLogModel(Model):
    Meta = table_meta("audit_logs", stream_view_type="NEW_IMAGE")

    org_id = UnicodeAttribute(hash_key=True)
    entry_id = UnicodeAttribute(range_key=True)
    actor = UnicodeAttribute()
    action = UnicodeAttribute()
    target_type = UnicodeAttribute()
    target_id = UnicodeAttribute()
    # "<org_id>#<target_type>#<target_id>": the organization is part of the key, so the index
    # cannot be queried across tenants.
    target_key = UnicodeAttribute()
    at = UTCDateTimeAttribute()
    # The version of the target this entry's write produced (entries of writes that do not version
    # their target, and entries written before versions were recorded, have none): what changed
    # since a version is the changes of the entries after it.
    version = NumberAttribute(null=True)
    changes_json = UnicodeAttribute()
    # Only when the write announces more than (or other than) the entry's own event: the events,
    # in order, without their ids (they are numbered after the entry).
    events_json = UnicodeAttribute(null=True)

    by_target = global_index("by_target", "target_key", "entry_id")


def target_key(org_id: str, target_type: str, target_id: str) -> str:
    return f"{org_id}#{target_type}#{target_id}"


def own_event(entry: AuditLogModel) -> DomainEvent:
    """The event an entry's own fields describe: `<target_type>.<action>` with its changes."""
    return DomainEvent(
        id=entry.entry_id,
        type=f"{entry.target_type}.{entry.action}",
        org_id=entry.org_id,
        actor=entry.actor,
        subject_type=entry.target_type,
        subject_id=entry.target_id,
        occurred_at=clock.isoformat(entry.at),
        data={"changes": json.loads(entry.changes_json)},
    )


def announce(entry: AuditLogModel, events: list[DomainEvent]) -> None:
    """Make `entry` carry `events` (stored only when they are not just its own event)."""
    if [_without_id(event) for event in events] != [_without_id(own_event(entry))]:
        entry.events_json = json.dumps([_without_id(event) for event in events], default=str, separators=(",", ":"))


def entry_events(entry: AuditLogModel) -> list[DomainEvent]:
    """The events a committed entry announces, with the ids every delivery of them carries."""
    if entry.events_json is None:
        return [own_event(entry)]
    return [
        DomainEvent(id=event_id(entry.entry_id, position), **fields)
        for position, fields in enumerate(json.loads(entry.events_json))
    ]


def entry_from_image(image: dict[str, Any]) -> AuditLogModel:
    """An entry from a stream record's NewImage (DynamoDB's attribute-value JSON)."""
    return AuditLogModel.from_raw_data(image)


def _without_id(event: DomainEvent) -> dict[str, Any]:
    fields = asdict(event)
    del fields["id"]
    return json.loads(json.dumps(fields, default=str))


def changes_since(
    org_id: str, target_type: str, target_id: str, version: int, current_version: int
) -> list[AuditLogModel] | None:
    """The entries of one record's writes after `version` up to `current_version`, oldest first:
    one Query of `by_target`, newest first, read until the entry that produced `version`. None when
    the index (eventually consistent) does not hold `current_version`'s entry yet."""
    newer: list[AuditLogModel] = []
    expected = current_version
    for entry in AuditLogModel.by_target.query(target_key(org_id, target_type, target_id), scan_index_forward=False):
        # Entries written before versions were recorded are older than every versioned one, and a
        # record's n-th write made version n.
        produced = int(entry.version) if entry.version is not None else expected
        if produced > current_version:
            continue  # a write that landed after the caller read the record; the next attempt sees it
        if not newer and produced < current_version:
            return None
        if produced <= version:
            break
        newer.append(entry)
        expected = produced - 1
    if not newer and current_version > version:
        return None
    return list(reversed(newer))


def entries_from(org_id: str, first_entry_id: str, limit: int) -> list[AuditLogModel]:
    """An organization's entries from `first_entry_id` on, oldest first, at most `limit`: one Query."""
    return list(AuditLogModel.query(org_id, AuditLogModel.entry_id >= first_entry_id, limit=limit))
