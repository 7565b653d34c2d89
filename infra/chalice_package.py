"""Build the Lambda deployment package and fix what `chalice package` gets wrong.

`make package ENV=<stage>` runs this module. It produces, under build/<stage>/:

* terraform/ - a Terraform module made from `chalice package --pkg-format terraform`:
  chalice.tf.json (post-processed), package.tf.json (the variables and outputs the env roots
  consume) and deployment.zip.
* sam/ - the SAM template (`chalice package`, CloudFormation format), post-processed the same
  way, with the same deployment.zip, for teams that deploy with SAM.

Why post-process instead of hand edits or override files: the fixes depend on what the app
declares (which functions exist, which are authorizers), so they are computed, and Terraform
override files cannot delete arguments (`stage_name`) or whole blocks (`null_data_source`).

Known defects of chalice 1.34.0 output, and what this module does about each:

* `terraform.required_version < 1.4.0` and aws provider `< 5`: replaced by our own pins.
* `data.null_data_source` needs the hashicorp/null provider, which nothing uses: removed.
* `aws_api_gateway_deployment.stage_name` creates an implicit stage (and is gone in provider
  v6): removed; the chalice_app module owns an explicit `aws_api_gateway_stage`. A `triggers`
  hash of the API body replaces `stage_description` so a changed API is redeployed.
* The REST API body is PUT in overwrite mode, which deletes gateway responses created as
  separate resources; they are merged into the body from the `gateway_responses` variable.
* The WebSocket custom domain lacks `security_policy` (fails `terraform validate`): TLS_1_2.
* CORS: Chalice's CORSConfig allows one origin, fixed in the app, and its MOCK preflight answers
  static headers. Every path gets a MOCK OPTIONS method instead whose response template echoes the
  request's Origin only when it is one of `var.cors_allowed_origins` (the env root's list, which
  also reaches the functions as CORS_ALLOWED_ORIGINS), with the methods of that path and the
  headers of chalicelib/platform/routes/cors.json; any other origin gets no CORS header
  (chalicelib/platform/routes/cors.py answers the same under chalice local and chalice.test).
  The REST API's minimum compression size comes from .chalice/config.json through chalice.
* The runtime is the Python that ran chalice (3.11 here): set to python3.12, and the
  dependencies are installed from manylinux wheels built for CPython 3.12 instead of chalice's.
* The REST API is named after the app only, so environments in one account share API Gateway
  metrics (ApiName, Stage): it is named <app>-<stage>.
* Every function role gets the policy of `iam_policy_file` (.chalice/policy-lambda.json): logs
  actions, CreateLogGroup included, on every log group of every account. Chalice cannot scope it
  per function, so it is removed: in Terraform the chalice_app module owns each function's log
  group and grants the function its own group only; in SAM each function gets a log group and a
  policy scoped to it (`DeletionPolicy: Retain`, so deleting the stack keeps the logs).
* Environment variables are fixed at package time from .chalice/config.json; settings that only
  the environment root knows (the SES sender) are merged in from the `environment_variables`
  variable.
* A DynamoDB stream mapping reads the ARN written in the app (a stream exists only once Terraform
  created its table) and neither retries smartly nor keeps failed batches: it reads
  `var.stream_arns[<function>]`, halves failing batches, gives up after bounded retries/age into
  `var.stream_failure_destination_arn` (the event_bus module's dead-letter queue); output
  `stream_consumers` names each consumer's table.
* Schedule rules are named after the function only (environments sharing an account would share
  the rule): named <app>-<stage>-<rule>.
* Chalice's authorizer is a TOKEN authorizer on `Authorization`: API Gateway answers 401 without
  invoking it when that header is absent, so an organization's `x-api-key` alone could never
  authenticate. It becomes a REQUEST authorizer with neither identity sources nor result cache
  (with a cache, API Gateway requires every identity source to be present).
* Sizing: API-facing functions (REST handler, authorizers, WebSocket handlers) get 128 MB/3 s,
  the generation tasks what TASK_SIZING gives them, everything else (stream, queue, schedule, S3
  handlers, pure Lambda functions) 1 GB/15 s.

The deployment zip leaves out what the Lambda runtime already provides (boto3 and the
distributions it pulls in) and `chalicelib/localdev/` (the local development server).

Built in its default place, the package is linked from its env root: infra/envs/<stage>/package ->
build/<stage>/terraform. The link is made here, not tracked in git: a tracked link would dangle in
every fresh clone (build/ is not tracked), and a dangling link under the project directory kills
`chalice local`'s file watcher.
"""

