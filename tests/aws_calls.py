"""Record every AWS call the app makes, by the Lambda function that makes it, as IAM would see it.

`install()` hooks botocore where every client is born (`Session.create_client`, as
tests.benchmarks.dynamodb_events does: PynamoDB gives each model a session of its own) and the two
Lambda entry points Chalice packages: the REST handler (`Chalice.__call__`, packaged as
`api_handler`) and each authorizer (`ChaliceAuthorizer.__call__`, packaged under its name).
Calls made outside a function (test fixtures creating tables or users) are not the app's and are
not recorded.

Each API call becomes one or more *requirements*: the IAM action AWS authorizes and the resource
it authorizes it on, named independently of the environment (a table by its logical name, a
secret by its id) so that a recording made against the test tables can be evaluated against the
prod policies. DynamoDB transactions are authorized per item (PutItem, UpdateItem, DeleteItem,
ConditionCheckItem; GetItem for TransactGetItems): IAM has no TransactWriteItems action.

An API this module does not know the resource of is recorded with `resource: null`, and the IAM
coverage check (tests/infra/test_iam_coverage.py) fails on it: teach `requirements()` first.
"""
from __future__ import annotations

import contextvars
import json
import os
from collections import Counter
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
RECORDING_DIR = REPO / "build" / "aws-calls"
REST_HANDLER = "api_handler"  # the name `chalice package` gives the function behind the REST API

_function: contextvars.ContextVar[str | None] = contextvars.ContextVar("lambda_function", default=None)
# botocore builds a presigned POST's parameters as a CreateBucket's (a stand-in model): not a call.
_presigning_post: contextvars.ContextVar[bool] = contextvars.ContextVar("presigning_post", default=False)
_installed = False
requirements_seen: Counter[str] = Counter()  # JSON of (function, call, action, resource) -> count
invocations: Counter[str] = Counter()
# Called with the function's name as each invocation starts (a harness may give each function the
# per-process state it would have in a container of its own).
entry_listeners: list[Any] = []

_TRANSACT_ACTIONS = {"Put": "PutItem", "Update": "UpdateItem", "Delete": "DeleteItem", "ConditionCheck": "ConditionCheckItem"}
# Organization API keys (chalicelib/aws/api_gateway.py): the method and the path (ids as "*") IAM sees.
_API_GATEWAY_PATHS = {
    "CreateApiKey": ("POST", "/apikeys"),
    "DeleteApiKey": ("DELETE", "/apikeys/*"),
    "GetUsagePlans": ("GET", "/usageplans"),
    "CreateUsagePlanKey": ("POST", "/usageplans/*/keys"),
    "DeleteUsagePlanKey": ("DELETE", "/usageplans/*/keys/*"),
}
_SINGLE_TABLE = {"GetItem", "PutItem", "UpdateItem", "DeleteItem", "Query", "Scan", "DescribeTable"}


