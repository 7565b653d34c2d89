"""What the Lambda runtime and API Gateway hand the function: its environment, its context object and
REST API proxy events. Used to run the app "as in Lambda" without AWS."""
from __future__ import annotations

import json
import os
import secrets
import uuid
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[2]
STAGE = "dev"
FUNCTION_NAME = f"zebros-{STAGE}"
REGION = "us-east-1"
API_STAGE_NAME = "api"
PYCACHE_DIR = REPO_ROOT / "build" / "bench-pycache"

# Variables this project or the Lambda runtime set. They are removed from the caller's environment
# so that "a developer machine" means the same thing in every run, whatever the caller's shell holds.
PROJECT_VARIABLES = (
    "ZEBROS_STAGE",
    "TABLE_PREFIX",
    "DYNAMODB_ENDPOINT",
    "JWT_ISSUER",
    "JWT_AUDIENCE",
    "ACCESS_TOKEN_TTL_SECONDS",
    "REFRESH_TOKEN_TTL_SECONDS",
    "SIGNING_KEY_SECRET_ID",
    "LOCAL_SIGNING_KEY_FILE",
    "LOCAL_API_KEYS",
    "NOTIFIER",
    "NOTIFIER_FROM_ADDRESS",
    "MAX_BODY_BYTES",
)
RUNTIME_PREFIXES = ("AWS_LAMBDA_", "AWS_XRAY_", "POWERTOOLS_", "_X_AMZN_", "LAMBDA_")
RUNTIME_VARIABLES = ("AWS_EXECUTION_ENV", "_HANDLER", "AWS_ENDPOINT_URL")


def developer_environment() -> dict[str, str]:
    """The caller's environment without anything this project or the Lambda runtime would set.

    A developer's interpreter caches compiled modules. A PYTHONDONTWRITEBYTECODE=1 in the caller's
    environment would make only the app's own modules recompile on every import (site-packages
    ship compiled), so the benchmarks keep a bytecode cache of their own under build/, which also
    leaves the work tree's __pycache__ alone.
    """
    env = dict(os.environ)
    for name in list(env):
        if name in PROJECT_VARIABLES or name in RUNTIME_VARIABLES or name.startswith(RUNTIME_PREFIXES):
            del env[name]
        elif name.startswith("AWS_ENDPOINT_URL_"):
            del env[name]
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPYCACHEPREFIX"] = str(PYCACHE_DIR)
    return env


def stage_variables(stage: str = STAGE) -> dict[str, str]:
    """The function's environment variables as `chalice deploy --stage` configures them."""
    config = json.loads((REPO_ROOT / ".chalice" / "config.json").read_text())
    variables = dict(config.get("environment_variables", {}))
    variables.update(config.get("stages", {}).get(stage, {}).get("environment_variables", {}))
    return variables


def lambda_environment(stage: str = STAGE) -> dict[str, str]:
    """developer_environment() plus what a deployed function of `stage` sees at init."""
    config = json.loads((REPO_ROOT / ".chalice" / "config.json").read_text())
    env = developer_environment()
    env.update(
        {
            "AWS_LAMBDA_FUNCTION_NAME": FUNCTION_NAME,
            "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
            "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(config.get("lambda_memory_size", 128)),
            "AWS_LAMBDA_LOG_GROUP_NAME": f"/aws/lambda/{FUNCTION_NAME}",
            "AWS_LAMBDA_LOG_STREAM_NAME": "bench",
            "AWS_EXECUTION_ENV": "AWS_Lambda_python3.11",
            "AWS_REGION": REGION,
            "AWS_DEFAULT_REGION": REGION,
            "LAMBDA_TASK_ROOT": str(REPO_ROOT),
            "_HANDLER": "app.app",
        }
    )
    if config.get("xray"):
        # Lambda points the X-Ray SDK at a link-local daemon; here it must stay on loopback.
        env["AWS_XRAY_DAEMON_ADDRESS"] = "127.0.0.1:2000"
        env["AWS_XRAY_CONTEXT_MISSING"] = "LOG_ERROR"
    env.update(stage_variables(stage))
    return env