from __future__ import annotations

import argparse
import copy
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

RUNTIME = "python3.12"
PYTHON_VERSION = "3.12"
# Lambda's python3.12 runtime runs on Amazon Linux 2023 (glibc 2.34), x86_64.
WHEEL_PLATFORMS = (
    "manylinux2014_x86_64",
    "manylinux_2_17_x86_64",
    "manylinux_2_28_x86_64",
    "manylinux_2_34_x86_64",
)
# Distributions the python3.12 Lambda runtime ships: boto3 and its dependency closure.
RUNTIME_PROVIDED = frozenset(
    {"boto3", "botocore", "s3transfer", "jmespath", "python-dateutil", "six", "urllib3"}
)
API_SIZING = {"memory_size": 128, "timeout": 3}
DATA_SIZING = {"memory_size": 1024, "timeout": 15}
# Task functions whose work outlasts 15 s: StoryVerse's generation waits on a model (Bedrock writes
# a story or paints a page in tens of seconds; Polly reads a page in a few) or, offline, draws the
# page or runs espeak-ng. The image task keeps 1 GB: Lambda's CPU grows with memory, and drawing
# is CPU-bound; the others mostly wait.
TASK_SIZING = {
    "story_write_text": {"memory_size": 512, "timeout": 120},
    "story_draw_image": {"memory_size": 1024, "timeout": 120},
    "story_narrate": {"memory_size": 512, "timeout": 60},
}
SOURCE_EXCLUDES = ("chalicelib/localdev",)
TERRAFORM_VERSION = ">= 1.7"
AWS_PROVIDER_VERSION = ">= 5.100, < 6.0"
ZIP_DATE = (1980, 1, 1, 0, 0, 0)

CORS_RULES = json.loads((Path(__file__).resolve().parents[1] / "chalicelib/platform/routes/cors.json").read_text())
PREFLIGHT_STATUS = "204"  # chalicelib/platform/routes/cors.py answers the same locally
_FUNCTION_REF = re.compile(r"aws_lambda_function\.([A-Za-z0-9_-]+)\.")
_STREAM_TABLE = re.compile(r"^arn:[^:]*:dynamodb:[^:]*:[^:]*:table/([^/]+)/stream/")
# DynamoDB stream mappings: a failing batch is retried, halved each time to isolate a poison
# record, then recorded in the on-failure destination instead of blocking its shard (and every
# later write to the same keys) until the stream drops it after 24 h.
STREAM_MAPPING_SETTINGS = {
    "bisect_batch_on_function_error": True,
    "maximum_retry_attempts": 10,
    "maximum_record_age_in_seconds": 6 * 3600,
}


class PackageError(RuntimeError):
    """The app or its generated package is not in a shape this step can fix."""


# ---------------------------------------------------------------- classification


def api_function_names(chalice_tf: dict) -> set[str]:
    """Functions that serve API Gateway: the REST handler, authorizers, WebSocket handlers."""
    names = set()
    swagger = chalice_tf.get("locals", {}).get("chalice_api_swagger", "")
    names.update(_FUNCTION_REF.findall(swagger))
    resources = chalice_tf.get("resource", {})
    for integration in resources.get("aws_apigatewayv2_integration", {}).values():
        names.update(_FUNCTION_REF.findall(integration.get("integration_uri", "")))
    for permission in resources.get("aws_lambda_permission", {}).values():
        if permission.get("principal") == "apigateway.amazonaws.com":
            names.update(_FUNCTION_REF.findall(permission.get("function_name", "")))
    return names & set(resources.get("aws_lambda_function", {}))


def sizing_for(name: str, api_functions: set[str]) -> dict:
    return dict(API_SIZING if name in api_functions else TASK_SIZING.get(name, DATA_SIZING))


def _sam_resource_name(name: str) -> str:
    """The SAM template's logical id of Chalice function `name` (chalice's to_cfn_resource_name)."""
    return "".join(word[:1].upper() + word[1:] for word in re.split(r"[^A-Za-z0-9]+", name))


# ---------------------------------------------------------------- terraform


