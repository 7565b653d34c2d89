"""Jobs without AWS: moto's Step Functions interpreter runs the state machines of
infra/state-machines/ (the files Terraform deploys), and their Task states reach the app's own
Chalice `lambda_function`s by name.

moto cannot run a Lambda function without Docker, so `dispatch_tasks(app)` replaces its Lambda
backend's `invoke` with a call of the app's function of that name, in process, with the event and
answer Lambda would carry: the handler's return value as the payload, or an exception as
`FunctionError` with `errorType`/`errorMessage`, which the interpreter turns into the States error
that Retry and Catch match, as in AWS. The workflow logic (Choice, loops, Retry, Catch, Map) is the
ASL's alone, run by moto's interpreter. moto's internals are relied on here: moto is pinned
(requirements-dev.txt).

Used by `make run` (chalicelib/localdev/run.py, moto server in process) and the tests
(tests/jobs_fixtures.py).
"""
from __future__ import annotations

import json
import re
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from unittest import mock

ROOT = Path(__file__).resolve().parents[2]
STATE_MACHINES = ROOT / "infra" / "state-machines"
# moto's default account: the one its in-process mock and its server use unless told otherwise.
LOCAL_ACCOUNT = "123456789012"
# `${name}` as Terraform's templatefile() reads it (`$${` escapes).
_SUBSTITUTION = re.compile(r"(?<!\$)\$\{([A-Za-z0-9_]+)\}")

Handler = Callable[[dict, Any], Any]


class LambdaContext:
    """What a task function may read of Lambda's context object."""

    def __init__(self, function_name: str) -> None:
        self.function_name = function_name
        self.aws_request_id = "local"
        self.memory_limit_in_mb = 1024

    def get_remaining_time_in_millis(self) -> int:
        return 15_000


def task_functions(app: Any) -> dict[str, Handler]:
    """The app's pure Lambda functions (blueprints' included) by their Chalice name."""
    return {function.name: function for function in app.pure_lambda_functions}


def function_arn(region: str, name: str) -> str:
    return f"arn:aws:lambda:{region}:{LOCAL_ACCOUNT}:function:{name}"


def render(definition_file: Path, region: str) -> str:
    """The ASL with every `${function}` replaced by that function's local ARN."""
    return _SUBSTITUTION.sub(lambda match: function_arn(region, match.group(1)), definition_file.read_text())


def create_state_machines(sfn_client: Any, name_prefix: str, region: str) -> list[str]:
    """Create (or update) every machine of infra/state-machines/ as `<name_prefix><name>`."""
    created = []
    existing = {machine["name"]: machine["stateMachineArn"] for machine in sfn_client.list_state_machines()["stateMachines"]}
    for definition_file in sorted(STATE_MACHINES.glob("*.asl.json")):
        name = name_prefix + definition_file.name.removesuffix(".asl.json")
        definition = render(definition_file, region)
        if name in existing:
            sfn_client.update_state_machine(stateMachineArn=existing[name], definition=definition)
        else:
            sfn_client.create_state_machine(
                name=name, definition=definition, roleArn=f"arn:aws:iam::{LOCAL_ACCOUNT}:role/{name}-sfn"
            )
        created.append(name)
    return created


def invoke(handlers: dict[str, Handler], function_name: str, body: Any, response_headers: dict[str, str]) -> bytes:
    """One Lambda invocation as the Step Functions interpreter sees it."""
    name = function_name.rsplit(":function:", 1)[-1].split(":", 1)[0]
    event = json.loads(body) if body else {}
    handler = handlers.get(name)
    try:
        if handler is None:
            raise LookupError(f"no task function named {name!r}")
        result = handler(event, LambdaContext(name))
        payload = json.dumps(result)
    except Exception as error:  # what Lambda reports for an unhandled exception
        response_headers["x-amz-function-error"] = "Unhandled"
        payload = json.dumps({
            "errorType": type(error).__name__,
            "errorMessage": str(error),
            "stackTrace": traceback.format_tb(error.__traceback__),
        })  # fmt: skip
    encoded = payload.encode("utf-8")
    response_headers["Content-Length"] = str(len(encoded))
    return encoded


@contextmanager
def dispatch_tasks(handlers: dict[str, Handler]) -> Iterator[dict[str, Handler]]:
    """While inside, moto's Lambda invocations call `handlers` (a dict the caller may change:
    a test replaces one function to make it fail) and moto executes state machines."""
    from moto.awslambda.models import LambdaBackend
    from moto.core.config import default_user_config

    def local_invoke(backend: Any, function_name: str, qualifier: Any, body: Any, headers: Any, response_headers: Any) -> bytes:
        return invoke(handlers, function_name, body, response_headers)

    with mock.patch.object(LambdaBackend, "invoke", local_invoke), \
         mock.patch.dict(default_user_config, {"stepfunctions": {"execute_state_machine": True}}):  # fmt: skip
        yield handlers


def wait_for_executions(sfn_client: Any, timeout_seconds: float = 60) -> None:
    """Until no execution runs: a test's world (moto's backends) must outlive its executions."""
    import time

    deadline = time.monotonic() + timeout_seconds
    for machine in sfn_client.list_state_machines()["stateMachines"]:
        while sfn_client.list_executions(stateMachineArn=machine["stateMachineArn"], statusFilter="RUNNING")["executions"]:
            if time.monotonic() > deadline:
                return
            time.sleep(0.05)


def prepare_local_jobs() -> None:
    """The state machines and the app's buckets (the exports bucket among them) where the app's
    clients reach them (moto in process, or the server AWS_ENDPOINT_URL_SFN and S3_ENDPOINT name)."""
    from chalicelib.aws.sessions import new_session
    from chalicelib.core.settings import get_settings
    from chalicelib.localdev.s3 import create_buckets

    settings = get_settings()
    create_state_machines(new_session().create_client("stepfunctions", region_name=settings.region),
                          settings.table_prefix, settings.region)  # fmt: skip
    create_buckets(settings.s3_endpoint)
