"""Access patterns shared by every tenant-owned table: partition key `org_id`, one sort key.

Because the organization is the partition key and always comes from the caller's token, another
tenant's id finds nothing and answers 404 exactly like a missing one. Every write goes through
`writes.commit`, so it carries its audit entry and domain event, and is conditional: creation on
the key being free, updates on the version read (If-Match), nothing on a deleted record.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import timedelta
from typing import Any, Generic, TypeVar

from pynamodb.attributes import NumberAttribute, UnicodeAttribute, UTCDateTimeAttribute
from pynamodb.expressions.condition import Condition
from pynamodb.models import Model

from chalicelib.core import clock
from chalicelib.core.errors import Conflict, NotFound, PreconditionFailed
from chalicelib.core.events import DomainEvent
from chalicelib.platform.tables.base import find, query_page
from chalicelib.platform.tables.changes import FeedEntry
from chalicelib.platform.tables.visibility import narrowed
from chalicelib.platform.tables.writes import Change, audited, commit, plain


class TenantRecord(Model):
    """What every tenant-owned record has: its organization as partition key, and the bookkeeping
    TenantTable keeps (who and when, the version If-Match compares, the soft-delete mark).
    Subclasses add their table's Meta, sort key and fields."""

    org_id = UnicodeAttribute(hash_key=True)
    created_by = UnicodeAttribute()
    updated_by = UnicodeAttribute()
    created_at = UTCDateTimeAttribute()
    updated_at = UTCDateTimeAttribute()
    version = NumberAttribute(default=1)
    deleted_at = UTCDateTimeAttribute(null=True)


M = TypeVar("M", bound=Model)
RESTORE_WINDOW = timedelta(days=30)
# Bookkeeping attributes: in every record, never part of what a client changes or an audit diff.
BOOKKEEPING = frozenset(
    {"org_id", "version", "created_at", "updated_at", "created_by", "updated_by", "deleted_at", "purge_at"}
)