def use_request_authorizers(swagger: dict) -> None:
    """Every Lambda authorizer becomes a REQUEST authorizer without result cache and without
    identity sources, so API Gateway invokes it for every request, whatever credentials it carries
    (the app's authorizers read REQUEST events: chalicelib/platform/routes/authorizer.py)."""
    for definition in swagger.get("securityDefinitions", {}).values():
        authorizer = definition.get("x-amazon-apigateway-authorizer")
        if definition.get("x-amazon-apigateway-authtype") != "custom" or authorizer is None:
            continue
        if authorizer.get("type") not in ("token", "request"):
            raise PackageError(f"cannot make a {authorizer.get('type')} authorizer a REQUEST authorizer")
        # With a cache, API Gateway requires every identity source and answers 401 without
        # invoking the authorizer when one is absent: a bearer token and an API key are
        # alternatives, so there can be neither identity sources nor a cache.
        authorizer["type"] = "request"
        authorizer.pop("identitySource", None)
        authorizer.pop("identityValidationExpression", None)  # TOKEN authorizers only
        authorizer["authorizerResultTtlInSeconds"] = 0
        # The security scheme's header name is a TOKEN authorizer's identity source; API
        # Gateway's own export of a REQUEST authorizer names it "Unused".
        definition["name"] = "Unused"


def fix_terraform(chalice_tf: dict) -> dict:
    """Return a copy of chalice's Terraform JSON that validates and applies with provider 5.100+."""
    doc = copy.deepcopy(chalice_tf)
    resources = doc.setdefault("resource", {})

    doc["terraform"] = {
        "required_version": TERRAFORM_VERSION,
        "required_providers": {
            "aws": {"source": "hashicorp/aws", "version": AWS_PROVIDER_VERSION}
        },
    }
    labels = doc.get("data", {}).pop("null_data_source", {}).get("chalice", {}).get("inputs", {})
    doc.pop("provider", None)  # the env root configures the provider; modules inherit it

    resources.pop("aws_iam_role_policy", None)  # iam_policy_file's logs:* (see the module docstring)

    api_functions = api_function_names(doc)
    chalice_environment = {}
    for name, function in resources.get("aws_lambda_function", {}).items():
        function["runtime"] = RUNTIME
        function.update(sizing_for(name, api_functions))
        # .chalice/config.json's variables, plus what only the environment root knows (SES sender).
        chalice_environment[name] = function.get("environment", {}).get("variables", {})
        function["environment"] = {
            "variables": f'${{merge(local.chalice_environment["{name}"], var.environment_variables)}}'
        }
    if chalice_environment:
        doc.setdefault("locals", {})["chalice_environment"] = chalice_environment

    consumers = stream_consumers(doc)
    if consumers:
        doc.setdefault("locals", {})["stream_consumers"] = consumers
    wire_stream_mappings(resources)
    if labels.get("app") and labels.get("stage"):
        # Chalice names a schedule's rule after the function only: two environments in one
        # account (dev and staging) would share, and overwrite, each other's rule.
        for rule in resources.get("aws_cloudwatch_event_rule", {}).values():
            rule["name"] = f"{labels['app']}-{labels['stage']}-{rule['name']}"

    rest_api = resources.get("aws_api_gateway_rest_api", {}).get("rest_api")
    if rest_api is not None:
        # Chalice names the API after the app only; API Gateway's metrics are keyed by ApiName and
        # Stage (always "api"), so environments sharing an account would share metrics.
        if labels.get("app") and labels.get("stage"):
            rest_api["name"] = f"{labels['app']}-{labels['stage']}"
        swagger = json.loads(doc["locals"]["chalice_api_swagger"])
        use_request_authorizers(swagger)
        add_cors_preflight(swagger)
        doc["locals"]["chalice_api_swagger"] = json.dumps(swagger)
        # VTL list items: the variable's validation keeps quotes and spaces out of an origin.
        doc["locals"]["cors_allowed_origins_vtl"] = """${join(",", formatlist("'%s'", var.cors_allowed_origins))}"""
        # Gateway responses live in the body: a body PUT (overwrite) deletes any defined apart.
        doc["locals"]["api_body"] = (
            "${jsonencode(merge(jsondecode(local.chalice_api_swagger), "
            '{"x-amazon-apigateway-gateway-responses" = var.gateway_responses}))}'
        )
        rest_api["body"] = "${local.api_body}"
        rest_api["lifecycle"] = {"create_before_destroy": True}
        deployment = resources["aws_api_gateway_deployment"]["rest_api"]
        deployment.pop("stage_name", None)
        deployment.pop("stage_description", None)
        deployment["triggers"] = {"api_body": "${sha1(local.api_body)}"}

    for domain in resources.get("aws_apigatewayv2_domain_name", {}).values():
        domain.setdefault("domain_name_configuration", {})["security_policy"] = "TLS_1_2"
    for domain in resources.get("aws_api_gateway_domain_name", {}).values():
        domain["security_policy"] = "TLS_1_2"

    # Chalice's WebSocket stage has no access logs, route logging, metrics or throttling. The
    # websocket module supplies them through the websocket_stage_settings variable; the stage
    # stays here so Chalice's own domain mapping (if configured) keeps pointing at it.
    for stage in resources.get("aws_apigatewayv2_stage", {}).values():
        settings = "${var.websocket_stage_settings == null ? [] : [var.websocket_stage_settings]}"
        stage["dynamic"] = {
            "access_log_settings": {
                "for_each": settings,
                "content": {
                    "destination_arn": "${access_log_settings.value.access_log_destination_arn}",
                    "format": "${access_log_settings.value.access_log_format}",
                },
            },
            "default_route_settings": {
                "for_each": settings,
                "content": {
                    "logging_level": "${default_route_settings.value.logging_level}",
                    "data_trace_enabled": False,
                    "detailed_metrics_enabled": True,
                    "throttling_rate_limit": "${default_route_settings.value.throttling_rate_limit}",
                    "throttling_burst_limit": "${default_route_settings.value.throttling_burst_limit}",
                },
            },
        }

    # EndpointURL pointed at the deployment's implicit stage; package.tf.json has the outputs.
    doc.pop("output", None)
    return doc


