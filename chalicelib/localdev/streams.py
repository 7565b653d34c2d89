"""A local stand-in for Lambda's DynamoDB event source mapping: reads a table's stream (moto,
in process or as the `make run` server) with GetShardIterator/GetRecords and invokes the same
Lambda handler with the same event shape, batch by batch in shard order. A batch whose handler
raises is delivered again, from the same record, never skipped.

`make run` runs `start_event_consumer()` (a daemon thread); tests call `StreamPoller.drain()`
(the `event_stream` fixture in tests/conftest.py) to deliver everything pending, deterministically.
"""
from __future__ import annotations

import threading
import uuid
from types import SimpleNamespace
from typing import Any, Callable

from chalicelib.core.settings import get_settings

BATCH_SIZE = 100  # as the mapping in AWS (platform/routes/events.py)
POLL_SECONDS = 0.2
RETRY_SECONDS = 1.0


def streams_client() -> Any:
    """botocore sends stream calls that carry an ARN to an account-based endpoint, which moto
    does not route: the endpoint is given explicitly."""
    from chalicelib.aws.sessions import new_session

    settings = get_settings()
    endpoint = settings.dynamodb_endpoint or f"https://streams.dynamodb.{settings.region}.amazonaws.com"
    return new_session().create_client("dynamodbstreams", region_name=settings.region, endpoint_url=endpoint)


class StreamPoller:
    def __init__(self, handler: Callable[[dict, Any], Any], model: Any, function_name: str,
                 starting_position: str = "TRIM_HORIZON", batch_size: int = BATCH_SIZE) -> None:
        self.handler = handler
        self.function_name = function_name
        self.batch_size = batch_size
        self.client = streams_client()
        self.stream_arn = model.describe_table()["LatestStreamArn"]
        # The last sequence number delivered per shard (None: from the start). A fresh iterator per
        # batch: moto's rollback of a cancelled transaction replaces the table and its shard, which
        # an iterator kept from before would still be reading.
        self.delivered_up_to: dict[str, str | None] = {shard: None for shard in self._shards()}
        if starting_position == "LATEST":
            for shard in self.delivered_up_to:
                while records := self._next_batch(shard):
                    self.delivered_up_to[shard] = records[-1]["dynamodb"]["SequenceNumber"]

    def drain(self) -> int:
        """Deliver every pending record; returns how many. A failing batch raises, and the next
        drain starts with it again."""
        delivered = 0
        for shard in self._shards():
            self.delivered_up_to.setdefault(shard, None)
            while records := self._next_batch(shard):
                self.handler(self.lambda_event(records), self._context())
                self.delivered_up_to[shard] = records[-1]["dynamodb"]["SequenceNumber"]
                delivered += len(records)
        return delivered

    def _next_batch(self, shard: str) -> list[dict]:
        after = self.delivered_up_to[shard]
        position = {"ShardIteratorType": "AFTER_SEQUENCE_NUMBER", "SequenceNumber": after} if after else {
            "ShardIteratorType": "TRIM_HORIZON"}
        iterator = self.client.get_shard_iterator(StreamArn=self.stream_arn, ShardId=shard, **position)["ShardIterator"]
        return self.client.get_records(ShardIterator=iterator, Limit=self.batch_size)["Records"]

    def lambda_event(self, records: list[dict]) -> dict:
        """GetRecords' records as Lambda hands them to the function."""
        return {"Records": [
            {**record, "eventSourceARN": self.stream_arn,
             "dynamodb": {**record["dynamodb"],
                          "ApproximateCreationDateTime": record["dynamodb"]["ApproximateCreationDateTime"].timestamp()}}
            for record in records
        ]}

    def _shards(self) -> list[str]:
        description = self.client.describe_stream(StreamArn=self.stream_arn)["StreamDescription"]
        return [shard["ShardId"] for shard in description["Shards"]]

    def _context(self) -> Any:
        return SimpleNamespace(function_name=self.function_name, aws_request_id=str(uuid.uuid4()),
                               memory_limit_in_mb=1024, invoked_function_arn="local")


def event_consumer(starting_position: str = "TRIM_HORIZON") -> StreamPoller:
    """The poller that feeds the audit_logs stream to the app's stream consumer."""
    from app import app
    from chalicelib.platform.tables.audit_logs import AuditLogModel

    return StreamPoller(app.handler_map["deliver_events"], AuditLogModel, "deliver_events", starting_position)


def start_event_consumer() -> threading.Event:
    """`make run`: deliver new entries as they commit, on a daemon thread; set the returned
    event to stop it."""
    from chalicelib.observability import logger

    poller = event_consumer(starting_position="LATEST")
    stop = threading.Event()

    def run() -> None:
        while not stop.is_set():
            try:
                poller.drain()
                stop.wait(POLL_SECONDS)
            except Exception:
                logger.exception("local event consumer: batch failed, delivering it again")
                stop.wait(RETRY_SECONDS)

    threading.Thread(target=run, name="event-consumer", daemon=True).start()
    return stop
