"""Pull side of offline sync (GET /v1/sync): what changed in the caller's organization since a
cursor, or a consistent snapshot to start from, of the record kinds the caller may read.

The feed is the organization's change log (platform/tables/changes.py): gap-free, in commit order,
so a cursor is just a sequence number and a page is one strongly consistent Query after it. Every
request first reads the feed head (one GetItem): it gives the last sequence number (a client that
is up to date gets its answer without a Query), the last change time (Last-Modified,
If-Modified-Since) and the organization's cursor key.

Cursors are opaque: base64url JSON {o: organization, s: sequence, t: issue time, and during a
snapshot k: the kind being listed, p: its table position; h: an HMAC-SHA256 of the rest under the
organization's key}. A cursor altered, cut or taken to another organization is a 400.
A cursor older than the retention (when the feed has moved since it), or whose next changes have
expired, is a 410 resync-required naming the snapshot to start again from: never a silent
re-sync, never a silent gap.

A snapshot reads the head's sequence N first, then lists the live records of each kind (one Query
per table page) as upserts, and ends with a feed cursor at N: whatever changed while it was being
listed comes again from the feed, in order, so applying pages in order converges.
"""
from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any
from urllib.parse import urlencode

from chalicelib.core import clock
from chalicelib.core.errors import DomainError, Forbidden, MalformedRequest
from chalicelib.platform.kinds import RecordKind, record_kinds
from chalicelib.platform.services.roles import Principal
from chalicelib.platform.tables import changes as feed
from chalicelib.platform.tables.base import MAX_QUERIES_PER_PAGE
from chalicelib.platform.tables.visibility import hidden

SYNC_PATH = "/v1/sync"
RESYNC_REQUIRED_TYPE = "/docs/errors#resync-required"
_FOREIGN = "The cursor is not one this API issued for your organization."


class ResyncRequired(DomainError):
    status = 410
    title = "Gone"


@dataclass(frozen=True)
class Pulled:
    """A page (None when the caller's copy is current as of If-Modified-Since: 304) and the time
    of the organization's last change (None before its first)."""

    page: dict[str, Any] | None
    last_modified: datetime | None


@dataclass(frozen=True)
class _Cursor:
    seq: int
    issued_at: datetime
    kind: str | None = None
    position: str | None = None


def pull(
    principal: Principal,
    since: str | None,
    kinds: str | None,
    limit: int,
    if_modified_since: datetime | None = None,
) -> Pulled:
    chosen = _readable_kinds(principal, kinds)
    head = feed.open_head(principal.org_id)
    cursor = _decode(principal.org_id, head.cursor_key, since) if since is not None else None
    last_seq = int(head.last_seq)
    if if_modified_since is not None and _unchanged(head, last_seq, cursor, if_modified_since):
        return Pulled(None, head.changed_at)
    if cursor is not None and cursor.kind is None and last_seq > cursor.seq and feed.is_expired(cursor.issued_at):
        # When nothing changed since, nothing can have expired: an idle client keeps its place.
        raise _resync(kinds, "The cursor is older than the change feed keeps changes.")
    if cursor is None or cursor.kind is not None:
        page = _snapshot_page(principal, head, chosen, cursor or _Cursor(last_seq, clock.now()), limit)
    else:
        page = _feed_page(principal, head, chosen, cursor.seq, kinds, limit)
    return Pulled(page, head.changed_at)


def _readable_kinds(principal: Principal, requested: str | None) -> list[RecordKind]:
    """The kinds named (all the caller may read when none are), in registration order."""
    registered = record_kinds()
    if requested is None:
        return [kind for kind in registered.values() if kind.read in principal.permissions]
    names = [name.strip() for name in requested.split(",") if name.strip()]
    unknown = [name for name in names if name not in registered]
    if unknown or not names:
        listed = ", ".join(registered)
        raise MalformedRequest(f"Unknown kind {', '.join(unknown) or '(none given)'}; kinds are {listed}.", field="kinds")
    unreadable = [registered[name] for name in names if registered[name].read not in principal.permissions]
    if unreadable:
        kind = unreadable[0]
        raise Forbidden(f"The {principal.role} role lacks the {kind.read} permission, so it cannot sync {kind.name}.")
    return [kind for name, kind in registered.items() if name in names]


def _unchanged(head: feed.FeedHeadModel, last_seq: int, cursor: _Cursor | None, since: datetime) -> bool:
    """Nothing committed after If-Modified-Since. HTTP dates have whole seconds, so a change in the
    second of If-Modified-Since counts as later; with a cursor, the head being at the cursor's
    sequence number is what says so, exactly."""
    if head.changed_at is None:
        return True
    if cursor is not None and cursor.kind is None:
        return cursor.seq == last_seq
    return head.changed_at.replace(microsecond=0) < since