def add_cors_preflight(swagger: dict) -> None:
    """A MOCK OPTIONS method on every path: 204, `Vary: Origin`, and the CORS headers only for an
    allowed Origin (set from the response template: a MOCK's mapped headers are static)."""
    allow_headers = ", ".join(CORS_RULES["allow_headers"])
    for methods in swagger.get("paths", {}).values():
        allow_methods = ",".join(sorted({m.upper() for m in methods if m != "parameters"} | {"OPTIONS"}))
        cors_headers = {
            "Access-Control-Allow-Origin": "$origin",
            "Access-Control-Allow-Methods": f"'{allow_methods}'",
            "Access-Control-Allow-Headers": f"'{allow_headers}'",
            "Access-Control-Max-Age": f"'{CORS_RULES['max_age_seconds']}'",
        }
        template = "\n".join([
            "#set($allowed = [${local.cors_allowed_origins_vtl}])",
            "#set($origin = $input.params().header.get('Origin'))",
            "#if(\"$!origin\" == \"\")#set($origin = $input.params().header.get('origin'))#end",
            "#if($allowed.contains($origin))",
            *(f"#set($context.responseOverride.header.{name} = {value})" for name, value in cors_headers.items()),
            "#end",
        ])  # fmt: skip
        methods.setdefault("options", {
            "consumes": ["application/json"],
            "produces": ["application/json"],
            "responses": {PREFLIGHT_STATUS: {
                "description": "CORS preflight",
                "headers": {name: {"type": "string"} for name in ("Vary", *cors_headers)},
            }},
            "x-amazon-apigateway-integration": {
                "type": "mock",
                "passthroughBehavior": "when_no_match",
                "requestTemplates": {"application/json": f'{{"statusCode": {PREFLIGHT_STATUS}}}'},
                "responses": {"default": {
                    "statusCode": PREFLIGHT_STATUS,
                    "responseParameters": {"method.response.header.Vary": "'Origin'"},
                    "responseTemplates": {"application/json": template},
                }},
            },
        })  # fmt: skip


def stream_consumers(chalice_tf: dict) -> dict[str, str]:
    """Functions fed by a DynamoDB stream => the logical name of the table whose stream it is.

    The app cannot know a stream's ARN (it exists once Terraform created the table), so it names
    the table: `arn:aws:dynamodb:::table/<table>/stream/from-terraform`
    (chalicelib/platform/routes/events.py); the env root passes the real ARN in `stream_arns`."""
    consumers = {}
    for mapping in chalice_tf.get("resource", {}).get("aws_lambda_event_source_mapping", {}).values():
        table = _STREAM_TABLE.match(str(mapping.get("event_source_arn", "")))
        function = _FUNCTION_REF.findall(mapping["function_name"])
        if table and function:
            consumers[function[0]] = table.group(1)
    return consumers