class TenantTable(Generic[M]):
    def __init__(
        self,
        model: type[M],
        sort_attribute: str,
        kind: str,
        id_attribute: str | None = None,
        derive: Callable[[M], dict[str, Any]] | None = None,
        derived_attributes: frozenset[str] = frozenset(),
        feed_kind: str | None = None,
    ) -> None:
        """`kind` names the record in audit entries and event types ("customer" -> customer.created);
        `derive` computes the `derived_attributes` kept for indexes (lower-cased names, composite keys);
        `feed_kind`, for a record type clients sync, is its REST collection ("customers",
        "kb/articles"): each of its writes then enters the organization's change feed under it."""
        self.model = model
        self.feed_kind = feed_kind
        self.sort_attribute = sort_attribute
        self.id_attribute = id_attribute or sort_attribute
        self.kind = kind
        self.noun = kind.replace("_", " ")
        self.derive = derive
        self._attributes = model.get_attributes()
        keys = {model._hash_keyname, model._range_keyname}
        self.public_fields = [
            name for name in self._attributes if name not in BOOKKEEPING | keys | derived_attributes
        ]

    # Reads

    def get(self, org_id: str, sort_key: str, consistent: bool = False) -> M:
        item = self.get_including_deleted(org_id, sort_key, consistent)
        if getattr(item, "deleted_at", None) is not None:
            raise self.not_found()
        return item

    def get_including_deleted(self, org_id: str, sort_key: str, consistent: bool = False) -> M:
        item = find(self.model, org_id, sort_key, consistent)
        if item is None:
            raise self.not_found()
        return item

    def page(
        self,
        org_id: str,
        limit: int,
        cursor: str | None,
        range_key_condition: Condition | None = None,
        filter_condition: Condition | None = None,
        newest_first: bool = False,
        include_deleted: bool = False,
    ) -> tuple[list[M], str | None]:
        if not include_deleted and "deleted_at" in self._attributes:
            live = self.model.deleted_at.does_not_exist()
            filter_condition = live if filter_condition is None else filter_condition & live
        return query_page(
            self.model,
            self.model,
            {"org_id": org_id},
            org_id,
            frozenset({self.sort_attribute}),
            limit,
            cursor,
            range_key_condition=range_key_condition,
            filter_condition=filter_condition,
            newest_first=newest_first,
        )

    # Changes, to commit alone or together with others

    def creation(self, item: M, actor: str) -> list[Change]:
        now = clock.now()
        self._stamp(item, created_at=now, updated_at=now, created_by=actor, updated_by=actor, version=1)
        if self.derive:
            for name, value in self.derive(item).items():
                setattr(item, name, value)
        fields = {name: plain(getattr(item, name)) for name in self.public_fields if getattr(item, name) is not None}
        audit, event = audited(
            item.org_id, actor, "created", self.kind, self.record_id(item), fields, getattr(item, "version", None)
        )
        return [
            Change(
                "put",
                item,
                condition=getattr(self.model, self.sort_attribute).does_not_exist(),
                on_condition_failed=Conflict(f"This {self.noun} already exists."),
                audit=audit,
                event=event,
                feed=self._feed_entry(item),
            )
        ]

    def modification(
        self, current: M, changes: dict[str, Any], actor: str, action: str = "updated", deleted: bool = False
    ) -> tuple[list[Change], M]:
        """The update from `current` (as read) to `current` + `changes`, conditional on nobody having
        written in between. No changes when nothing would change."""
        diff = {
            name: {"from": plain(getattr(current, name)), "to": plain(value)}
            for name, value in changes.items()
            if plain(getattr(current, name)) != plain(value)
        }
        if not diff and action == "updated":
            return [], current
        updated = self.model.from_raw_data(current.serialize())
        for name, value in changes.items():
            setattr(updated, name, value)
        self._stamp(updated, updated_at=clock.now(), updated_by=actor, version=current.version + 1)
        assignments = dict(changes)
        if self.derive:
            derived = self.derive(updated)
            for name, value in derived.items():
                setattr(updated, name, value)
            assignments.update(derived)
        assignments.update(
            {name: getattr(updated, name) for name in ("updated_at", "updated_by", "version") if name in self._attributes}
        )
        actions = [
            getattr(self.model, name).remove() if value is None else getattr(self.model, name).set(value)
            for name, value in assignments.items()
        ]
        model = self.model
        condition = model.version == current.version
        if "deleted_at" in self._attributes:
            condition &= model.deleted_at.exists() if deleted else model.deleted_at.does_not_exist()
        audit, event = audited(
            current.org_id, actor, action, self.kind, self.record_id(current), diff, getattr(updated, "version", None)
        )
        change = Change(
            "update",
            self.model(current.org_id, getattr(current, self.sort_attribute)),
            actions=actions,
            condition=condition,
            on_condition_failed=PreconditionFailed(
                f"The {self.noun} changed while this request ran; fetch it again.", current_version=current.version
            ),
            audit=audit,
            event=event,
            feed=self._feed_entry(updated),
        )
        return [change], updated

    def existence_check(self, org_id: str, sort_key: str) -> Change:
        """A transaction part that only asserts the record exists, live, in this tenant."""
        condition = getattr(self.model, self.sort_attribute).exists()
        if "deleted_at" in self._attributes:
            condition &= self.model.deleted_at.does_not_exist()
        if narrowed(self.model) and find(self.model, org_id, sort_key) is None:
            # Hidden from the caller's team (visibility.py): a condition that cannot hold, so the
            # write fails as it would for a missing record, and writes nothing.
            condition &= getattr(self.model, self.sort_attribute).does_not_exist()
        return Change("check", self.model(org_id, sort_key), condition=condition, on_condition_failed=self.not_found())

    # Single-record writes

    def insert(self, item: M, actor: str, also: Sequence[Change] = (), events: Sequence[DomainEvent] = ()) -> M:
        commit([*self.creation(item, actor), *also], events)
        return item

    def update(
        self,
        org_id: str,
        sort_key: str,
        changes: dict[str, Any],
        expected_version: int | None,
        actor: str,
        action: str = "updated",
        also: Sequence[Change] = (),
        events: Sequence[DomainEvent] = (),
    ) -> M:
        current = self.get(org_id, sort_key)
        self.check_version(current, expected_version)
        changes_to_commit, updated = self.modification(current, changes, actor, action)
        if changes_to_commit:
            commit([*changes_to_commit, *also], events)
        return updated

    def soft_delete(self, org_id: str, sort_key: str, expected_version: int | None, actor: str) -> M:
        now = clock.now()
        changes: dict[str, Any] = {"deleted_at": now}
        if "purge_at" in self._attributes:
            # DynamoDB's TTL removes the record once it can no longer be restored.
            changes["purge_at"] = now + RESTORE_WINDOW
        return self.update(org_id, sort_key, changes, expected_version, actor, action="deleted")

    def restore(self, org_id: str, sort_key: str, actor: str) -> M:
        current = self.get_including_deleted(org_id, sort_key)
        if current.deleted_at is None:
            raise Conflict(f"This {self.noun} is not deleted.")
        if current.deleted_at < clock.now() - RESTORE_WINDOW:
            raise NotFound(f"This {self.noun} was deleted more than 30 days ago and cannot be restored.")
        changes: dict[str, Any] = {"deleted_at": None}
        if "purge_at" in self._attributes:
            changes["purge_at"] = None
        changes_to_commit, restored = self.modification(current, changes, actor, action="restored", deleted=True)
        commit(changes_to_commit)
        return restored

    # Helpers

    def check_version(self, current: M, expected_version: int | None) -> None:
        if expected_version is not None and current.version != expected_version:
            raise PreconditionFailed(
                f"The {self.noun} is at version {current.version}, not {expected_version}; fetch it again.",
                current_version=current.version,
            )

    def not_found(self) -> NotFound:
        return NotFound(f"No {self.noun} with this id.")

    def record_id(self, item: M) -> str:
        return getattr(item, self.id_attribute)

    def _feed_entry(self, image: M) -> FeedEntry | None:
        """The record as the write leaves it: the exact after-image, since an update is conditional
        on the version it was computed from."""
        return FeedEntry(self.feed_kind, self.record_id(image), image) if self.feed_kind else None

    def _stamp(self, item: M, **values: Any) -> None:
        for name, value in values.items():
            if name in self._attributes:
                setattr(item, name, value)
