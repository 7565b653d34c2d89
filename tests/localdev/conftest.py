"""`make run`'s server as a developer gets it from a fresh clone: the repository's files (tracked, or
new and not ignored) copied to a temporary directory, and the runner started there on a free
loopback port, as `make run` starts it. The server stops when the module's tests are done."""
from __future__ import annotations

import http.client
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any, Callable

import pytest

from tests.conftest import Reply

REPO = Path(__file__).resolve().parents[2]
# Generous: a busy CI machine may take a minute to import the app and create the tables.
START_TIMEOUT = 240
REQUEST_TIMEOUT = 120


def fresh_clone(dest: Path) -> Path:
    """What `git clone` of the working tree would give: its files, symlinks kept as symlinks."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=REPO, capture_output=True, check=True,
    ).stdout  # fmt: skip
    for name in filter(None, listed.decode().split("\0")):
        source, target = REPO / name, dest / name
        if not os.path.lexists(source):  # deleted in the working tree, not yet committed
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        if source.is_symlink():
            target.symlink_to(os.readlink(source))
        else:
            shutil.copy2(source, target)
    return dest


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class LocalServer:
    """The runner's process, its output, and plain HTTP/1.1 calls to the API it serves."""

    def __init__(self, root: Path, port: int, process: subprocess.Popen, log: Path) -> None:
        self.root, self.port, self.process, self.log_path = root, port, process, log
        self.access_token = ""

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def call(self, method: str, path: str, body: Any = None, headers: dict[str, str] | None = None) -> Reply:
        all_headers = {"Content-Type": "application/json", "Connection": "close"}
        if self.access_token:
            all_headers["Authorization"] = f"Bearer {self.access_token}"
        all_headers.update(headers or {})
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=REQUEST_TIMEOUT)
        try:
            connection.request(method, path, json.dumps(body) if body is not None else None, all_headers)
            response = connection.getresponse()
            return Reply(response.status, dict(response.getheaders()), response.read())
        finally:
            connection.close()

    def at_once(self, count: int, request: Callable[[int], Reply]) -> list[Reply | BaseException]:
        """`count` threads released together, each making one request; a failed connection is
        returned as its exception, so a reset is counted, not raised."""
        barrier = threading.Barrier(count)
        results: list[Reply | BaseException] = [RuntimeError("no result")] * count

        def run(index: int) -> None:
            barrier.wait()
            try:
                results[index] = request(index)
            except Exception as exc:  # noqa: BLE001 - counted by the caller
                results[index] = exc

        threads = [threading.Thread(target=run, args=(index,)) for index in range(count)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(REQUEST_TIMEOUT * 2)
        return results

    def wait_until_ready(self, ready_line: str = "API: http://", serves_http: bool = True) -> None:
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                pytest.fail(f"make run exited with {self.process.returncode}:\n{self.log()[-4000:]}")
            if ready_line in self.log() and not serves_http:
                return
            if ready_line in self.log():
                try:
                    if self.call("GET", "/v1/health").status == 200:
                        return
                except OSError:
                    pass
            time.sleep(0.5)
        pytest.fail(f"make run did not serve /v1/health within {START_TIMEOUT}s:\n{self.log()[-4000:]}")

    @property
    def websocket_url(self) -> str:
        return re.search(r"^WebSocket: (ws://\S+)$", self.log(), re.MULTILINE).group(1)

    def log_in_as_demo_owner(self, log: str | None = None) -> None:
        """With the login the runner printed (in `log`, when another process printed it)."""
        email, password = re.search(r"^Demo login: (\S+) (\S+)$", log or self.log(), re.MULTILINE).groups()
        reply = self.call("POST", "/v1/auth/login", {"email": email, "password": password})
        assert reply.status == 200, reply.body
        self.access_token = reply.json["access_token"]

    def kill(self) -> None:
        """As a crash would: SIGKILL to the runner (and so to its DynamoDB) and to chalice local."""
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children").read_text().split()
        os.killpg(self.process.pid, signal.SIGKILL)
        for child in children:  # chalice local runs in a process group of its own
            try:
                os.killpg(int(child), signal.SIGKILL)
            except ProcessLookupError:
                pass
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)  # the runner stops chalice local and moto
            try:
                self.process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)


def start_local_server(root: Path, log: Path, db_only: bool = False) -> LocalServer:
    """The runner started as `make run` (or `make local-db`) starts it, in `root`, on a free port;
    ready when it returns."""
    port = free_port()
    environment = {name: os.environ[name] for name in ("PATH", "HOME", "LANG", "TMPDIR") if name in os.environ}
    environment.update(PORT=str(port), WEBSOCKET_PORT=str(free_port()), PYTHONUNBUFFERED="1")
    with log.open("wb") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "chalicelib.localdev.run", *(["--db-only"] if db_only else [])],
            cwd=root, env=environment, stdout=output, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
    server = LocalServer(root, port, process, log)
    try:
        server.wait_until_ready("Local data is ready", serves_http=False) if db_only else server.wait_until_ready()
    except BaseException:
        server.stop()
        raise
    return server


@pytest.fixture(scope="module")
def local_server(tmp_path_factory) -> LocalServer:
    root = fresh_clone(tmp_path_factory.mktemp("clone"))
    # Outside the clone: chalice local restarts on any change under the project directory.
    server = start_local_server(root, tmp_path_factory.mktemp("log") / "make-run.log")
    try:
        server.log_in_as_demo_owner()
        yield server
    finally:
        server.stop()