def wire_stream_mappings(resources: dict) -> None:
    """Each DynamoDB stream mapping reads the stream the env root gives its function, with retries
    that halve the batch and an on-failure destination (the event_bus module's dead-letter queue)."""
    for mapping in resources.get("aws_lambda_event_source_mapping", {}).values():
        if not _STREAM_TABLE.match(str(mapping.get("event_source_arn", ""))):
            continue
        function = _FUNCTION_REF.findall(mapping["function_name"])[0]
        mapping["event_source_arn"] = f'${{var.stream_arns["{function}"]}}'
        mapping.update(STREAM_MAPPING_SETTINGS)
        mapping["dynamic"] = {"destination_config": {
            "for_each": "${var.stream_failure_destination_arn == null ? [] : [var.stream_failure_destination_arn]}",
            "content": {"on_failure": {"destination_arn": "${destination_config.value}"}},
        }}  # fmt: skip
        mapping["lifecycle"] = {"precondition": [
            {"condition": f'${{contains(keys(var.stream_arns), "{function}")}}',
             "error_message": f"stream_arns has no stream for {function}."},
            {"condition": "${var.stream_failure_destination_arn != null}",
             "error_message": "A stream consumer needs stream_failure_destination_arn: failed batches would be lost."},
        ]}  # fmt: skip


def package_interface(fixed_tf: dict) -> dict:
    """Variables and outputs that turn the generated package into a module env roots can call."""
    resources = fixed_tf.get("resource", {})
    functions = resources.get("aws_lambda_function", {})
    api_functions = api_function_names(fixed_tf)
    roles = resources.get("aws_iam_role", {})

    def role_of(function: dict) -> str:
        match = re.fullmatch(r"\$\{aws_iam_role\.([A-Za-z0-9_-]+)\.arn\}", function["role"])
        if not match or match.group(1) not in roles:
            raise PackageError(f"function role is not a role of the package: {function['role']}")
        return match.group(1)

    function_outputs = {
        name: {
            "function_name": f"${{aws_lambda_function.{name}.function_name}}",
            "arn": f"${{aws_lambda_function.{name}.arn}}",
            "role_name": f"${{aws_iam_role.{role_of(function)}.name}}",
            "role_arn": f"${{aws_iam_role.{role_of(function)}.arn}}",
            "kind": "api" if name in api_functions else "data",
        }
        for name, function in sorted(functions.items())
    }
    has_rest = "rest_api" in resources.get("aws_api_gateway_rest_api", {})
    has_ws = "websocket_api" in resources.get("aws_apigatewayv2_api", {})
    outputs = {
        "functions": {
            "description": "Lambda functions by Chalice name: name, ARN, role, and kind (api or data).",
            "value": function_outputs,
        },
        "rest_api_id": {
            "description": "ID of the REST API (null when the app has no routes).",
            "value": "${aws_api_gateway_rest_api.rest_api.id}" if has_rest else None,
        },
        "rest_api_execution_arn": {
            "description": "Execution ARN of the REST API.",
            "value": "${aws_api_gateway_rest_api.rest_api.execution_arn}" if has_rest else None,
        },
        "rest_api_deployment_id": {
            "description": "Deployment of the current API body, for the explicit stage.",
            "value": "${aws_api_gateway_deployment.rest_api.id}" if has_rest else None,
        },
        "websocket_api_id": {
            "description": "ID of the WebSocket API (null when the app has no WebSocket handlers).",
            "value": "${aws_apigatewayv2_api.websocket_api.id}" if has_ws else None,
        },
        "websocket_stage_name": {
            "description": "Stage of the WebSocket API (null when the app has no WebSocket handlers).",
            "value": "${aws_apigatewayv2_stage.websocket_api_stage.name}" if has_ws else None,
        },
        "stream_consumers": {
            "description": "Functions fed by a DynamoDB stream => the table (logical name) whose stream: give each its stream in stream_arns.",
            "value": "${local.stream_consumers}" if "stream_consumers" in fixed_tf.get("locals", {}) else {},
        },
    }
    variables = {
        "cors_allowed_origins": {
            "description": "Browser origins (scheme://host[:port]) whose pages may call the API: the preflight and the functions' CORS_ALLOWED_ORIGINS.",
            "type": "list(string)",
            "default": [],
            "validation": [{
                "condition": "${alltrue([for origin in var.cors_allowed_origins : can(regex(\"^https?://[a-z0-9.-]+(:[0-9]{1,5})?$\", origin))])}",
                "error_message": "Each origin is scheme://host[:port] in lower case, without a path, a wildcard or a trailing slash.",
            }],
        },
        "gateway_responses": {
            "description": "OpenAPI x-amazon-apigateway-gateway-responses merged into the API body.",
            "type": "any",
            "default": {},
        },
        "environment_variables": {
            "description": "Environment variables every function gets on top of .chalice/config.json's (e.g. NOTIFIER_FROM_ADDRESS).",
            "type": "map(string)",
            "default": {},
        },
        "stream_arns": {
            "description": "DynamoDB stream ARN for each function of stream_consumers (event_bus module output stream_arns).",
            "type": "map(string)",
            "default": {},
        },
        "stream_failure_destination_arn": {
            "description": "Where the stream mappings send a batch they give up on (event_bus module output dead_letter_queue_arn).",
            "type": "string",
            "default": None,
        },
        "websocket_stage_settings": {
            "description": "Logging, metrics and throttling of the WebSocket stage (websocket module output stage_settings).",
            "type": "any",
            "default": None,
        },
    }
    return {"variable": variables, "output": outputs}


