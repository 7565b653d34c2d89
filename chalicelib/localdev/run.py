"""`make run`: the API on 127.0.0.1:$PORT with local data that persists, no AWS account needed.

Starts moto's DynamoDB-compatible server on a free loopback port (or uses DYNAMODB_ENDPOINT),
restores what earlier runs stored (a journal under .local/, see chalicelib/localdev/dynamodb.py),
creates missing tables, creates the app's buckets on the same server's S3 (or on S3_ENDPOINT;
chalicelib/localdev/s3.py), seeds the demo organization on first start, prints the API key and the
demo login (both kept in .local/, the same on every run), then runs `chalice local` (with a listen
backlog for bursts and a file watcher that ignores .local/: chalicelib/localdev/chalice_local.py).
Ctrl-C stops everything it started; `make reset` deletes .local/ to start afresh. `--db-only`
stops short of chalice local and writes .local/local-db.env, for running plain `chalice local`.
LOCAL_STATE_DIR puts the state elsewhere; LOG_LEVEL=DEBUG adds metrics and library logs.
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
LOCAL_CORS_ALLOWED_ORIGINS = "http://localhost:3000,http://127.0.0.1:3000"


def stage_environment(stage: str) -> dict[str, str]:
    """The variables Chalice gives the app for this stage, so the tables we create are the ones
    `chalice local --stage <stage>` will use."""
    config = json.loads((ROOT / ".chalice" / "config.json").read_text())
    return {**config.get("environment_variables", {}), **config["stages"][stage].get("environment_variables", {})}


def start_dynamodb():
    import logging

    from moto.server import ThreadedMotoServer

    from chalicelib.localdev import dynamodb, s3

    # Concurrent API requests must not lose each other's writes (see chalicelib/localdev/dynamodb.py).
    dynamodb.serialize_requests()
    if os.environ.get("LOG_LEVEL", "INFO").upper() != "DEBUG":
        # One access-log line per DynamoDB call would drown the API's own logs.
        logging.getLogger("werkzeug").setLevel(logging.ERROR)

    # Browser uploads to its S3 are held to their presigned POST policy, as S3 holds them.
    s3.enforce_post_policies()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    return server, f"http://{host}:{port}"


def kept_secret(path: Path, make) -> str:
    """The value stored at `path`, made and stored (owner-readable only) on first use."""
    if path.exists():
        return path.read_text().strip()
    value = make()
    path.touch(mode=0o600)
    path.write_text(value + "\n")
    return value


def prepare_demo_organization(password: str) -> None:
    """Seed the demo organization on first start; afterwards only make sure the printed login works
    (a password reset tried out locally would otherwise lock the developer out)."""
    from chalicelib.localdev import demo

    if demo.demo_user_exists():
        demo.set_demo_password(password)
    else:
        demo.seed(password)


def start_step_functions(endpoint: str) -> None:
    """Jobs: moto's server (in this process) executes the state machines of infra/state-machines/,
    their Task states calling the app's functions here (chalicelib/localdev/stepfunctions.py); the app
    reaches it through AWS_ENDPOINT_URL_SFN, and the exports bucket through S3_ENDPOINT as the others."""
    import atexit
    from contextlib import ExitStack

    from app import app
    from chalicelib.core.settings import get_settings
    from chalicelib.localdev import stepfunctions

    os.environ["MOTO_PORT"] = endpoint.rsplit(":", 1)[1]  # where moto's interpreter sends its Lambda calls
    stack = ExitStack()
    stack.enter_context(stepfunctions.dispatch_tasks(stepfunctions.task_functions(app)))
    atexit.register(stack.close)
    stepfunctions.prepare_local_jobs()
    print(f"Exports bucket: {endpoint}/{get_settings().exports_bucket}", flush=True)


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

    state = Path(os.environ.get("LOCAL_STATE_DIR") or ROOT / ".local").resolve()
    state.mkdir(parents=True, exist_ok=True)
    port = os.environ.get("PORT", "8000")
    api_key = os.environ.get("LOCAL_API_KEYS") or kept_secret(state / "api-key", lambda: secrets.token_urlsafe(24))
    password = kept_secret(state / "demo-password", lambda: secrets.token_urlsafe(12))
    debug = os.environ.get("LOG_LEVEL", "INFO").upper() == "DEBUG"
    environment = {
        **stage_environment(STAGE),
        "AWS_DEFAULT_REGION": os.environ.get("AWS_DEFAULT_REGION", "us-east-1"),
        # moto accepts any credentials; these keep a developer's real ones out of local runs.
        "AWS_ACCESS_KEY_ID": os.environ.get("AWS_ACCESS_KEY_ID", "local"),
        "AWS_SECRET_ACCESS_KEY": os.environ.get("AWS_SECRET_ACCESS_KEY", "local"),
        "LOCAL_API_KEYS": api_key,
        "LOCAL_SIGNING_KEY_FILE": str(state / "signing-key.json"),
        "LOCAL_MAILBOX_FILE": str(state / "mail.jsonl"),
        "LOCAL_STATE_DIR": str(state),
        # Pages a developer serves locally may call the API (in AWS: cors_allowed_origins per env root).
        "CORS_ALLOWED_ORIGINS": os.environ.get("CORS_ALLOWED_ORIGINS", LOCAL_CORS_ALLOWED_ORIGINS),
        # Every local request comes from 127.0.0.1, the contract fuzzer's and the docs examples' included:
        # locally the per-address limit of login, register and forgot-password is high (AWS: 30).
        "AUTH_ATTEMPTS_PER_IP_PER_MINUTE": os.environ.get("AUTH_ATTEMPTS_PER_IP_PER_MINUTE", "1000"),
        "LOG_FORMAT": "text",
        "POWERTOOLS_LOG_LEVEL": "DEBUG" if debug else "INFO",
        "POWERTOOLS_METRICS_DISABLED": "false" if debug else "true",
    }
    os.environ.update(environment)

    server = None
    s3_endpoint = os.environ.get("S3_ENDPOINT") or os.environ.get("DYNAMODB_ENDPOINT")
    if not os.environ.get("DYNAMODB_ENDPOINT"):
        from chalicelib.localdev import dynamodb

        server, endpoint = start_dynamodb()
        os.environ["DYNAMODB_ENDPOINT"] = endpoint
        # The same moto server stands in for Step Functions (jobs) and S3 (S3_ENDPOINT, below).
        os.environ["AWS_ENDPOINT_URL_SFN"] = endpoint
        # The same moto server stands in for API Gateway (organization API keys and usage plans) and
        # EventBridge Scheduler (scheduled reports; it keeps schedules and fires none).
        os.environ.setdefault("AWS_ENDPOINT_URL_API_GATEWAY", endpoint)
        os.environ.setdefault("AWS_ENDPOINT_URL_SCHEDULER", endpoint)
        restored = dynamodb.restore(endpoint, state / "dynamodb.jsonl")
        print(f"Restored {restored} items from {state / 'dynamodb.jsonl'}" if restored else f"New local data in {state}",
              flush=True)  # fmt: skip
    # moto's one server serves S3 too: presigned uploads and downloads go to it from the browser.
    os.environ["S3_ENDPOINT"] = s3_endpoint or os.environ["DYNAMODB_ENDPOINT"]
    try:
        from chalicelib.localdev.s3 import create_buckets
        from chalicelib.localdev.streams import start_event_consumer
        from chalicelib.platform.services.signing_keys import get_key_ring
        from chalicelib.tables import create_tables

        create_tables()
        buckets = create_buckets(os.environ["S3_ENDPOINT"], os.environ["CORS_ALLOWED_ORIGINS"].split(","))
        if os.environ.get("AWS_ENDPOINT_URL_API_GATEWAY"):
            from chalicelib.localdev.usage_plans import create_usage_plans

            create_usage_plans()
        prepare_demo_organization(password)
        get_key_ring()  # created now, not in the middle of the first login
        # Domain events: the app's stream consumer on the audit_logs stream, as in AWS.
        start_event_consumer()
        if server is not None:
            start_step_functions(os.environ["DYNAMODB_ENDPOINT"])
        print(f"DynamoDB: {os.environ['DYNAMODB_ENDPOINT']}", flush=True)
        print(f"S3: {os.environ['S3_ENDPOINT']}  (buckets: {', '.join(buckets)})", flush=True)
        print(f"API key: {api_key}", flush=True)
        print(f"Demo login: {demo_email()} {password}", flush=True)
        if options.db_only:
            write_env_file(state / "local-db.env")
            print(f"Local data is ready; for plain chalice local: set -a; . {state / 'local-db.env'}; set +a",
                  flush=True)  # fmt: skip
            print("Ctrl-C to stop.", flush=True)
            signal.pause()
        print(f"API: http://127.0.0.1:{port}  (mail it sends: http://127.0.0.1:{port}/_local/mail)", flush=True)
        start_websocket_api()
        command = [sys.executable, "-m", "chalicelib.localdev.chalice_local", "local",
                   "--host", "127.0.0.1", "--port", port, "--stage", STAGE]  # fmt: skip
        # chalice local restarts its worker whenever a file changes under the project: no bytecode.
        chalice_environment = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
        # Its own process group: chalice's autoreloader forks a worker, and both must stop with us.
        process = subprocess.Popen(command, cwd=ROOT, env=chalice_environment, start_new_session=True)
        return wait_then_stop(process)
    except Stop:
        return 0
    finally:
        if server is not None:
            server.stop()


def demo_email() -> str:
    from chalicelib.localdev.demo import DEMO_EMAIL

    return DEMO_EMAIL


# What the app reads that `make local-db` decided; plain `chalice local` gets them from the file.
ENV_FILE_VARIABLES = (
    "DYNAMODB_ENDPOINT", "AWS_DEFAULT_REGION", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "LOCAL_API_KEYS",
    "LOCAL_SIGNING_KEY_FILE", "LOCAL_MAILBOX_FILE", "LOG_FORMAT", "POWERTOOLS_LOG_LEVEL", "POWERTOOLS_METRICS_DISABLED",
    "CORS_ALLOWED_ORIGINS", "S3_ENDPOINT", "AWS_ENDPOINT_URL_API_GATEWAY", "AWS_ENDPOINT_URL_SCHEDULER",
)  # fmt: skip


def write_env_file(path: Path) -> None:
    import shlex

    from chalicelib.localdev.s3 import LOCAL_BUCKETS

    path.touch(mode=0o600)
    path.write_text("".join(f"{name}={shlex.quote(os.environ[name])}\n" for name in (*ENV_FILE_VARIABLES, *LOCAL_BUCKETS) if name in os.environ))


if __name__ == "__main__":
    sys.exit(main())
