"""`make run`: the API on 127.0.0.1:$PORT with local data, no AWS account needed.

Starts moto's DynamoDB-compatible server on a free loopback port (or uses DYNAMODB_ENDPOINT),
creates the tables, seeds a demo organization, prints an API key and a demo login, then runs
`chalice local` (with a listen backlog for bursts: chalicelib/localdev/chalice_local.py). Ctrl-C
stops everything it started. `--db-only` stops short of chalice local, for running plain
`chalice local` yourself.
"""
from __future__ import annotations

import argparse
import json
import os
import secrets
import signal
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
STAGE = "dev"
DEMO_EMAIL = "demo@example.com"


def stage_environment(stage: str) -> dict[str, str]:
    """The variables Chalice gives the app for this stage, so the tables we create are the ones
    `chalice local --stage <stage>` will use."""
    config = json.loads((ROOT / ".chalice" / "config.json").read_text())
    return {**config.get("environment_variables", {}), **config["stages"][stage].get("environment_variables", {})}


def start_dynamodb():
    import logging

    from moto.server import ThreadedMotoServer

    from chalicelib.localdev import dynamodb

    # Concurrent API requests must not lose each other's writes (see chalicelib/localdev/dynamodb.py).
    dynamodb.serialize_requests()
    # One access-log line per DynamoDB call would drown the API's own logs.
    logging.getLogger("werkzeug").setLevel(logging.ERROR)

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    return server, f"http://{host}:{port}"


def seed_demo_organization() -> str:
    """Create the demo organization once, and give its owner a fresh password each start."""
    from chalicelib.crm.contact_management.services import customers
    from chalicelib.platform.services import auth
    from chalicelib.platform.services.passwords import hash_password
    from chalicelib.platform.services.roles import OWNER, principal
    from chalicelib.platform.tables import users

    password = secrets.token_urlsafe(12)
    existing = users.find_user(DEMO_EMAIL)
    if existing is None:
        registered = auth.register(
            {"email": DEMO_EMAIL, "password": password, "name": "Demo Owner", "organization": "Demo Organization"}
        )
        owner = principal(registered["user"]["id"], registered["organization"]["id"], OWNER, "seed")
        for name, company in [("Ada Lovelace", "Analytical Engines"), ("Grace Hopper", "Compilers Inc")]:
            customers.records.create(owner, {"name": name, "company": company, "tags": ["demo"]})
    else:
        users.set_password_hash(DEMO_EMAIL, hash_password(password))
    return password


def start_websocket_api() -> None:
    """The WebSocket API beside chalice local (which serves none), on $WEBSOCKET_PORT (default 8001)."""
    from app import app
    from chalicelib.localdev.websocket_server import serve_in_background

    serve_in_background(app, int(os.environ.get("WEBSOCKET_PORT", "8001")))


class Stop(Exception):
    pass


def _raise_stop(signum, frame):
    raise Stop()


def wait_then_stop(process: subprocess.Popen) -> int:
    """Wait for chalice local; on Ctrl-C or SIGTERM stop its whole process group."""
    try:
        return process.wait()
    except Stop:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
        return 0


def main() -> int:
    # This process runs app code too (the stream consumer, the WebSocket API), importing modules
    # lazily as events arrive: bytecode written under the project would restart chalice local.
    sys.dont_write_bytecode = True
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, _raise_stop)

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db-only", action="store_true", help="prepare local data and wait; do not start chalice local")
    options = parser.parse_args()

    port = os.environ.get("PORT", "8000")
    api_key = os.environ.get("LOCAL_API_KEYS") or secrets.token_urlsafe(24)
    environment = {
        **stage_environment(STAGE),
        "AWS_DEFAULT_REGION": os.environ.get("AWS_DEFAULT_REGION", "us-east-1"),
        "AWS_ACCESS_KEY_ID": os.environ.get("AWS_ACCESS_KEY_ID", "local"),
        "AWS_SECRET_ACCESS_KEY": os.environ.get("AWS_SECRET_ACCESS_KEY", "local"),
        "LOCAL_API_KEYS": api_key,
        "LOCAL_SIGNING_KEY_FILE": str(ROOT / ".local" / "signing-key.json"),
    }
    os.environ.update(environment)

    server = None
    if not os.environ.get("DYNAMODB_ENDPOINT"):
        server, endpoint = start_dynamodb()
        os.environ["DYNAMODB_ENDPOINT"] = endpoint
    try:
        from chalicelib.localdev.streams import start_event_consumer
        from chalicelib.platform.services.signing_keys import get_key_ring
        from chalicelib.tables import create_tables

        create_tables()
        password = seed_demo_organization()
        # chalice local restarts its worker, dropping requests in flight, whenever a file appears or
        # changes under the project: the signing key is created now rather than at the first login,
        # and its worker writes no bytecode there (PYTHONDONTWRITEBYTECODE below).
        get_key_ring()
        # Domain events: the app's stream consumer on the audit_logs stream, as in AWS.
        start_event_consumer()
        print(f"DynamoDB: {os.environ['DYNAMODB_ENDPOINT']}", flush=True)
        print(f"API key: {api_key}", flush=True)
        print(f"Demo login: {DEMO_EMAIL} {password}", flush=True)
        if options.db_only:
            print("Local data is ready; Ctrl-C to stop.", flush=True)
            signal.pause()
        print(f"API: http://127.0.0.1:{port}", flush=True)
        start_websocket_api()
        command = [sys.executable, "-m", "chalicelib.localdev.chalice_local", "local",
                   "--host", "127.0.0.1", "--port", port, "--stage", STAGE]  # fmt: skip
        chalice_environment = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
        # Its own process group: chalice's autoreloader forks a worker, and both must stop with us.
        process = subprocess.Popen(command, cwd=ROOT, env=chalice_environment, start_new_session=True)
        return wait_then_stop(process)
    except Stop:
        return 0
    finally:
        if server is not None:
            server.stop()


if __name__ == "__main__":
    sys.exit(main())