# ---------------------------------------------------------------- SAM


SAM_LOG_RETENTION_DAYS = 365


def scope_sam_logs(resources: dict) -> None:
    """Replace each role's iam_policy_file policy by a log group per function and a policy on it."""
    for name, resource in list(resources.items()):
        if resource["Type"] != "AWS::Serverless::Function":
            continue
        role = resource["Properties"]["Role"]["Fn::GetAtt"][0]
        resources[role]["Properties"].pop("Policies", None)
        resources[f"{name}LogGroup"] = {
            "Type": "AWS::Logs::LogGroup",
            "DeletionPolicy": "Retain",
            "UpdateReplacePolicy": "Retain",
            "Properties": {
                "LogGroupName": {"Fn::Sub": f"/aws/lambda/${{{name}}}"},
                "RetentionInDays": SAM_LOG_RETENTION_DAYS,
            },
            "Metadata": {"checkov": {"skip": [{
                "id": "CKV_AWS_158",
                "comment": "The SAM template carries no KMS key; the Terraform deployment encrypts log groups with the environment's key.",
            }]}},
        }  # fmt: skip
        resources[f"{name}LogsPolicy"] = {
            "Type": "AWS::IAM::Policy",
            "Properties": {
                "PolicyName": f"{name}Logs",
                "Roles": [{"Ref": role}],
                "PolicyDocument": {
                    "Version": "2012-10-17",
                    "Statement": [{
                        "Sid": "OwnLogGroup",
                        "Effect": "Allow",
                        "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
                        "Resource": {"Fn::GetAtt": [f"{name}LogGroup", "Arn"]},
                    }],
                },
            },
        }  # fmt: skip


def fix_sam(template: dict) -> dict:
    doc = copy.deepcopy(template)
    resources = doc.get("Resources", {})
    scope_sam_logs(resources)
    refs = json.dumps(
        {
            k: v
            for k, v in resources.items()
            if v["Type"] in ("AWS::Serverless::Api", "AWS::ApiGatewayV2::Integration")
            or (
                v["Type"] == "AWS::Lambda::Permission"
                and v["Properties"].get("Principal") == "apigateway.amazonaws.com"
            )
        }
    )
    for name, resource in resources.items():
        if resource["Type"] != "AWS::Serverless::Function":
            continue
        props = resource["Properties"]
        props["Runtime"] = RUNTIME
        is_api = re.search(rf'"{re.escape(name)}"', refs) is not None
        task_sizing = {_sam_resource_name(task): sizing for task, sizing in TASK_SIZING.items()}
        sizing = API_SIZING if is_api else task_sizing.get(name, DATA_SIZING)
        props["MemorySize"] = sizing["memory_size"]
        props["Timeout"] = sizing["timeout"]
    for resource in resources.values():
        if resource["Type"] == "AWS::Serverless::Api":
            resource["Properties"]["TracingEnabled"] = True
            use_request_authorizers(resource["Properties"].get("DefinitionBody", {}))
        if resource["Type"] == "AWS::ApiGatewayV2::DomainName":
            for conf in resource["Properties"].get("DomainNameConfigurations", []):
                conf["SecurityPolicy"] = "TLS_1_2"
    return doc


