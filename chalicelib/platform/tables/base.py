"""What every table shares: its physical name, region, endpoint, client timeouts and retries, and
which of its errors mean "try again" (answered 503 with Retry-After)."""
from __future__ import annotations

from functools import lru_cache
from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypeVar

import pynamodb.settings
from pynamodb.connection import Connection
from pynamodb.attributes import UnicodeAttribute
from pynamodb.exceptions import PynamoDBException
from pynamodb.expressions.condition import Condition
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex, Projection
from pynamodb.models import Model

from chalicelib.aws.sessions import share_loader_with_pynamodb
from chalicelib.core.cursors import decode_cursor, encode_cursor
from chalicelib.core.ids import MAX_PARTITION_KEY_BYTES, can_be_key
from chalicelib.core.settings import get_settings
from chalicelib.platform.tables.visibility import hidden

share_loader_with_pynamodb()

M = TypeVar("M", bound=Model)

CONDITION_FAILED = "ConditionalCheckFailedException"

# API functions have 3 s. botocore's adaptive mode backs off a throttled call by rand(0, 1) s, then
# rand(0, 2) s, and slows this client's sending after a throttle. Two attempts bound one call to
# about 1 s of backoff, or 2 x (0.5 + 1) s when both time out, which leaves the function time to
# answer 503 with Retry-After; a third could sleep 2 s more and be cut off by the Lambda timeout,
# which API Gateway answers as a bare 5xx. The client sends the request again instead.
DYNAMODB_ATTEMPTS = 2
DYNAMODB_CLIENT = {
    "connect_timeout_seconds": 0.5,
    "read_timeout_seconds": 1,
    "retry_configuration": {"mode": "adaptive", "total_max_attempts": DYNAMODB_ATTEMPTS},
}
# make run's DynamoDB (chalicelib/localdev/dynamodb.py) answers one request at a time: under a burst
# a request waits its turn, a wait DynamoDB never makes. The 1 s read timeout guards a 3 s function
# against a stalled service; against the local server it would turn a queue into 503s.
LOCAL_SERVER_READ_TIMEOUT_SECONDS = 10
# PynamoDB 6.1 builds a model's connection from its Meta but takes the retry configuration only
# from its settings, so that is where the models' retries are set.
pynamodb.settings.default_settings_dict.update(DYNAMODB_CLIENT)

# Errors botocore retries (throttling, timeouts, server errors) that outlasted the retries, and
# TransactWriteItems cancelled for a reason other than a condition of ours.
_RETRYABLE_CODES = frozenset(
    {
        "ProvisionedThroughputExceededException",
        "ThrottlingException",
        "RequestLimitExceeded",
        "TransactionConflictException",
        "TransactionInProgressException",
        "InternalServerError",
        "ServiceUnavailable",
    }
)
_RETRYABLE_CANCELLATIONS = frozenset({"TransactionConflict", "ThrottlingError", "ProvisionedThroughputExceeded"})



def global_index(
    name: str, hash_key: str, range_key: str | None = None, projection: type[Projection] = AllProjection
) -> GlobalSecondaryIndex:
    """A global secondary index of a model, on string key attributes the model declares too.
    PynamoDB wants a class per index; every index here differs only in these arguments."""
    keys: dict[str, Any] = {hash_key: UnicodeAttribute(hash_key=True)}
    if range_key:
        keys[range_key] = UnicodeAttribute(range_key=True)
    meta = type("Meta", (), {"index_name": name, "projection": projection()})
    return type(f"{name}_index", (GlobalSecondaryIndex,), {"Meta": meta, **keys})()


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
        **_timeouts(),
        # Also bounds PynamoDB's own resending of a batch write's unprocessed items.
        "max_retry_attempts": DYNAMODB_ATTEMPTS - 1,
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
        item = model.get(hash_key, range_key, consistent_read=consistent)
    except model.DoesNotExist:
        return None
    # A record the caller's team may not see is as missing as another tenant's (visibility.py).
    return None if hidden(item) else item


def condition_failed(error: PynamoDBException) -> bool:
    return error.cause_response_code == CONDITION_FAILED


def transaction_conditions_failed(error: PynamoDBException) -> list[bool]:
    """For a cancelled transaction, which of its actions failed their condition, in order."""
    reasons = getattr(error, "cancellation_reasons", None) or []
    return [reason is not None and reason.code == "ConditionalCheckFailed" for reason in reasons]


def transaction_conflicted(error: PynamoDBException) -> bool:
    """Cancelled because another transaction held one of its items, not by a condition of ours."""
    codes = [reason.code for reason in getattr(error, "cancellation_reasons", None) or [] if reason]
    return "TransactionConflict" in codes and "ConditionalCheckFailed" not in codes


def temporarily_unavailable(error: BaseException) -> bool:
    """Whether `error` (PynamoDB's, or botocore's beneath it) says DynamoDB could not serve the call
    now but may serve it again soon: throttled, timed out or in conflict after the client's retries."""
    from botocore.exceptions import ClientError, ConnectionError, HTTPClientError

    seen: set[int] = set()
    pending: list[BaseException | None] = [error]
    while pending:
        current = pending.pop()
        if current is None or id(current) in seen:
            continue
        seen.add(id(current))
        if isinstance(current, (ConnectionError, HTTPClientError)):
            return True
        if isinstance(current, ClientError):
            code = current.response.get("Error", {}).get("Code")
            if code in _RETRYABLE_CODES:
                return True
            if code == "TransactionCanceledException":
                reasons = _cancellation_codes(current)
                return "ConditionalCheckFailed" not in reasons and bool(reasons & _RETRYABLE_CANCELLATIONS)
        pending += [getattr(current, "cause", None), current.__cause__, current.__context__]
    return False


