"""Logger, metrics and tracer, built once per process (Powertools).

Logs are JSON with the request id, organization and user appended by the HTTP middleware.
Metrics are CloudWatch EMF lines named after business events. X-Ray tracing is active only in
Lambda: importing the X-Ray SDK costs more than the rest of the app, and locally there is no
daemon to send segments to.
"""
from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.logging.formatter import LambdaPowertoolsFormatter
from aws_lambda_powertools.metrics import MetricUnit

from chalicelib.core.settings import get_settings

_settings = get_settings()

# Not "zebros": that is the Chalice app's own stdlib logger, which Chalice sets to ERROR.
SERVICE_NAME = os.environ.get("POWERTOOLS_SERVICE_NAME", "zebros-api")


class ReadableFormatter(LambdaPowertoolsFormatter):
    """`make run`'s log (LOG_FORMAT=text): a request is `GET /v1/customers 200 12 ms`, anything else
    its level, message and extra keys; the per-request keys Lambda's JSON carries are left out."""

    _OMITTED = {"level", "location", "message", "timestamp", "service", "request_id", "org_id", "user_id",
                "sampling_rate", "xray_trace_id", "exception", "exception_name", "stack_trace"}  # fmt: skip

    def serialize(self, log: dict[str, Any]) -> str:
        if log.get("message") == "request" and "status" in log:
            return f"{log['method']} {log['path']} {log['status']} {log['duration_ms']:.0f} ms"
        extras = "".join(f" {name}={value}" for name, value in log.items() if name not in self._OMITTED)
        line = f"{log['level']} {log['message']}{extras}"
        return f"{line}\n{log['exception']}" if log.get("exception") else line


logger = Logger(service=SERVICE_NAME, logger_formatter=ReadableFormatter() if _settings.log_format == "text" else None)
metrics = Metrics(namespace=os.environ.get("POWERTOOLS_METRICS_NAMESPACE", "Zebros"), service=SERVICE_NAME)
tracer: Any = None
# POWERTOOLS_TRACE_DISABLED=true trades DynamoDB subsegments for ~120 ms less cold start: Powertools
# itself would still import the X-Ray SDK, so the switch is honoured here.
if _settings.running_in_lambda and os.environ.get("POWERTOOLS_TRACE_DISABLED", "false").lower() != "true":
    from aws_lambda_powertools import Tracer

    # Every AWS call the app makes goes through botocore (PynamoDB 6 included), so patching botocore
    # alone makes each one a subsegment. Powertools' default patches every library the X-Ray SDK
    # knows: that imports requests and sqlite3 into the cold start for nothing, and its PynamoDB
    # patch records each DynamoDB call a second time, at the HTTP layer.
    tracer = Tracer(service=SERVICE_NAME, patch_modules=["botocore"])


@contextmanager
def traced(name: str, **annotations: str | None) -> Iterator[None]:
    """An X-Ray subsegment annotated for search (the Lambda's own segment cannot be annotated)."""
    if tracer is None:
        yield
        return
    with tracer.provider.in_subsegment(name) as subsegment:
        for key, value in annotations.items():
            if value:
                subsegment.put_annotation(key, value)
        yield


def count(event_name: str, value: int = 1) -> None:
    """Record one business event (e.g. CustomerCreated, LoginFailed) for this request's EMF flush."""
    metrics.add_metric(name=event_name, unit=MetricUnit.Count, value=value)


def flush_metrics() -> None:
    if metrics.metric_set:
        metrics.flush_metrics()


def measure(metric_name: str, milliseconds: float) -> None:
    """Record a duration (e.g. FanOutDuration) for the next EMF flush."""
    metrics.add_metric(name=metric_name, unit=MetricUnit.Milliseconds, value=milliseconds)