# ---------------------------------------------------------------- deployment zip


def _requirements_hash(requirements: Path) -> str:
    digest = hashlib.sha256(requirements.read_bytes())
    digest.update(json.dumps([PYTHON_VERSION, WHEEL_PLATFORMS, sorted(RUNTIME_PROVIDED)]).encode())
    return digest.hexdigest()[:16]


def _dist_name(dist_info: Path) -> str:
    for line in (dist_info / "METADATA").read_text(encoding="utf-8").splitlines():
        if line.startswith("Name:"):
            return re.sub(r"[-_.]+", "-", line.split(":", 1)[1].strip()).lower()
    raise PackageError(f"no Name in {dist_info}/METADATA")


def strip_runtime_provided(site: Path) -> list[str]:
    """Remove every file of the distributions the Lambda runtime provides; return their names."""
    removed = []
    for dist_info in sorted(site.glob("*.dist-info")):
        name = _dist_name(dist_info)
        if name not in RUNTIME_PROVIDED:
            continue
        for line in (dist_info / "RECORD").read_text(encoding="utf-8").splitlines():
            path = site / line.split(",", 1)[0]
            if path.is_file():
                path.unlink()
        shutil.rmtree(dist_info, ignore_errors=True)
        removed.append(name)
    for path in sorted(site.rglob("*"), reverse=True):  # drop directories left empty
        if path.is_dir() and not any(path.iterdir()):
            path.rmdir()
    return removed


def install_dependencies(requirements: Path, cache_root: Path) -> Path:
    """pip-install requirements as CPython 3.12 manylinux wheels; cached by requirements hash."""
    target = cache_root / f"cp312-{_requirements_hash(requirements)}"
    if (target / ".complete").exists():
        return target
    shutil.rmtree(target, ignore_errors=True)
    cmd = [
        sys.executable, "-m", "pip", "install", "--quiet", "--no-compile",
        "--target", str(target), "--implementation", "cp",
        "--python-version", PYTHON_VERSION, "--only-binary=:all:",
        "-r", str(requirements),
    ]  # fmt: skip
    for platform in WHEEL_PLATFORMS:
        cmd += ["--platform", platform]
    subprocess.run(cmd, check=True)
    shutil.rmtree(target / "bin", ignore_errors=True)
    strip_runtime_provided(target)
    (target / ".complete").write_text("")
    return target


def _write_entry(zf: zipfile.ZipFile, arcname: str, data: bytes, mode: int) -> None:
    info = zipfile.ZipInfo(arcname, date_time=ZIP_DATE)
    info.external_attr = (mode & 0xFFFF) << 16
    info.compress_type = zipfile.ZIP_DEFLATED
    zf.writestr(info, data, compresslevel=9)


def build_zip(chalice_zip: Path, site: Path, out: Path) -> None:
    """App code from chalice's zip plus the cp312 dependencies, byte-for-byte reproducible."""
    entries: dict[str, tuple[bytes, int]] = {}
    for path in sorted(site.rglob("*")):
        rel = path.relative_to(site).as_posix()
        if path.is_file() and rel != ".complete" and "__pycache__" not in rel:
            entries[rel] = (path.read_bytes(), 0o755 if os.access(path, os.X_OK) else 0o644)
    with zipfile.ZipFile(chalice_zip) as zf:
        for info in zf.infolist():
            if not info.is_dir():
                entries[info.filename] = (zf.read(info), 0o644)
    out.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(out, "w") as zf:
        for arcname in sorted(entries):
            data, mode = entries[arcname]
            _write_entry(zf, arcname, data, mode)


# ---------------------------------------------------------------- orchestration


def stage_sources(project: Path, dest: Path) -> None:
    """Copy what Lambda runs (no tests, no local dev server), with no requirements for chalice."""
    shutil.rmtree(dest, ignore_errors=True)
    dest.mkdir(parents=True)
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "deployments", "venv")
    shutil.copy2(project / "app.py", dest / "app.py")
    shutil.copytree(project / ".chalice", dest / ".chalice", ignore=ignore)
    if (project / "chalicelib").is_dir():
        shutil.copytree(project / "chalicelib", dest / "chalicelib", ignore=ignore)
    if (project / "vendor").is_dir():
        shutil.copytree(project / "vendor", dest / "vendor", ignore=ignore)
    for excluded in SOURCE_EXCLUDES:
        shutil.rmtree(dest / excluded, ignore_errors=True)
    # chalice would resolve dependencies for the Python running it (3.11); ours are cp312.
    (dest / "requirements.txt").write_text("")