def requirements(service: str, operation: str, params: dict[str, Any]) -> list[tuple[str, dict[str, Any] | None]]:
    """(IAM action, resource) pairs AWS checks for one API call; resource None = unknown."""
    if service == "dynamodb":
        if operation in _SINGLE_TABLE:
            return [(f"dynamodb:{operation}", _table(params["TableName"], params.get("IndexName")))]
        if operation in ("BatchGetItem", "BatchWriteItem"):
            return [(f"dynamodb:{operation}", _table(name)) for name in params["RequestItems"]]
        if operation == "TransactWriteItems":
            return [
                (f"dynamodb:{_TRANSACT_ACTIONS[kind]}", _table(request["TableName"]))
                for item in params["TransactItems"]
                for kind, request in item.items()
            ]
        if operation == "TransactGetItems":
            return [("dynamodb:GetItem", _table(item["Get"]["TableName"])) for item in params["TransactItems"]]
    if service == "secretsmanager" and operation == "GetSecretValue":
        return [("secretsmanager:GetSecretValue", {"secret": params["SecretId"]})]
    if service == "ses" and operation in ("SendEmail", "SendRawEmail"):
        return [(f"ses:{operation}", {"ses_sender": params["Source"]})]
    if service == "events" and operation == "PutEvents":
        return [("events:PutEvents", {"event_bus": name}) for name in sorted({e.get("EventBusName", "default") for e in params["Entries"]})]
    if service == "stepfunctions" and operation == "StartExecution":
        return [("states:StartExecution", {"state_machine": params["stateMachineArn"].rsplit(":", 1)[1]})]
    if service == "stepfunctions" and operation == "StopExecution":
        machine, execution = params["executionArn"].rsplit(":", 2)[1:]
        return [("states:StopExecution", {"execution": f"{machine}:{execution}"})]
    if service == "s3" and operation in _OBJECT_ACTIONS:
        return [(_OBJECT_ACTIONS[operation], _object(params["Bucket"], params["Key"]))]
    if service == "s3" and operation == "DeleteObjects":
        return [("s3:DeleteObject", _object(params["Bucket"], o["Key"])) for o in params["Delete"]["Objects"]]
    if service == "scheduler" and operation in ("CreateSchedule", "UpdateSchedule", "DeleteSchedule"):
        # The app's one group and one scheduler role (SCHEDULE_GROUP, SCHEDULER_ROLE_ARN): the check
        # names prod's, whichever ran here (moto's default group locally).
        passed = [("iam:PassRole", {"report_scheduler_role": True})] if "Target" in params else []
        return [(f"scheduler:{operation}", {"report_schedule": params["Name"]}), *passed]
    if service == "apigateway" and operation in _API_GATEWAY_PATHS:
        # API Gateway's control plane authorizes the HTTP method on the resource's path.
        method, path = _API_GATEWAY_PATHS[operation]
        return [(f"apigateway:{method}", {"apigateway_path": path})]
    if service == "apigatewaymanagementapi":
        method = {"PostToConnection": "POST", "DeleteConnection": "DELETE", "GetConnection": "GET"}[operation]
        return [("execute-api:ManageConnections", {"websocket_connections": method})]
    return [(f"{service}:{operation}", None)]


# S3 authorizes a HEAD as GetObject. A presigned URL is authorized as its signer's call when used:
# generate_presigned_url goes through the same parameter events; presigned POSTs are hooked apart.
_OBJECT_ACTIONS = {
    "GetObject": "s3:GetObject", "HeadObject": "s3:GetObject", "PutObject": "s3:PutObject", "DeleteObject": "s3:DeleteObject",
    "CreateMultipartUpload": "s3:PutObject", "UploadPart": "s3:PutObject", "CompleteMultipartUpload": "s3:PutObject",
    "ListParts": "s3:ListMultipartUploadParts", "AbortMultipartUpload": "s3:AbortMultipartUpload",
}  # fmt: skip


def _object(bucket: str, key: str) -> dict[str, Any]:
    """An object named by the environment variable of its bucket (FILES_BUCKET), the same in every
    environment, and its key."""
    from chalicelib.core.settings import get_settings
    from chalicelib.localdev.s3 import LOCAL_BUCKETS

    settings = get_settings()
    variable = next((v for v, attribute in LOCAL_BUCKETS.items() if getattr(settings, attribute) == bucket), None)
    return {"bucket": variable, "key": key} if variable else {"bucket_name": bucket, "key": key}


def _table(name: str, index: str | None = None) -> dict[str, Any]:
    from chalicelib.core.settings import get_settings

    prefix = get_settings().table_prefix
    resource: dict[str, Any] = {"table": name[len(prefix):] if name.startswith(prefix) else name}
    if not name.startswith(prefix):
        resource["outside_prefix"] = True
    if index:
        resource["index"] = index
    return resource


def _record(model: Any, params: dict[str, Any], **_: Any) -> None:
    if _presigning_post.get():
        return
    _record_call(model.service_model.service_name, model.name, params)


