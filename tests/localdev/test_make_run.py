"""`make run` holds up the way the DynamoDB it stands in for does: concurrent writes are decided by
their conditions (none is lost), bursts are served, and editing a route file reloads the app."""
from __future__ import annotations

import collections
import json
import time

from tests.localdev.conftest import REQUEST_TIMEOUT, LocalServer, Reply

BURST = 50


def statuses(results: list[Reply | BaseException]) -> collections.Counter:
    return collections.Counter(r.status if isinstance(r, Reply) else type(r).__name__ for r in results)


def errors(log: str) -> list[str]:
    """Exceptions the server printed: moto's (RuntimeError: dictionary changed size during
    iteration, ...) and the app's."""
    return [line for line in log.splitlines() if "Error" in line or "Traceback" in line]


def test_starts_without_a_traceback(local_server: LocalServer):
    assert "Traceback" not in local_server.log(), local_server.log()[-4000:]


def test_a_burst_of_concurrent_writes_is_served_without_resets_and_all_are_kept(local_server: LocalServer):
    """One organization's writes of synced records commit one at a time on its change feed's head
    (docs/architecture.md, The change feed): a burst beyond what the head takes in a request's retry
    budget is answered 503 with Retry-After and nothing written, and a client that sends it again
    as told (docs/errors.md) gets every write kept, once."""
    log_before = len(local_server.log())
    refused: list[Reply] = []

    def create_until_served(i: int) -> Reply:
        for _ in range(20):
            reply = local_server.call("POST", "/v1/customers", {"name": f"Burst {i}", "tags": ["burst"]})
            if reply.status != 503:
                return reply
            refused.append(reply)
            time.sleep(float(reply.headers["Retry-After"]) / 10)
        return reply

    results = local_server.at_once(BURST, create_until_served)
    assert statuses(results) == {201: BURST}, errors(local_server.log()[log_before:])[:10]
    assert all(reply.headers.get("Retry-After") for reply in refused)
    names = {created.json["name"] for created in results}
    assert len(names) == BURST
    for created in results:
        assert local_server.call("GET", f"/v1/customers/{created.json['id']}").status == 200
    assert errors(local_server.log()[log_before:]) == []


def test_concurrent_updates_with_one_if_match_let_exactly_one_through(local_server: LocalServer):
    created = local_server.call("POST", "/v1/customers", {"name": "Contended", "tags": ["race"]})
    assert created.status == 201, created.body
    path, etag = f"/v1/customers/{created.json['id']}", created.headers["ETag"]
    log_before = len(local_server.log())

    results = local_server.at_once(
        BURST, lambda i: local_server.call("PATCH", path, {"name": f"Writer {i}"}, {"If-Match": etag})
    )

    assert statuses(results) == {200: 1, 412: BURST - 1}, errors(local_server.log()[log_before:])[:10]
    (winner,) = [r.json for r in results if isinstance(r, Reply) and r.status == 200]
    stored = local_server.call("GET", path).json
    assert (stored["name"], stored["version"]) == (winner["name"], winner["version"])
    assert stored["version"] == created.json["version"] + 1
    assert errors(local_server.log()[log_before:]) == []


def test_concurrent_conversions_of_one_lead_create_one_customer_that_exists(local_server: LocalServer):
    lead = local_server.call("POST", "/v1/leads", {"name": "Converted Once", "email": "once@example.com"})
    assert lead.status == 201, lead.body
    log_before = len(local_server.log())

    results = local_server.at_once(
        10, lambda _: local_server.call("POST", f"/v1/leads/{lead.json['id']}/convert", {})
    )

    assert statuses(results) == {201: 1, 409: 9}, errors(local_server.log()[log_before:])[:10]
    (converted,) = [r.json for r in results if isinstance(r, Reply) and r.status == 201]
    assert local_server.call("GET", f"/v1/customers/{converted['customer_id']}").status == 200
    assert local_server.call("GET", f"/v1/contacts/{converted['contact_id']}").status == 200
    stored_lead = local_server.call("GET", f"/v1/leads/{lead.json['id']}").json
    assert (stored_lead["converted_customer_id"], stored_lead["converted_contact_id"]) == (
        converted["customer_id"], converted["contact_id"])  # fmt: skip
    assert errors(local_server.log()[log_before:]) == []


def test_an_edited_route_file_is_served_without_a_restart(local_server: LocalServer):
    route = local_server.root / "chalicelib" / "platform" / "routes" / "health.py"
    route.write_text(route.read_text().replace('{"status": "ok"', '{"status": "edited"'))
    deadline = time.monotonic() + REQUEST_TIMEOUT
    served = None
    while time.monotonic() < deadline:
        try:
            served = json.loads(local_server.call("GET", "/v1/health").body)["status"]
        except (OSError, ValueError):  # the worker is restarting
            served = None
        if served == "edited":
            break
        time.sleep(1)
    assert served == "edited", local_server.log()[-4000:]


def test_a_resent_transaction_is_applied_once_as_dynamodb_does(local_server: LocalServer):
    """botocore resends a transaction whose answer timed out; with its ClientRequestToken, the local
    DynamoDB, like AWS's, applies it once and answers the resending as a success."""
    import re

    import boto3
    import botocore.exceptions
    import pytest

    endpoint = re.search(r"^DynamoDB: (\S+)$", local_server.log(), re.MULTILINE).group(1)
    dynamodb = boto3.client("dynamodb", endpoint_url=endpoint, region_name="us-east-1",
                            aws_access_key_id="local", aws_secret_access_key="local")  # fmt: skip
    table = next(name for name in dynamodb.list_tables()["TableNames"] if name.endswith("-counters"))
    key = {"org_id": {"S": "org-resent"}, "counter_key": {"S": "resent"}}

    def add(amount: str, token: str) -> None:
        dynamodb.transact_write_items(ClientRequestToken=token, TransactItems=[{"Update": {
            "TableName": table, "Key": key, "UpdateExpression": "ADD #v :n",
            "ExpressionAttributeNames": {"#v": "value"}, "ExpressionAttributeValues": {":n": {"N": amount}}}}])  # fmt: skip

    add("1", "token-1")
    add("1", "token-1")  # the resending: answered, not applied again
    add("1", "token-2")
    with pytest.raises(botocore.exceptions.ClientError) as refused:
        add("5", "token-2")  # the same token for another request
    assert refused.value.response["Error"]["Code"] == "IdempotentParameterMismatchException"
    stored = dynamodb.get_item(TableName=table, Key=key, ConsistentRead=True)["Item"]
    assert stored["value"] == {"N": "2"}
