"""Table `changes`: each organization's change feed, a gap-free sequence of record changes in
commit order (served by GET /v1/sync).

Partition `feed` = "<org_id>#<seq // CHANGES_PER_PARTITION>", sort `seq` (a number): an
organization's changes 1, 2, ... in partitions of 1,000 consecutive numbers, so whatever the
feed's length a Query reads one bounded item collection, and the partitions of expired changes
are never read again. Each change holds the kind (the REST collection), record id, op (upsert or
delete), version, the record's image after the write (DynamoDB's JSON of the item; none for a
delete), the change time, and a TTL. The organization's head is the item ("<org_id>#head", 0):
the last sequence number given out, the time of that change, and the key its sync cursors are
signed with.

Order is assigned at commit (`writes.commit`): the transaction that writes a record also puts its
change items at head + 1 ... head + k and updates the head on condition that it is still the value
read. Two writers of one organization that read the same head cannot both commit: the second is
cancelled and retries on the new head. So `seq` order is commit order, numbers are never skipped,
and a strongly consistent Query that returns seq N + 1 also returns every seq <= N still kept.

Change times never go backwards within an organization (a change's time is at least its head's),
so the items of a feed expire in `seq` order: a cursor younger than the retention can rely on every
change after it still being there (see `retention`). A page is one Query after the cursor (two when
it crosses into the next partition).
"""
from __future__ import annotations

import json
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from pynamodb.attributes import NumberAttribute, TTLAttribute, UnicodeAttribute, UTCDateTimeAttribute
from pynamodb.expressions.condition import Condition
from pynamodb.expressions.update import Action
from pynamodb.models import Model

from chalicelib.core import clock
from chalicelib.core.settings import get_settings
from chalicelib.platform.tables.base import table_meta

HEAD_SEQ = 0
CHANGES_PER_PARTITION = 1000
UPSERT = "upsert"
DELETE = "delete"
# Items are kept this much longer than a cursor is honoured, so that the clocks of two writers
# disagreeing by less than this can never let a change expire before a cursor that precedes it.
EXPIRY_MARGIN = timedelta(days=1)


class ChangeModel(Model):
    Meta = table_meta("changes")

    feed = UnicodeAttribute(hash_key=True)
    seq = NumberAttribute(range_key=True)
    kind = UnicodeAttribute()
    record_id = UnicodeAttribute()
    op = UnicodeAttribute()
    version = NumberAttribute()
    image = UnicodeAttribute(null=True)
    at = UTCDateTimeAttribute()
    expires_at = TTLAttribute()


class FeedHeadModel(Model):
    """An organization's head item, in the same table."""

    Meta = table_meta("changes")

    feed = UnicodeAttribute(hash_key=True)
    seq = NumberAttribute(range_key=True, default=HEAD_SEQ)
    last_seq = NumberAttribute(default=0)
    changed_at = UTCDateTimeAttribute(null=True)
    cursor_key = UnicodeAttribute()


@dataclass(frozen=True)
class FeedEntry:
    """What a record write adds to its organization's feed: the record as the write leaves it."""

    kind: str
    record_id: str
    image: Model

    @property
    def deleted(self) -> bool:
        return getattr(self.image, "deleted_at", None) is not None


@dataclass(frozen=True)
class Sequenced:
    """The feed's part of one organization's transaction: the change items, and the head update
    that orders them (conditional on the head read)."""

    items: list[ChangeModel]
    head: FeedHeadModel
    head_actions: list[Action]
    head_condition: Condition


def retention() -> timedelta:
    return timedelta(days=get_settings().sync_retention_days)


def read_head(org_id: str) -> FeedHeadModel | None:
    try:
        return FeedHeadModel.get(_head_key(org_id), HEAD_SEQ, consistent_read=True)
    except FeedHeadModel.DoesNotExist:
        return None


def open_head(org_id: str) -> FeedHeadModel:
    """The head, created (at seq 0, with a fresh cursor key) if this organization has none yet:
    a client may start syncing before anything was written."""
    head = read_head(org_id)
    if head is not None:
        return head
    head = FeedHeadModel(_head_key(org_id), HEAD_SEQ)
    head.update(
        actions=[
            FeedHeadModel.last_seq.set(FeedHeadModel.last_seq | 0),
            FeedHeadModel.cursor_key.set(FeedHeadModel.cursor_key | _new_key()),
        ]
    )
    return head


def sequence(org_id: str, entries: list[FeedEntry], head: FeedHeadModel | None) -> Sequenced:
    """The change items for `entries`, numbered after `head` (None: the feed has not started)."""
    last = int(head.last_seq) if head is not None else 0
    now = clock.now()
    at = max(now, head.changed_at) if head is not None and head.changed_at is not None else now
    expires_at = at + retention() + EXPIRY_MARGIN
    items = [
        ChangeModel(
            partition(org_id, last + position),
            last + position,
            kind=entry.kind,
            record_id=entry.record_id,
            op=DELETE if entry.deleted else UPSERT,
            version=int(entry.image.version),
            image=None if entry.deleted else json.dumps(entry.image.serialize(), separators=(",", ":")),
            at=at,
            expires_at=expires_at,
        )
        for position, entry in enumerate(entries, start=1)
    ]
    condition = (
        FeedHeadModel.last_seq == last if head is not None else FeedHeadModel.last_seq.does_not_exist()
    )
    actions = [
        FeedHeadModel.last_seq.set(last + len(entries)),
        FeedHeadModel.changed_at.set(at),
        FeedHeadModel.cursor_key.set(FeedHeadModel.cursor_key | _new_key()),
    ]
    return Sequenced(items, FeedHeadModel(_head_key(org_id), HEAD_SEQ), actions, condition)


def changes_after(org_id: str, seq: int, limit: int, last_seq: int) -> list[ChangeModel]:
    """Up to `limit` changes after `seq`, in order, of a feed whose head is at `last_seq`: one
    strongly consistent Query, another when the page reaches into the next partition (or DynamoDB
    cut it at 1 MB)."""
    found: list[ChangeModel] = []
    position = seq
    while len(found) < limit and position < last_seq:
        bucket = (position + 1) // CHANGES_PER_PARTITION
        results = ChangeModel.query(
            f"{org_id}#{bucket}", ChangeModel.seq > position, consistent_read=True, page_size=limit - len(found)
        )
        page = [ChangeModel.from_raw_data(raw) for raw in next(results.page_iter).get("Items", [])]
        found += page
        if page:
            position = int(page[-1].seq)
        if results.page_iter.last_evaluated_key is None:
            # Nothing more in this partition: go on in the next one.
            position = max(position, (bucket + 1) * CHANGES_PER_PARTITION - 1)
    return found


def partition(org_id: str, seq: int) -> str:
    """The partition holding change `seq` of an organization's feed."""
    return f"{org_id}#{seq // CHANGES_PER_PARTITION}"


def image_of(model: type[Model], change: ChangeModel) -> Model | None:
    """The record a change left (None for a tombstone), as `model` reads it."""
    if change.image is None:
        return None
    return model.from_raw_data(json.loads(change.image))


def is_expired(at: datetime) -> bool:
    """Whether a cursor issued at `at` is older than the feed keeps changes."""
    return at < clock.now() - retention()


def _head_key(org_id: str) -> str:
    return f"{org_id}#head"


def _new_key() -> str:
    return secrets.token_hex(32)