def _record_call(service: str, operation: str, params: dict[str, Any]) -> None:
    function = _function.get()
    if function is None:
        return
    for action, resource in requirements(service, operation, params):
        key = {"function": function, "call": f"{service}.{operation}", "action": action, "resource": resource}
        requirements_seen[json.dumps(key, sort_keys=True)] += 1


def _entry_point(function_of: Any, original: Any) -> Any:
    def call(self: Any, *args: Any, **kwargs: Any) -> Any:
        name = function_of(self)
        invocations[name] += 1
        for listener in entry_listeners:
            listener(name)
        token = _function.set(name)
        try:
            return original(self, *args, **kwargs)
        finally:
            _function.reset(token)

    return call


def install() -> None:
    """Hook botocore and Chalice's entry points; idempotent. Call before the app makes a client."""
    global _installed
    if _installed:
        return
    import botocore.session
    from chalice import app as chalice_app

    create_client = botocore.session.Session.create_client

    def recording_create_client(self: Any, *args: Any, **kwargs: Any) -> Any:
        client = create_client(self, *args, **kwargs)
        client.meta.events.register("before-parameter-build", _record)
        return client

    botocore.session.Session.create_client = recording_create_client  # type: ignore[method-assign]
    # A presigned POST makes no call; S3 authorizes the upload as its signer's PutObject.
    import botocore.signers

    presign_post = botocore.signers.generate_presigned_post

    def recording_presigned_post(self: Any, Bucket: str, Key: str, *args: Any, **kwargs: Any) -> Any:
        _record_call("s3", "PutObject", {"Bucket": Bucket, "Key": Key})
        token = _presigning_post.set(True)
        try:
            return presign_post(self, Bucket, Key, *args, **kwargs)
        finally:
            _presigning_post.reset(token)

    botocore.signers.generate_presigned_post = recording_presigned_post
    chalice_app.Chalice.__call__ = _entry_point(lambda _: REST_HANDLER, chalice_app.Chalice.__call__)
    chalice_app.ChaliceAuthorizer.__call__ = _entry_point(lambda a: a.name, chalice_app.ChaliceAuthorizer.__call__)
    # Stream consumers and schedules are packaged under their function's name (WebSocket handlers,
    # a subclass, define their own __call__ and are not covered by this).
    chalice_app.EventSourceHandler.__call__ = _entry_point(
        lambda h: getattr(h.func, "_original_func", h.func).__name__, chalice_app.EventSourceHandler.__call__
    )
    # Pure Lambda functions (job tasks, invoked by Step Functions) under their Chalice name.
    chalice_app.LambdaFunction.__call__ = _entry_point(lambda f: f.name, chalice_app.LambdaFunction.__call__)
    _installed = True


def write(path: Path) -> None:
    """One JSON line per distinct requirement (with its count), and one per invoked function."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as out:
        for name, count in sorted(invocations.items()):
            out.write(json.dumps({"invoked": name, "count": count}) + "\n")
        for key, count in sorted(requirements_seen.items()):
            out.write(json.dumps({**json.loads(key), "count": count}) + "\n")


def read(paths: list[Path]) -> tuple[Counter[str], list[dict[str, Any]]]:
    """Invocation counts and distinct requirements of one or more recordings."""
    invoked: Counter[str] = Counter()
    merged: dict[str, dict[str, Any]] = {}
    for path in paths:
        for line in path.read_text(encoding="utf-8").splitlines():
            row = json.loads(line)
            if "invoked" in row:
                invoked[row["invoked"]] += row["count"]
                continue
            count = row.pop("count")
            key = json.dumps(row, sort_keys=True)
            merged.setdefault(key, {**row, "count": 0})["count"] += count
    return invoked, list(merged.values())


def process_file() -> Path:
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    return RECORDING_DIR / f"{worker}-{os.getpid()}.jsonl"
