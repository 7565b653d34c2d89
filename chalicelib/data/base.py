"""What every table shares: its physical name, region, endpoint and client timeouts."""
from __future__ import annotations

from datetime import datetime
from functools import lru_cache
from typing import Any, Generic, TypeVar

from pynamodb.connection import Connection
from pynamodb.exceptions import PynamoDBException, UpdateError
from pynamodb.expressions.condition import Condition
from pynamodb.expressions.update import Action
from pynamodb.models import Model

from chalicelib.core.cursors import decode_cursor, encode_cursor
from chalicelib.core.errors import NotFound, PreconditionFailed
from chalicelib.core.settings import get_settings

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


class TenantTable(Generic[M]):
    """Access patterns shared by every tenant-owned table: partition key `org_id`, one sort key.

    Because the organization is always the partition key and always comes from the caller's
    token, another tenant's id simply finds nothing: it answers 404 exactly like a missing one.
    """

    def __init__(self, model: type[M], sort_attribute: str, noun: str) -> None:
        self.model = model
        self.sort_attribute = sort_attribute
        self.noun = noun

    def insert(self, item: M) -> None:
        sort_key = getattr(self.model, self.sort_attribute)
        item.save(condition=sort_key.does_not_exist())

    def get(self, org_id: str, sort_key: str) -> M:
        try:
            item = self.model.get(org_id, sort_key)
        except self.model.DoesNotExist:
            raise NotFound(f"No {self.noun} with this id.") from None
        if getattr(item, "deleted_at", None) is not None:
            raise NotFound(f"No {self.noun} with this id.")
        return item

    def page(
        self,
        org_id: str,
        limit: int,
        cursor: str | None,
        range_key_condition: Condition | None = None,
        filter_condition: Condition | None = None,
    ) -> tuple[list[M], str | None]:
        """Exactly one Query: up to `limit` items and the next page's cursor (None at the end).

        A filter (e.g. hiding soft-deleted items) is applied after DynamoDB's limit, so a page may
        hold fewer than `limit` items while next_cursor is still set; clients follow the cursor.
        """
        start = decode_cursor(cursor, frozenset({self.sort_attribute}))
        results = self.model.query(
            org_id,
            range_key_condition=range_key_condition,
            filter_condition=filter_condition,
            page_size=limit,
            last_evaluated_key=(
                {"org_id": {"S": org_id}, self.sort_attribute: {"S": start[self.sort_attribute]}} if start else None
            ),
        )
        page = next(results.page_iter)
        items = [self.model.from_raw_data(raw) for raw in page.get("Items", [])]
        last_key = results.page_iter.last_evaluated_key
        next_cursor = encode_cursor({name: value["S"] for name, value in last_key.items()} if last_key else None, "org_id")
        return items, next_cursor

    def update(
        self,
        org_id: str,
        sort_key: str,
        actions: list[Action],
        expected_version: int | None,
        updated_at: datetime,
    ) -> M:
        """One conditional UpdateItem: never resurrects a deleted item, never overwrites a newer version."""
        model = self.model
        condition = getattr(model, self.sort_attribute).exists() & model.deleted_at.does_not_exist()
        if expected_version is not None:
            condition &= model.version == expected_version
        item = model(org_id, sort_key)
        try:
            item.update(
                actions=[*actions, model.version.add(1), model.updated_at.set(updated_at)],
                condition=condition,
            )
        except UpdateError as error:
            if not condition_failed(error):
                raise
            current = self.get(org_id, sort_key)
            raise PreconditionFailed(
                f"The {self.noun} changed since version {expected_version}; fetch it again.",
                current_version=current.version,
            ) from None
        return item
