"""Warm latency: GET /v1/customers/{customer_id} through the app's Lambda handler, against a minimal
Chalice app that does the same PynamoDB GetItem on the same table and returns the item as JSON.

Runs in a child process (`python -m tests.benchmarks.warm_latency RESULT_PATH INPUT_PATH`) with the deployed
stage's environment, so the app runs as in Lambda: the local API Gateway emulation is not
installed, the request log line is formatted and written (to /dev/null, not a terminal), and
Powertools metrics flush as they do in AWS. The authorizer's context arrives in the event, as API
Gateway passes a cached authorizer answer: the authorizer is a separate function, not in this path.
"""
from __future__ import annotations

import json
import os
import statistics
import time
from typing import Any

from tests.benchmarks import dynamodb_events, world
from tests.benchmarks.baseline_app import ROUTE, build_baseline_app
from tests.benchmarks.dynamodb_events import CallTimer
from tests.benchmarks.lambda_runtime import begin_invocation, proxy_event
from tests.benchmarks.local_aws import child_main

ROUNDS = 20
CALLS_PER_ROUND = 50
WARMUP_CALLS = 20


def _timed_calls(handler: Any, make_event: Any, count: int, timer: CallTimer) -> list[tuple[int, int]]:
    """(whole call, time outside DynamoDB calls) in ns, per call."""
    samples = []
    for _ in range(count):
        event, context = make_event(), begin_invocation()
        timer.take()
        started = time.perf_counter_ns()
        response = handler(event, context)
        elapsed = time.perf_counter_ns() - started
        samples.append((elapsed, elapsed - timer.take()))
        if response["statusCode"] != 200:
            raise RuntimeError(f"GET {ROUTE} answered {response['statusCode']}: {response.get('body')!r}")
    return samples


def _summary(samples_ns: list[tuple[int, int]]) -> dict[str, float]:
    micros = sorted(whole / 1000 for whole, _ in samples_ns)
    outside = sorted(own / 1000 for _, own in samples_ns)
    return {
        "calls": len(micros),
        "median_us": round(statistics.median(micros), 1),
        "p10_us": round(micros[len(micros) // 10], 1),
        "p90_us": round(micros[len(micros) * 9 // 10], 1),
        "outside_dynamodb_median_us": round(statistics.median(outside), 1),
    }


def measure(inputs: dict[str, Any]) -> dict[str, Any]:
    for switch in ("POWERTOOLS_METRICS_DISABLED", "POWERTOOLS_DEV", "POWERTOOLS_TRACE_DISABLED"):
        if os.environ.get(switch):
            raise RuntimeError(f"{switch} is set: the app would not run as it does in Lambda")

    dynamodb_events.install()
    timer = CallTimer()
    import app as zebros

    tenant = world.tenant_from(inputs)
    customer_id = inputs["customers"][0]
    baseline = build_baseline_app(**inputs["customers_table"])
    handlers = {"app": zebros.app, "baseline": baseline}

    def make_event() -> dict[str, Any]:
        return proxy_event("GET", ROUTE, {"customer_id": customer_id}, authorizer=tenant.caller())

    answers = {name: world.call(handler, make_event(), 200) for name, handler in handlers.items()}
    if answers["app"]["id"] != customer_id or answers["baseline"]["customer_id"] != customer_id:
        raise RuntimeError(f"the two apps did not return the same customer: {json.dumps(answers)}")

    for handler in handlers.values():
        _timed_calls(handler, make_event, WARMUP_CALLS, timer)
    samples: dict[str, list[tuple[int, int]]] = {name: [] for name in handlers}
    round_ratios = []
    for round_number in range(ROUNDS):
        names = list(handlers) if round_number % 2 == 0 else list(reversed(handlers))
        this_round = {name: _timed_calls(handlers[name], make_event, CALLS_PER_ROUND, timer) for name in names}
        for name, round_samples in this_round.items():
            samples[name].extend(round_samples)
        app_round, baseline_round = ([whole for whole, _ in this_round[name]] for name in ("app", "baseline"))
        round_ratios.append(statistics.median(app_round) / statistics.median(baseline_round))

    app_summary, baseline_summary = _summary(samples["app"]), _summary(samples["baseline"])
    return {
        "route": f"GET {ROUTE}",
        "environment": "Lambda (dev stage variables, AWS_LAMBDA_FUNCTION_NAME set)",
        "rounds": ROUNDS,
        "calls_per_round": CALLS_PER_ROUND,
        "app": app_summary,
        "baseline": baseline_summary,
        "ratio": round(app_summary["median_us"] / baseline_summary["median_us"], 3),
        # The moto server's answer takes milliseconds, DynamoDB's a few; this ratio is what the
        # app adds around its one GetItem, which the whole-call ratio above dilutes.
        "ratio_outside_dynamodb": round(
            app_summary["outside_dynamodb_median_us"] / baseline_summary["outside_dynamodb_median_us"], 3
        ),
        "round_ratio_min": round(min(round_ratios), 3),
        "round_ratio_max": round(max(round_ratios), 3),
        "app_response_bytes": len(json.dumps(answers["app"])),
        "baseline_response_bytes": len(json.dumps(answers["baseline"])),
    }


if __name__ == "__main__":
    child_main(measure)
