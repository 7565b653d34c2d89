"""Writes as one DynamoDB transaction each: the records, their audit entries and any counters
commit together or not at all. The domain events ride in the audit entries (see
platform/tables/audit_logs.py), so they are committed with the write and delivered from the
audit_logs stream; nothing is published after the commit.

A service builds `Change`s (usually through TenantTable) and hands them to `commit`. A change
whose condition fails raises the domain error it carries, so a 404 or 409 is decided by the
same request that tried the write, not by a racy read before it.

A change of a record in the change feed (`feed`, set by TenantTable for the kinds a product syncs)
also puts its feed item in the same transaction, numbered after its organization's feed head,
and the head moves on condition it is still the one read (platform/tables/changes.py). Writers of
one organization that read the same head race; the losers read it again and retry.
"""
from __future__ import annotations

import random
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from pynamodb.attributes import MapAttribute
from pynamodb.exceptions import TransactWriteError
from pynamodb.expressions.condition import Condition
from pynamodb.expressions.update import Action
from pynamodb.models import Model
from pynamodb.transactions import TransactWrite

from chalicelib.core import clock
from chalicelib.core.errors import DomainError, ServiceUnavailable, ValidationFailed
from chalicelib.core.events import DomainEvent
from chalicelib.core.ids import new_id
from chalicelib.platform.tables import changes as change_feed
from chalicelib.platform.tables.audit_logs import AuditLogModel, announce, target_key
from chalicelib.platform.tables.base import (
    DYNAMODB_ATTEMPTS,
    transaction_conditions_failed,
    transaction_conflicted,
    transaction_connection,
)
from chalicelib.platform.tables.counters import CounterModel

CONFLICT_PAUSE_SECONDS = 0.05
# Writers of one organization's feed serialize on its head: a transaction that lost the race is
# sent again on the new head after a random pause, its bound doubling (at most FEED_MAX_PAUSE), so a
# burst of writers spreads out. Eight attempts pause at most ~0.9 s in all: a request still answers
# (at worst 503, nothing written) well within a 3-second function.
FEED_ATTEMPTS = 8
FEED_MAX_PAUSE_SECONDS = 0.2


@dataclass
class Change:
    kind: str  # "put" | "update" | "check" | "delete"
    item: Model
    actions: list[Action] = field(default_factory=list)
    condition: Condition | None = None
    on_condition_failed: DomainError | None = None
    audit: AuditLogModel | None = None
    event: DomainEvent | None = None
    feed: change_feed.FeedEntry | None = None


class _FeedMoved(DomainError):
    """Another write of the organization took the feed position this transaction was built on."""


def audited(
    org_id: str,
    actor: str,
    action: str,
    target_type: str,
    target_id: str,
    changes: dict[str, Any],
    version: int | None = None,
) -> tuple[AuditLogModel, DomainEvent]:
    """The audit entry and the domain event for one write: one record of what happened, twice.
    `version`: the target's version the write produces, when the target is versioned."""
    now = clock.now()
    entry = AuditLogModel(
        org_id,
        new_id(),
        actor=actor,
        action=action,
        target_type=target_type,
        target_id=target_id,
        target_key=target_key(org_id, target_type, target_id),
        at=now,
        version=version,
        changes_json=_json(changes),
    )
    event = DomainEvent(
        id=entry.entry_id,
        type=f"{target_type}.{action}",
        org_id=org_id,
        actor=actor,
        subject_type=target_type,
        subject_id=target_id,
        occurred_at=clock.isoformat(now),
        data={"changes": plain(changes)},
    )
    return entry, event


def increment(org_id: str, counter_key: str, by: int = 1) -> Change:
    return Change("update", CounterModel(org_id, counter_key), actions=[CounterModel.value.add(by)])


def commit(changes: Sequence[Change], extra_events: Sequence[DomainEvent] = ()) -> None:
    """Apply every change atomically, each audit entry carrying its change's event; extra events
    (task.assigned, ticket.breached) ride in the first audit entry, after its own event."""
    _announce_events(changes, extra_events)
    fed = [change for change in changes if change.feed is not None]
    attempts = FEED_ATTEMPTS if fed else DYNAMODB_ATTEMPTS
    for attempt in range(1, attempts + 1):
        try:
            _transact([*changes, *_sequenced(fed)])
            break
        except _FeedMoved:
            if attempt == attempts:
                raise ServiceUnavailable() from None
        except TransactWriteError as error:
            # DynamoDB cancels the whole transaction when another one holds an item (the dashboard
            # counters are shared by every create, a feed head by every write of its organization):
            # nothing was applied, and sent again its conditions are checked afresh. botocore does
            # not retry a cancelled transaction.
            if not transaction_conflicted(error) or attempt == attempts:
                raise
        time.sleep(random.uniform(0, _pause_bound(attempt, bool(fed))))


