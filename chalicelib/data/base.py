"""What every table shares: its physical name, region, endpoint and client timeouts."""
from __future__ import annotations

from functools import lru_cache
from typing import Any, TypeVar

from pynamodb.connection import Connection
from pynamodb.exceptions import PynamoDBException
from pynamodb.expressions.condition import Condition
from pynamodb.models import Model

from chalicelib.aws.sessions import share_loader_with_pynamodb
from chalicelib.core.cursors import decode_cursor, encode_cursor
from chalicelib.core.ids import MAX_PARTITION_KEY_BYTES, can_be_key
from chalicelib.core.settings import get_settings

share_loader_with_pynamodb()

M = TypeVar("M", bound=Model)

CONDITION_FAILED = "ConditionalCheckFailedException"


def table_meta(logical_name: str, **extra: Any) -> type:
    """A PynamoDB Meta class for one table. `host` is set only for a DynamoDB server endpoint
    (moto server, DynamoDB Local); in AWS and under moto's in-process mock it stays unset."""
    settings = get_settings()
    attributes: dict[str, Any] = {
        "logical_name": logical_name,
        "table_name": settings.table_name(logical_name),
        "region": settings.region,
        "billing_mode": "PAY_PER_REQUEST",
        # API functions have 3 s; fail fast and let the client retry rather than time out the Lambda.
        "connect_timeout_seconds": 1,
        "read_timeout_seconds": 2,
        "max_retry_attempts": 2,
        **extra,
    }
    if settings.dynamodb_endpoint:
        attributes["host"] = settings.dynamodb_endpoint
    return type("Meta", (), attributes)


def find(model: type[M], hash_key: str, range_key: str | None = None, consistent: bool = False) -> M | None:
    """The item with this key, or None. A key value DynamoDB would refuse (empty, or longer than a
    key may be: a login with email "", a refresh token ".abc") names no item, so it is answered
    without a call rather than with DynamoDB's ValidationException."""
    if not can_be_key(hash_key, MAX_PARTITION_KEY_BYTES) or (range_key is not None and not can_be_key(range_key)):
        return None
    try:
        return model.get(hash_key, range_key, consistent_read=consistent)
    except model.DoesNotExist:
        return None


def condition_failed(error: PynamoDBException) -> bool:
    return error.cause_response_code == CONDITION_FAILED


def transaction_conditions_failed(error: PynamoDBException) -> list[bool]:
    """For a cancelled transaction, which of its actions failed their condition, in order."""
    reasons = getattr(error, "cancellation_reasons", None) or []
    return [reason is not None and reason.code == "ConditionalCheckFailed" for reason in reasons]


@lru_cache(maxsize=1)
def transaction_connection() -> Connection:
    """Transactions span tables, so they take a connection of their own rather than a model's."""
    settings = get_settings()
    return Connection(region=settings.region, host=settings.dynamodb_endpoint)


def query_page(
    source: Any,
    model: type[M],
    partition: dict[str, str],
    query_hash: str,
    cursor_attributes: frozenset[str],
    limit: int,
    cursor: str | None,
    range_key_condition: Condition | None = None,
    filter_condition: Condition | None = None,
    newest_first: bool = False,
) -> tuple[list[M], str | None]:
    """Exactly one Query (of the table or one of its indexes, `source`): up to `limit` items and
    the next page's cursor (None at the end).

    `partition` holds the partition attributes this query is confined to, all derived from the
    caller's token. The cursor carries only the other key attributes and the partition ones are
    re-attached from here, so a cursor can never lead into another tenant. A filter applies after
    DynamoDB's limit, so a page may hold fewer than `limit` items while next_cursor is still set.
    """
    position = decode_cursor(cursor, cursor_attributes)
    start_key = None
    if position is not None:
        start_key = {name: {"S": value} for name, value in {**position, **partition}.items()}
    results = source.query(
        query_hash,
        range_key_condition=range_key_condition,
        filter_condition=filter_condition,
        page_size=limit,
        last_evaluated_key=start_key,
        scan_index_forward=not newest_first,
    )
    page = next(results.page_iter)
    items = [model.from_raw_data(raw) for raw in page.get("Items", [])]
    last_key = results.page_iter.last_evaluated_key
    position = {name: value["S"] for name, value in last_key.items() if name not in partition} if last_key else None
    return items, encode_cursor(position)
