"""The whole OpenAPI document held to the API that serves it: schemathesis (`st run`, configured by
tests/contract/schemathesis.toml) against a `make run` server from a fresh clone, as the demo
organization's owner (bearer token, fetched again if a fuzzed logout ends its session; the API key
where the document declares it).

Every phase (the document's examples, coverage of each schema's edges, fuzzing, stateful sequences
along the document's links) and every check: no server error, only declared statuses, content
types and headers, bodies that match their schemas, invalid input refused and valid input
accepted, authentication not ignored, a deleted resource gone; and ours (tests/contract/hooks.py):
a refused request writes nothing. Fixed seed, one request at a time, a bounded budget; the run's
figures are printed at the end of the pytest output (tests/conftest.py).
"""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.localdev.conftest import LocalServer, fresh_clone, start_local_server

REPO = Path(__file__).resolve().parents[2]
CONFIG = Path(__file__).with_name("schemathesis.toml")
MIN_REQUESTS = 1000
RUN_TIMEOUT_SECONDS = 20 * 60


@pytest.fixture(scope="module")
def server(tmp_path_factory) -> LocalServer:
    root = fresh_clone(tmp_path_factory.mktemp("clone"))
    # Outside the clone: chalice local restarts on any change under the project directory.
    server = start_local_server(root, tmp_path_factory.mktemp("log") / "make-run.log")
    try:
        yield server
    finally:
        server.stop()


def run_schemathesis(server: LocalServer, workdir: Path) -> tuple[dict, int, str]:
    """`st run` over the served document: its JSON report, the requests it made, its output."""
    email, password = re.search(r"^Demo login: (\S+) (\S+)$", server.log(), re.MULTILINE).groups()
    api_key = re.search(r"^API key: (\S+)$", server.log(), re.MULTILINE).group(1)
    report, request_count = workdir / "report.json", workdir / "requests"
    environment = {
        **os.environ,
        "PYTHONPATH": str(REPO),
        "ZEBROS_FUZZ_EMAIL": email,
        "ZEBROS_FUZZ_PASSWORD": password,
        "ZEBROS_FUZZ_API_KEY": api_key,
        "ZEBROS_FUZZ_JOURNAL": str(server.root / ".local" / "dynamodb.jsonl"),
        "ZEBROS_FUZZ_REQUEST_COUNT": str(request_count),
    }
    completed = subprocess.run(
        [sys.executable, "-m", "schemathesis.cli", "--no-color", "--config-file", str(CONFIG), "run",
         f"http://127.0.0.1:{server.port}/v1/openapi.json",
         "--report", "json", "--report-json-path", str(report)],
        cwd=REPO, env=environment, capture_output=True, text=True, timeout=RUN_TIMEOUT_SECONDS,
    )  # fmt: skip
    output = completed.stdout + completed.stderr
    assert report.exists(), output[-6000:]
    requests = int(request_count.read_text()) if request_count.exists() else 0
    return json.loads(report.read_text()), requests, output


def summary(report: dict, requests: int) -> str:
    operations, test_cases = report.get("operations") or {}, report.get("test_cases") or {}
    failures = sum(group["count"] for group in report["failures"])
    errors = sum(group["count"] for group in report["errors"])
    phases = ", ".join(name for name, phase in (report.get("phases") or {}).items() if phase["status"] != "skip")
    return (f"schemathesis {report['schemathesis_version']} seed {report['seed']}: {requests} requests, "
            f"{test_cases.get('generated', 0)} test cases over {operations.get('tested', 0)} of "
            f"{operations.get('total', 0)} operations (phases: {phases}), "
            f"{failures} failures, {errors} errors, in {report['running_time'] or 0:.0f} s")  # fmt: skip


def test_the_api_keeps_its_openapi_contract_under_fuzzing(server: LocalServer, tmp_path: Path, record_property) -> None:
    report, requests, output = run_schemathesis(server, tmp_path)
    record_property("summary", summary(report, requests))
    # The failures and errors as schemathesis prints them: each with the curl that reproduces it.
    sections = [output.find(name) for name in ("ERRORS", "FAILURES") if name in output]
    details = output[min(sections):] if sections else output[-8000:]
    assert not report["failures"] and not report["errors"] and report["exit_code"] == 0, (
        summary(report, requests) + "\n" + details[-30000:])
    assert report["operations"]["tested"] == report["operations"]["total"], report["operations"]
    assert requests >= MIN_REQUESTS, summary(report, requests)