def _feed_page(
    principal: Principal, head: feed.FeedHeadModel, chosen: Sequence[RecordKind], seq: int, kinds: str | None, limit: int
) -> dict[str, Any]:
    """The changes after `seq` of the chosen kinds. Changes of other kinds are passed over, and
    when they leave the page short it reads on, at most MAX_QUERIES_PER_PAGE times."""
    by_name = {kind.name: kind for kind in chosen}
    last_seq = int(head.last_seq)
    shown: list[dict[str, Any]] = []
    position = seq
    for _ in range(MAX_QUERIES_PER_PAGE if position < last_seq else 0):
        changes = feed.changes_after(principal.org_id, position, limit - len(shown), last_seq)
        for change in changes:
            if int(change.seq) != position + 1:
                # Expired (TTL) before the cursor reached it: what it said is gone.
                raise _resync(kinds, "Changes after this cursor are no longer kept.")
            position = int(change.seq)
            if change.kind in by_name:
                shown.append(_entry(principal, by_name[change.kind], change))
        if not changes:
            raise _resync(kinds, "Changes after this cursor are no longer kept.")
        # A Query may return changes committed after the head was read: they are whole too.
        if len(shown) == limit or position >= last_seq:
            break
    more = position < last_seq
    return _page(shown, _Cursor(position, clock.now()), principal.org_id, head.cursor_key, more)


def _entry(principal: Principal, kind: RecordKind, change: feed.ChangeModel) -> dict[str, Any]:
    record = feed.image_of(kind.table.model, change)
    if record is not None and (hidden(record) or not kind.visible(principal, record)):
        # No longer (or never) visible to this reader (its role, or its teams under team
        # visibility, platform/tables/visibility.py): for its copy, as good as deleted.
        record = None
    return {
        "kind": kind.name,
        "id": change.record_id,
        "op": feed.UPSERT if record is not None else feed.DELETE,
        "version": int(change.version),
        "record": kind.view(record) if record is not None else None,
    }


def _snapshot_page(
    principal: Principal, head: feed.FeedHeadModel, chosen: Sequence[RecordKind], cursor: _Cursor, limit: int
) -> dict[str, Any]:
    """The live records of the chosen kinds, kind after kind, from the cursor's place; once every
    kind is listed, the feed cursor at the snapshot's sequence number."""
    names = [kind.name for kind in chosen]
    resumed = cursor.kind in names
    start = names.index(cursor.kind) if resumed else 0
    position = cursor.position if resumed else None
    shown: list[dict[str, Any]] = []
    for kind in chosen[start:]:
        if len(shown) == limit:
            following = _Cursor(cursor.seq, cursor.issued_at, kind.name)
            return _page(shown, following, principal.org_id, head.cursor_key, True)
        # One (bounded) page of the kind per request: when records the reader may not see leave it
        # short, the cursor goes on from there rather than reading the whole table in one request.
        records, position = kind.table.page(principal.org_id, limit - len(shown), position)
        shown += [
            {"kind": kind.name, "id": kind.table.record_id(record), "op": feed.UPSERT,
             "version": int(record.version), "record": kind.view(record)}
            for record in records
            if kind.visible(principal, record)
        ]  # fmt: skip
        if position is not None:
            following = _Cursor(cursor.seq, cursor.issued_at, kind.name, position)
            return _page(shown, following, principal.org_id, head.cursor_key, True)
    done = _Cursor(cursor.seq, cursor.issued_at)
    return _page(shown, done, principal.org_id, head.cursor_key, int(head.last_seq) > cursor.seq)


def _page(shown: list[dict[str, Any]], cursor: _Cursor, org_id: str, key: str, more: bool) -> dict[str, Any]:
    return {"changes": shown, "next_cursor": _encode(org_id, key, cursor), "has_more": more}


def _resync(kinds: str | None, detail: str) -> ResyncRequired:
    snapshot = SYNC_PATH + (f"?{urlencode({'kinds': kinds})}" if kinds is not None else "")
    return ResyncRequired(
        f"{detail} Start again from a snapshot: GET {snapshot}", type=RESYNC_REQUIRED_TYPE, snapshot=snapshot
    )


# Cursors


def _encode(org_id: str, key: str, cursor: _Cursor) -> str:
    fields: dict[str, Any] = {"o": org_id, "s": cursor.seq, "t": int(cursor.issued_at.timestamp())}
    if cursor.kind is not None:
        fields.update(k=cursor.kind, p=cursor.position)  # p null: that kind from its start
    return _b64(_canonical({**fields, "h": _b64(_signature(key, fields))}))


def _decode(org_id: str, key: str, text: str) -> _Cursor:
    try:
        fields = json.loads(_unb64(text))
    except (ValueError, binascii.Error):
        fields = None
    if not isinstance(fields, dict) or not isinstance(fields.get("h"), str):
        raise MalformedRequest(_FOREIGN, field="since")
    signature = fields.pop("h")
    if (
        not hmac.compare_digest(signature, _b64(_signature(key, fields)))
        or fields.get("o") != org_id
        or not _well_formed(fields)
    ):
        raise MalformedRequest(_FOREIGN, field="since")
    return _Cursor(fields["s"], datetime.fromtimestamp(fields["t"], timezone.utc), fields.get("k"), fields.get("p"))


def _well_formed(fields: Mapping[str, Any]) -> bool:
    numbers = all(type(fields.get(name)) is int and fields[name] >= 0 for name in ("s", "t"))
    snapshot = "k" not in fields or (isinstance(fields["k"], str) and isinstance(fields.get("p"), (str, type(None))))
    return numbers and snapshot


def _signature(key: str, fields: Mapping[str, Any]) -> bytes:
    return hmac.new(bytes.fromhex(key), _canonical(fields), hashlib.sha256).digest()


def _canonical(fields: Mapping[str, Any]) -> bytes:
    return json.dumps(fields, separators=(",", ":"), sort_keys=True).encode()


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode((text + "=" * (-len(text) % 4)).encode())
