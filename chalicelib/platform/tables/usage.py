"""Table `usage`: how often a subject used a metered action in one window (a day for a user's
quota, a minute for an address's attempts), kept until the window has passed (TTL `purge_at`).

Partition `scope`: whose usage it is, and the tenant boundary ("org#<org_id>" for a member's
quotas, "ip#<address>" for unauthenticated routes). Sort `usage_key`:
"<window start>#<action>#<subject>", e.g. "2026-05-01#stories.generate#user#01J...", so one
organization's usage of a period is one Query on a key range (billing, `GET /v1/usage`), never a Scan.

A burst grant (an operator's temporary extra quota) is an item of the organization's partition too,
"grant#<action>": `count` is the extra per-user daily quota and `purge_at` when it ends. Its key
sorts after every date, so no usage range holds it; metering reads it by key and ignores it once
`purge_at` has passed (TTL removes the item within a day or two after that).

Metering is one conditional UpdateItem (ADD, on condition the count is below the limit): DynamoDB
decides the condition against committed state, so of any number of concurrent requests exactly
`limit` are counted and the rest refused, and a refused one writes nothing.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone

from pynamodb.attributes import NumberAttribute, TTLAttribute, UnicodeAttribute
from pynamodb.exceptions import DeleteError, UpdateError
from pynamodb.models import Model

from chalicelib.platform.tables.base import condition_failed, find, table_meta


class UsageModel(Model):
    Meta = table_meta("usage")

    scope = UnicodeAttribute(hash_key=True)
    usage_key = UnicodeAttribute(range_key=True)
    count = NumberAttribute(default=0)
    purge_at = TTLAttribute()
    # Burst grants only: which operator granted it, and why (shown by `plans show`).
    granted_by = UnicodeAttribute(null=True)
    reason = UnicodeAttribute(null=True)


GRANT_PREFIX = "grant#"


@dataclass(frozen=True)
class DailyCount:
    day: str
    action: str
    subject: str
    count: int


def consume(scope: str, usage_key: str, limit: int, expires_at: int) -> int | None:
    """Count one use if fewer than `limit` were counted: the count after it, or None when the
    limit is reached (nothing written)."""
    if limit <= 0:
        return None
    item = UsageModel(scope, usage_key)
    try:
        item.update(
            actions=[UsageModel.count.add(1), UsageModel.purge_at.set(datetime.fromtimestamp(expires_at, timezone.utc))],
            condition=UsageModel.count.does_not_exist() | (UsageModel.count < limit),
        )
    except UpdateError as error:
        if condition_failed(error):
            return None
        raise
    return int(item.count)


def give_back(scope: str, usage_key: str) -> None:
    """Uncount one use counted by `consume` (the request it let through failed): the counter is as
    before it, the item gone if that use created it."""
    item = UsageModel(scope, usage_key)
    item.update(actions=[UsageModel.count.add(-1)], condition=UsageModel.count > 0)
    if item.count == 0:
        try:
            item.delete(condition=UsageModel.count == 0)
        except DeleteError as error:
            if not condition_failed(error):  # another use counted meanwhile: the item stays
                raise


def daily_counts(scope: str, first_day: str, last_day: str) -> list[DailyCount]:
    """Every counter of `scope` from `first_day` to `last_day` (ISO dates, inclusive): one Query on
    the sort key's range, in key order (day, action, subject)."""
    # "~" sorts after every character of an action name or id, so the range ends after last_day's keys.
    items = UsageModel.query(scope, UsageModel.usage_key.between(first_day, last_day + "#~"))
    counts = []
    for item in items:
        day, action, subject = item.usage_key.split("#", 2)
        counts.append(DailyCount(day, action, subject, int(item.count)))
    return counts


def grant(scope: str, action: str, extra: int, expires_at: int, granted_by: str, reason: str) -> None:
    """Put the burst grant of `action` (replacing any earlier one): `extra` more per user and day until `expires_at`."""
    UsageModel(
        scope, GRANT_PREFIX + action, count=extra, purge_at=datetime.fromtimestamp(expires_at, timezone.utc),
        granted_by=granted_by, reason=reason,
    ).save()  # fmt: skip


def find_grant(scope: str, action: str) -> UsageModel | None:
    return find(UsageModel, scope, GRANT_PREFIX + action)


def grants(scope: str) -> list[UsageModel]:
    return list(UsageModel.query(scope, UsageModel.usage_key.startswith(GRANT_PREFIX)))
