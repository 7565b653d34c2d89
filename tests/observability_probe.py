"""Requests through the Lambda handler with tracing on, as deployed; prints the DynamoDB calls made.

tests/test_observability.py runs this in a fresh interpreter with the Lambda environment (the app
decides at import whether to trace) against a moto server, and compares what is printed with the
segments the X-Ray SDK sent to its daemon address.
"""
from __future__ import annotations

import json
import os
from typing import Any

from tests.benchmarks import dynamodb_events
from tests.benchmarks.lambda_runtime import LambdaContext, authorizer_context, proxy_event, trace_header
from tests.benchmarks.world import customer_body


def sampled_call(handler: Any, event: dict[str, Any], expected_status: int) -> Any:
    """One invocation that X-Ray samples, as Lambda starts it when the caller's trace is sampled."""
    os.environ["_X_AMZN_TRACE_ID"] = trace_header(sampled=True)
    response = handler(event, LambdaContext())
    assert response["statusCode"] == expected_status, (event["path"], response)
    return json.loads(response["body"]) if response.get("body") else None


def main() -> None:
    dynamodb_events.install()
    calls = dynamodb_events.CallCounter()
    import app as zebros
    from chalicelib.core.ids import new_id
    from chalicelib.tables import create_tables

    create_tables()
    # What the authorizer would pass on for an owner: the routes trust API Gateway's context.
    caller = authorizer_context(new_id(), new_id(), role="owner")
    calls.phase = "sampled"
    created = sampled_call(zebros.app, proxy_event("POST", "/v1/customers", body=customer_body(1), authorizer=caller), 201)
    one = proxy_event("GET", "/v1/customers/{customer_id}", {"customer_id": created["id"]}, authorizer=caller)
    sampled_call(zebros.app, one, 200)
    sampled_call(zebros.app, proxy_event("GET", "/v1/customers", authorizer=caller), 200)
    print(json.dumps(calls.take().get("sampled", {})))


if __name__ == "__main__":
    main()
