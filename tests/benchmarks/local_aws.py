"""A local AWS for the benchmarks: moto's server on 127.0.0.1, in a process of its own, and the
child processes that measure the app against it.

The server runs in its own process so that its work competes neither for the measured process's
GIL nor for its memory: the figures are the app's own. It exits when its stdin closes, so it also
goes away when the benchmark run dies.

`python -m tests.benchmarks.local_aws` is the server's entry point.
"""
from __future__ import annotations

import json
import os
import select
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from tests.benchmarks.lambda_runtime import REGION, REPO_ROOT, developer_environment

SERVER_START_TIMEOUT_SECONDS = 60
STDERR_TAIL_CHARS = 4000


class ChildFailed(RuntimeError):
    pass


class LocalAws:
    """Context manager: a moto server on a free loopback port for the duration of the block."""

    def __init__(self) -> None:
        self.process: subprocess.Popen[str] | None = None
        self.endpoint = ""

    def __enter__(self) -> LocalAws:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "tests.benchmarks.local_aws"],
            cwd=REPO_ROOT,
            env=client_environment(developer_environment(), ""),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        try:
            ready, _, _ = select.select([self.process.stdout], [], [], SERVER_START_TIMEOUT_SECONDS)
            line = self.process.stdout.readline() if ready else ""  # type: ignore[union-attr]
            if not line:
                raise RuntimeError("the moto server did not start")
            self.endpoint = f"http://127.0.0.1:{json.loads(line)['port']}"
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *exc_info: Any) -> None:
        self.stop()

    def stop(self) -> None:
        process, self.process = self.process, None
        if process is None:
            return
        try:
            process.stdin.close()  # type: ignore[union-attr]
            process.wait(timeout=10)
        except (OSError, subprocess.TimeoutExpired):
            process.kill()
            process.wait(timeout=10)

    def environment(self, base: dict[str, str]) -> dict[str, str]:
        return client_environment(base, self.endpoint)


def client_environment(base: dict[str, str], endpoint: str) -> dict[str, str]:
    """`base` with fake credentials, and every AWS client (DynamoDB included) sent to `endpoint`.

    AWS_ENDPOINT_URL reaches clients the app creates with plain boto3 (Secrets Manager, SES), so
    nothing in a benchmark can talk to real AWS; the shared config files and the instance metadata
    service are switched off for the same reason.
    """
    env = dict(base)
    for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN", "AWS_DEFAULT_PROFILE"):
        env.pop(name, None)
    env.update(
        {
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_DEFAULT_REGION": REGION,
            "AWS_REGION": REGION,
            "AWS_CONFIG_FILE": os.devnull,
            "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
            "AWS_EC2_METADATA_DISABLED": "true",
        }
    )
    if endpoint:
        env["AWS_ENDPOINT_URL"] = endpoint
        env["DYNAMODB_ENDPOINT"] = endpoint
    return env


def run_child(
    module: str, env: dict[str, str], timeout_seconds: float, inputs: dict[str, Any] | None = None
) -> dict[str, Any]:
    """Run `python -m tests.benchmarks.<module> RESULT_PATH INPUT_PATH` in a fresh interpreter and
    return what it wrote to RESULT_PATH; `inputs` is what it finds in INPUT_PATH.

    The child's stdout (the app's JSON request logs) goes to /dev/null: the app still formats and
    writes every line as in Lambda, but a terminal's speed does not enter the figures.
    """
    with tempfile.TemporaryDirectory(prefix="zebros-bench-") as scratch:
        result_path = Path(scratch) / "result.json"
        input_path = Path(scratch) / "input.json"
        input_path.write_text(json.dumps(inputs or {}))
        try:
            completed = subprocess.run(
                [sys.executable, "-m", f"tests.benchmarks.{module}", str(result_path), str(input_path)],
                cwd=REPO_ROOT,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
                text=True,
                timeout=timeout_seconds,
            )
        except subprocess.TimeoutExpired:
            raise ChildFailed(f"{module} did not finish within {timeout_seconds:.0f} s") from None
        if completed.returncode != 0 or not result_path.exists():
            raise ChildFailed(
                f"{module} exited with {completed.returncode}:\n{completed.stderr[-STDERR_TAIL_CHARS:]}"
            )
        return json.loads(result_path.read_text())


def child_main(measure: Any) -> None:
    """Entry point of a measuring child: run `measure(inputs)` and write its result where told."""
    inputs = json.loads(Path(sys.argv[2]).read_text())
    result = measure(inputs)
    Path(sys.argv[1]).write_text(json.dumps(result, indent=2))


def serve() -> None:
    import logging

    from moto.server import ThreadedMotoServer

    from chalicelib.localdev import dynamodb

    # The DynamoDB `make run` serves: linearizable, and a transaction resent after a timeout (a busy
    # machine) is applied once, as DynamoDB does with its ClientRequestToken.
    dynamodb.serialize_requests()
    # Werkzeug's per-request log line would only cost the server time.
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    _, port = server.get_host_and_port()
    print(json.dumps({"port": port}), flush=True)
    try:
        sys.stdin.read()
    finally:
        server.stop()


if __name__ == "__main__":
    serve()