class LambdaContext:
    """The context object the Python runtime passes to the handler."""

    function_name = FUNCTION_NAME
    function_version = "$LATEST"
    invoked_function_arn = f"arn:aws:lambda:{REGION}:123456789012:function:{FUNCTION_NAME}"
    memory_limit_in_mb = 128
    log_group_name = f"/aws/lambda/{FUNCTION_NAME}"
    log_stream_name = "bench"
    identity = None
    client_context = None

    def __init__(self) -> None:
        self.aws_request_id = str(uuid.uuid4())

    def get_remaining_time_in_millis(self) -> int:
        return 3000


def trace_header(sampled: bool = False) -> str:
    """The trace header Lambda hands a function with active tracing, in `_X_AMZN_TRACE_ID`."""
    return f"Root=1-{secrets.token_hex(4)}-{secrets.token_hex(12)};Parent={secrets.token_hex(8)};Sampled={int(sampled)}"


def begin_invocation() -> LambdaContext:
    """What the runtime does before each invocation of a function with active tracing."""
    os.environ["_X_AMZN_TRACE_ID"] = trace_header()
    return LambdaContext()


def proxy_event(
    method: str,
    resource: str,
    path_parameters: dict[str, str] | None = None,
    *,
    body: Any = None,
    headers: dict[str, str] | None = None,
    query: dict[str, str] | None = None,
    authorizer: dict[str, str] | None = None,
) -> dict[str, Any]:
    """An API Gateway REST API proxy event, as API Gateway builds it for a Lambda integration.

    `authorizer` is the Lambda authorizer's context (principalId plus its context map): API Gateway
    caches the authorizer's answer and passes it here, so the authorizer is not in this path.
    """
    path = resource
    for name, value in (path_parameters or {}).items():
        path = path.replace("{" + name + "}", value)
    all_headers = {"Accept": "application/json", "Host": "api.example.test", "User-Agent": "bench"}
    if body is not None:
        all_headers["Content-Type"] = "application/json"
    all_headers.update(headers or {})
    request_id = str(uuid.uuid4())
    request_context: dict[str, Any] = {
        "resourceId": "abc123",
        "resourcePath": resource,
        "httpMethod": method,
        "path": f"/{API_STAGE_NAME}{path}",
        "stage": API_STAGE_NAME,
        "requestId": request_id,
        "extendedRequestId": request_id,
        "protocol": "HTTP/1.1",
        "accountId": "123456789012",
        "apiId": "bench00001",
        "identity": {"sourceIp": "127.0.0.1", "userAgent": "bench"},
    }
    if authorizer is not None:
        request_context["authorizer"] = {**authorizer, "integrationLatency": 0}
    return {
        "resource": resource,
        "path": path,
        "httpMethod": method,
        "headers": all_headers,
        "multiValueHeaders": {name: [value] for name, value in all_headers.items()},
        "queryStringParameters": dict(query) if query else None,
        "multiValueQueryStringParameters": {name: [value] for name, value in query.items()} if query else None,
        "pathParameters": dict(path_parameters) if path_parameters else None,
        "stageVariables": None,
        "requestContext": request_context,
        "body": json.dumps(body) if body is not None and not isinstance(body, str) else body,
        "isBase64Encoded": False,
    }


def authorizer_context(
    user_id: str, org_id: str, role: str = "member", session_id: str | None = None
) -> dict[str, str]:
    """The context jwt_authorizer returns, as API Gateway passes it on (all values strings)."""
    return {"principalId": user_id, "org_id": org_id, "role": role, "session_id": session_id or uuid.uuid4().hex}


def invoke(handler: Any, event: dict[str, Any]) -> dict[str, Any]:
    return handler(event, begin_invocation())