def _pause_bound(attempt: int, fed: bool) -> float:
    return min(CONFLICT_PAUSE_SECONDS / 4 * 2**attempt, FEED_MAX_PAUSE_SECONDS) if fed else CONFLICT_PAUSE_SECONDS


def _sequenced(fed: Sequence[Change]) -> list[Change]:
    """The feed items of these record changes and their heads' updates, on the heads as they are
    now. Head updates come last, so a record's own failed condition (a 404, 409, 412) is the error
    reported when both fail."""
    by_org: dict[str, list[change_feed.FeedEntry]] = {}
    for change in fed:
        by_org.setdefault(change.item.org_id, []).append(change.feed)
    items: list[Change] = []
    heads: list[Change] = []
    for org_id, entries in by_org.items():
        sequenced = change_feed.sequence(org_id, entries, change_feed.read_head(org_id))
        items += [Change("put", item) for item in sequenced.items]
        heads.append(
            Change(
                "update",
                sequenced.head,
                actions=sequenced.head_actions,
                condition=sequenced.head_condition,
                on_condition_failed=_FeedMoved("The change feed moved on."),
            )
        )
    return items + heads


def transaction_items(changes: Sequence[Change]) -> int:
    """How many items `commit(changes)` sends in its transaction (DynamoDB takes at most 100): each
    change, its audit entry, its change-feed item, and one feed head per organization written."""
    fed_orgs = {change.item.org_id for change in changes if change.feed is not None}
    return sum(1 + (change.audit is not None) + (change.feed is not None) for change in changes) + len(fed_orgs)


def _announce_events(changes: Sequence[Change], extra_events: Sequence[DomainEvent]) -> None:
    audited_changes = [change for change in changes if change.audit is not None]
    if extra_events and not audited_changes:
        raise ValueError("extra events need an audited change to ride in")
    for position, change in enumerate(audited_changes):
        events = [change.event] if change.event is not None else []
        if position == 0:
            events += extra_events
        announce(change.audit, events)


def _transact(changes: Sequence[Change]) -> None:
    # PynamoDB sends a transaction's checks, deletes, puts and updates in that order, whatever the
    # order they were added in; DynamoDB's cancellation reasons follow the order sent.
    sent: dict[str, list[Change | None]] = {"check": [], "delete": [], "put": [], "update": []}
    try:
        # botocore resends a transaction whose answer timed out; DynamoDB applies a token's
        # transaction once and answers its resending as a success, where without one the resent
        # conditions would fail against the first attempt's own write (a 409 for a write that happened).
        with TransactWrite(connection=transaction_connection(), client_request_token=new_id()) as transaction:
            for change in changes:
                _add(transaction, change)
                sent[change.kind].append(change)
                if change.audit is not None:
                    transaction.save(change.audit)
                    sent["put"].append(None)
    except TransactWriteError as error:
        in_order = sent["check"] + sent["delete"] + sent["put"] + sent["update"]
        errors = [
            change.on_condition_failed
            for change, failed in zip(in_order, transaction_conditions_failed(error))
            if failed and change is not None and change.on_condition_failed is not None
        ]
        if errors:
            raise _together(errors) from None
        raise


def _together(errors: list[DomainError]) -> DomainError:
    """Several unknown references (422 each) answer one 422 naming every field; any other
    failure (a 404, a 409, a 412) is the first one DynamoDB reports."""
    if len(errors) > 1 and all(isinstance(error, ValidationFailed) for error in errors):
        fields = [item for error in errors for item in error.extensions["errors"]]
        return ValidationFailed(" ".join(error.detail for error in errors), fields)
    return errors[0]


def _add(transaction: TransactWrite, change: Change) -> None:
    if change.kind == "put":
        transaction.save(change.item, condition=change.condition)
    elif change.kind == "update":
        transaction.update(change.item, actions=change.actions, condition=change.condition)
    elif change.kind == "check":
        transaction.condition_check(type(change.item), *_keys(change.item), condition=change.condition)
    elif change.kind == "delete":
        transaction.delete(change.item, condition=change.condition)
    else:
        raise ValueError(f"unknown change kind {change.kind}")


def _keys(item: Model) -> tuple[Any, ...]:
    hash_key = getattr(item, item._hash_keyname)
    return (hash_key, getattr(item, item._range_keyname)) if item._range_keyname else (hash_key,)


def plain(value: Any) -> Any:
    """JSON-ready form of an attribute value, for audit entries, events and API views."""
    if isinstance(value, datetime):
        return clock.isoformat(value)
    if isinstance(value, MapAttribute):
        return plain(value.as_dict())
    if isinstance(value, dict):
        return {key: plain(item) for key, item in value.items()}
    if isinstance(value, (list, tuple, set)):
        return [plain(item) for item in value]
    if isinstance(value, Decimal):
        return int(value) if value == int(value) else float(value)
    return value


def _json(value: Any) -> str:
    import json

    return json.dumps(plain(value), separators=(",", ":"), sort_keys=True)
