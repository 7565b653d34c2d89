"""X-Ray in Lambda: every DynamoDB call a request makes is one subsegment of its trace.

Tracing is decided when the app is imported, so the requests run in a fresh interpreter with the
Lambda environment (tests/observability_probe.py), against a moto server; the X-Ray SDK sends its
segments over UDP to the daemon address, here a socket of this test on 127.0.0.1.
"""
from __future__ import annotations

import json
import socket
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator

from tests.benchmarks.lambda_runtime import REPO_ROOT, lambda_environment
from tests.benchmarks.local_aws import LocalAws

DATAGRAM_BYTES = 65536


def _documents(daemon: socket.socket) -> Iterator[dict]:
    """What the SDK sent: a JSON header line, then the segment document. Loopback datagrams are in
    the socket's buffer once sendto returns, so everything sent is here when the probe has exited."""
    daemon.setblocking(False)
    while True:
        try:
            datagram = daemon.recv(DATAGRAM_BYTES)
        except BlockingIOError:
            return
        yield json.loads(datagram.decode().split("\n", 1)[1])


def _subsegments(document: dict) -> Iterator[dict]:
    for subsegment in document.get("subsegments", []):
        yield subsegment
        yield from _subsegments(subsegment)


def test_each_dynamodb_call_is_one_subsegment_of_the_trace():
    with LocalAws() as aws, socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as daemon:
        daemon.bind(("127.0.0.1", 0))
        env = aws.environment(lambda_environment())
        env["AWS_XRAY_DAEMON_ADDRESS"] = f"127.0.0.1:{daemon.getsockname()[1]}"
        probe = subprocess.run(
            [sys.executable, "-m", "tests.observability_probe"],
            cwd=REPO_ROOT, env=env, stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=120,
        )  # fmt: skip
        assert probe.returncode == 0, probe.stderr[-4000:]
        calls = Counter(json.loads(probe.stdout.strip().splitlines()[-1]))
        traced = Counter(
            subsegment["aws"]["operation"]
            for document in _documents(daemon)
            for subsegment in [document, *_subsegments(document)]
            if subsegment.get("namespace") == "aws" and subsegment.get("name") == "dynamodb"
        )
    assert calls["GetItem"] and calls["Query"] and calls["TransactWriteItems"], calls
    assert traced == calls