def _cancellation_codes(error: Any) -> set[str]:
    # PynamoDB keeps the reasons on its own ClientError subclass; botocore's carries them in the response.
    reasons = getattr(error, "cancellation_reasons", None)
    if reasons is not None:
        return {reason.code for reason in reasons if reason is not None}
    return {reason.get("Code") for reason in error.response.get("CancellationReasons") or []}


@lru_cache(maxsize=1)
def transaction_connection() -> Connection:
    """Transactions span tables, so they take a connection of their own rather than a model's."""
    settings = get_settings()
    return Connection(region=settings.region, host=settings.dynamodb_endpoint, **{**DYNAMODB_CLIENT, **_timeouts()})


def _timeouts() -> dict[str, float]:
    local_server = get_settings().dynamodb_endpoint is not None
    return {
        "connect_timeout_seconds": DYNAMODB_CLIENT["connect_timeout_seconds"],
        "read_timeout_seconds": LOCAL_SERVER_READ_TIMEOUT_SECONDS if local_server else DYNAMODB_CLIENT["read_timeout_seconds"],
    }


# A filter (FilterExpression, or a check of the fetched records) applies after DynamoDB's Limit, so
# one Query may bring fewer matches than a page holds. A list request then queries on from where
# the last one stopped, each Query reading QUERY_GROWTH times as many items as the one before (at
# most MAX_QUERY_READ, which is also what one BatchGetItem takes), until the page is full, the
# data ends, or MAX_QUERIES_PER_PAGE Queries were made: the page then holds what was found, with
# the cursor to go on. A list request thus reads at most 4 x 100 items.
MAX_QUERIES_PER_PAGE = 4
QUERY_GROWTH = 4
MAX_QUERY_READ = 100


def equality_filter_page(
    model: type[M],
    org_id: str,
    filters: Mapping[str, str],
    indexed: Sequence[tuple[str, str, str]],
    attributes: Mapping[str, str],
    cursor_attributes: frozenset[str],
    limit: int,
    cursor: str | None,
    newest_first: bool = False,
    narrowed_by: Condition | None = None,
) -> tuple[list[M], str | None]:
    """A page of live records matching equality filters. The first filter of `indexed` (filter
    name, index name, its partition attribute holding "<org>#<value>") present picks that index;
    the other filters (`attributes`: filter name -> attribute), and `narrowed_by`, filter the same
    Query."""
    source: Any = model
    partition = {"org_id": org_id}
    query_hash = org_id
    served = None
    for name, index_name, attribute in indexed:
        if name in filters:
            source = getattr(model, index_name)
            query_hash = f"{org_id}#{filters[name]}"
            partition = {"org_id": org_id, attribute: query_hash}
            served = name
            break
    condition = model.deleted_at.does_not_exist()
    for name, value in filters.items():
        if name != served and name in attributes:
            condition &= getattr(model, attributes[name]) == value
    if narrowed_by is not None:
        condition &= narrowed_by
    return query_page(
        source, model, partition, query_hash, cursor_attributes, limit, cursor,
        filter_condition=condition, newest_first=newest_first,
    )  # fmt: skip


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
    select: Callable[[list[M]], list[Any]] | None = None,
    max_queries: int = MAX_QUERIES_PER_PAGE,
) -> tuple[list[Any], str | None]:
    """Up to `limit` items of the table or one of its indexes (`source`) and the next page's cursor
    (None at the end), in at most `max_queries` Queries (one when no filter drops items).

    `select` maps the items one Query found to what the page shows, one entry per item, None for
    an item the page leaves out (the tag path turns links into the records they name). A record
    the caller's team may not see (visibility.py) is left out like a filtered one.

    `partition` holds the partition attributes this query is confined to, all derived from the
    caller's token. The cursor carries only the other key attributes and the partition ones are
    re-attached from here, so a cursor can never lead into another tenant.
    """
    position = decode_cursor(cursor, cursor_attributes)
    start_key = None
    if position is not None:
        start_key = {name: {"S": value} for name, value in {**position, **partition}.items()}
    found: list[Any] = []
    read = limit
    for _ in range(max_queries):
        results = source.query(
            query_hash,
            range_key_condition=range_key_condition,
            filter_condition=filter_condition,
            page_size=read,
            last_evaluated_key=start_key,
            scan_index_forward=not newest_first,
        )
        raw_items = next(results.page_iter).get("Items", [])
        start_key = results.page_iter.last_evaluated_key
        items = [model.from_raw_data(raw) for raw in raw_items]
        shown = select(items) if select is not None else items
        for raw, entry in zip(raw_items, shown):
            if entry is None or hidden(entry):
                continue
            found.append(entry)
            if len(found) == limit:
                if raw is not raw_items[-1]:
                    # The page ends inside what this Query read: go on after the last item shown.
                    start_key = {name: raw[name] for name in cursor_attributes}
                break
        if len(found) == limit or not start_key:
            break
        read = min(read * QUERY_GROWTH, MAX_QUERY_READ)
    position = {name: value["S"] for name, value in start_key.items() if name not in partition} if start_key else None
    return found, encode_cursor(position)
