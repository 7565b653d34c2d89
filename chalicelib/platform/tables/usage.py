"""Table `usage`: how often a subject used a metered action in one window (a day for a user's
quota, a minute for an address's attempts), kept until the window has passed (TTL `purge_at`).

Partition `scope`: whose usage it is, and the tenant boundary ("org#<org_id>" for a member's
quotas, "ip#<address>" for unauthenticated routes). Sort `usage_key`:
"<window start>#<action>#<subject>", e.g. "2026-05-01#stories.generate#user#01J...", so one
organization's usage of a period is one Query (billing, `GET /v1/usage` later), never a Scan.

Metering is one conditional UpdateItem (ADD, on condition the count is below the limit): DynamoDB
decides the condition against committed state, so of any number of concurrent requests exactly
`limit` are counted and the rest refused, and a refused one writes nothing.
"""
from __future__ import annotations

from datetime import datetime, timezone

from pynamodb.attributes import NumberAttribute, TTLAttribute, UnicodeAttribute
from pynamodb.exceptions import UpdateError
from pynamodb.models import Model

from chalicelib.platform.tables.base import condition_failed, table_meta


class UsageModel(Model):
    Meta = table_meta("usage")

    scope = UnicodeAttribute(hash_key=True)
    usage_key = UnicodeAttribute(range_key=True)
    count = NumberAttribute(default=0)
    purge_at = TTLAttribute()


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
