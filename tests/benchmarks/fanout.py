"""Fan-out of one event to 500 WebSocket connections, each post made 20 ms slow (API Gateway's
@connections answers in tens of milliseconds), against the local DynamoDB (moto server).

What is timed is `fan_out` as the stream consumer runs it: the organization's connections by one
Query, targeting, posts on the bounded pool, 410 handling; the target applies to the posting phase
(first post to the end), since moto's server takes over a second for the 500-item Query that
DynamoDB answers in tens of milliseconds (reported beside it). The post is the injected part: a sleep
of POST_DELAY_SECONDS per call, so the figure is the fan-out's own, not a network's. One after the
other the posts alone would take 500 x 20 ms = 10 s.

`python -m tests.benchmarks.fanout RESULT_PATH INPUT_PATH` (run by `make bench ONLY=fanout`).
"""
from __future__ import annotations

import statistics
import threading
import time
from typing import Any

from tests.benchmarks.local_aws import child_main

CONNECTIONS = 500
POST_DELAY_SECONDS = 0.020
RUNS = 10


class SlowPoster:
    """Records when each post finished, after sleeping as long as a real post takes."""

    def __init__(self) -> None:
        self.finished: list[float] = []
        self.first_started: float | None = None
        self._lock = threading.Lock()

    def post(self, connection_id: str, data: str) -> None:
        with self._lock:
            self.first_started = self.first_started or time.perf_counter()
        time.sleep(POST_DELAY_SECONDS)
        with self._lock:
            self.finished.append(time.perf_counter())


def _percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def measure(inputs: dict[str, Any]) -> dict[str, Any]:
    from chalicelib.core import clock
    from chalicelib.core.events import DomainEvent
    from chalicelib.core.ids import new_id
    from chalicelib.platform.services.fanout import POOL_SIZE, fan_out
    from chalicelib.platform.tables.connections import CONNECTION_LIFETIME, ConnectionModel, user_key
    from chalicelib.tables import create_tables

    # moto's server, on a machine shared with the other benchmarks, can take over the app's 1 s read
    # timeout to answer a 500-item Query that DynamoDB answers in tens of milliseconds.
    ConnectionModel.Meta.read_timeout_seconds = 10
    create_tables()
    org_id = new_id()
    with ConnectionModel.batch_write() as batch:
        for number in range(CONNECTIONS):
            connection = ConnectionModel(f"bench-{org_id}-{number}", org_id=org_id, user_id=f"user-{number}",
                                         user_key=user_key(org_id, f"user-{number}"), role="member",
                                         connected_at=clock.now())
            connection.expires_at = connection.connected_at + CONNECTION_LIFETIME
            batch.save(connection)

    def one_run() -> tuple[float, float, list[float], int]:
        event = DomainEvent(id=new_id(), type="lead.created", org_id=org_id, actor="bench", subject_type="lead",
                            subject_id=new_id(), occurred_at=clock.isoformat(clock.now()), data={"changes": {}})
        poster = SlowPoster()
        started = time.perf_counter()
        outcome = fan_out([event], lambda: poster)[0]
        duration = time.perf_counter() - started
        targeted = poster.first_started - started
        return duration, targeted, [finished - poster.first_started for finished in poster.finished], len(outcome.reached)

    one_run()  # the pool's threads and the clients are made once per process, as in a warm Lambda
    durations, targeting, latencies, reached = [], [], [], []
    for _ in range(RUNS):
        duration, targeted, delivered_after, count = one_run()
        durations.append(duration)
        targeting.append(targeted)
        latencies.extend(delivered_after)
        reached.append(count)
    return {
        "connections": CONNECTIONS,
        "post_delay_ms": POST_DELAY_SECONDS * 1000,
        "pool_size": POOL_SIZE,
        "runs": RUNS,
        "reached_min": min(reached),
        "sequential_estimate_s": CONNECTIONS * POST_DELAY_SECONDS,
        "duration_s_median": round(statistics.median(durations), 3),
        "duration_s_max": round(max(durations), 3),
        # The Query of the organization's connections and targeting, before the first post: moto's
        # server takes over a second for a 500-item Query DynamoDB answers in tens of milliseconds.
        "targeting_ms_median": round(statistics.median(targeting) * 1000, 1),
        # From the first post to the fan-out's end: the pool, the posts, the 410 handling.
        "posting_s_median": round(statistics.median(d - t for d, t in zip(durations, targeting)), 3),
        "delivery_ms_p50": round(_percentile(latencies, 0.50) * 1000, 1),
        "delivery_ms_p99": round(_percentile(latencies, 0.99) * 1000, 1),
    }


if __name__ == "__main__":
    child_main(measure)