def run_chalice(src: Path, stage: str, out: Path, pkg_format: str) -> None:
    env = dict(os.environ)
    env.setdefault("AWS_DEFAULT_REGION", "us-east-1")  # chalice needs one; nothing uses it
    chalice = Path(sys.executable).with_name("chalice")
    subprocess.run(
        [str(chalice), "package", "--pkg-format", pkg_format, "--stage", stage, str(out)],
        cwd=src, env=env, check=True,
    )  # fmt: skip


def build(project: Path, stage: str, out: Path) -> None:
    project, out = project.resolve(), out.resolve()
    if not (project / "app.py").is_file():
        raise PackageError(f"{project}/app.py does not exist: there is no Chalice app to package")
    with tempfile.TemporaryDirectory(prefix="zebros-package-") as tmp:
        tmp_path = Path(tmp)
        src = tmp_path / "src"
        stage_sources(project, src)
        run_chalice(src, stage, tmp_path / "terraform", "terraform")
        run_chalice(src, stage, tmp_path / "sam", "cloudformation")
        site = install_dependencies(project / "requirements.txt", project / "build" / "lambda-deps")

        tf_dir, sam_dir = out / "terraform", out / "sam"
        for d in (tf_dir, sam_dir):
            shutil.rmtree(d, ignore_errors=True)
            d.mkdir(parents=True)
        build_zip(tmp_path / "terraform" / "deployment.zip", site, tf_dir / "deployment.zip")
        shutil.copy2(tf_dir / "deployment.zip", sam_dir / "deployment.zip")

        raw_tf = json.loads((tmp_path / "terraform" / "chalice.tf.json").read_text())
        fixed = fix_terraform(raw_tf)
        # checkov's Terraform JSON parser fails on a `terraform` block (and then scans nothing).
        (tf_dir / "versions.tf").write_text(terraform_settings_hcl(fixed.pop("terraform")))
        _write_json(tf_dir / "chalice.tf.json", fixed)
        _write_json(tf_dir / "package.tf.json", package_interface(fixed))
        raw_sam = json.loads((tmp_path / "sam" / "sam.json").read_text())
        _write_json(sam_dir / "sam.json", fix_sam(raw_sam))


def link_env_root(project: Path, stage: str) -> Path | None:
    """Point infra/envs/<stage>/package at build/<stage>/terraform, where that env root exists."""
    root = project / "infra" / "envs" / stage
    if not root.is_dir():
        return None
    link = root / "package"
    if link.is_symlink():
        link.unlink()
    link.symlink_to(Path("..", "..", "..", "build", stage, "terraform"), target_is_directory=True)
    return link


def terraform_settings_hcl(settings: dict) -> str:
    providers = "".join(
        f"    {name} = {{\n      source  = {json.dumps(p['source'])}\n      version = {json.dumps(p['version'])}\n    }}\n"
        for name, p in settings["required_providers"].items()
    )
    return (
        "# Written by infra/chalice_package.py.\nterraform {\n"
        f"  required_version = {json.dumps(settings['required_version'])}\n\n"
        f"  required_providers {{\n{providers}  }}\n}}\n"
    )


def _write_json(path: Path, doc: dict) -> None:
    path.write_text(json.dumps(doc, indent=2, sort_keys=True) + "\n")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stage", required=True, help="Chalice stage (dev, staging, prod)")
    parser.add_argument("--project-dir", default=".", type=Path)
    parser.add_argument("--out", type=Path, help="default: <project>/build/<stage>, linked from infra/envs/<stage>/package")
    args = parser.parse_args(argv)
    out = args.out or args.project_dir / "build" / args.stage
    try:
        build(args.project_dir, args.stage, out)
    except PackageError as exc:
        print(f"chalice_package: {exc}", file=sys.stderr)
        return 1
    print(f"chalice_package: wrote {out}/terraform and {out}/sam")
    link = link_env_root(args.project_dir, args.stage) if args.out is None else None
    if link is not None:
        print(f"chalice_package: linked {link} -> {os.readlink(link)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
