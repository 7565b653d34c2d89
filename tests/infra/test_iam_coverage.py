"""Every AWS call each Lambda function makes is allowed by the IAM policy prod gives that function.

What is evaluated:

* the calls, as recorded by tests/aws_calls.py: always a fresh run of tests/infra/iam_scenario.py
  (every route, in a prod-like Lambda environment, so Secrets Manager and SES are called), plus
  whatever the app test session of the same `make test` recorded in build/aws-calls/;
* what AWS checks beyond the app's own calls: the Lambda service writes each invoked function's
  logs (CreateLogStream, PutLogEvents on its log group) and, with active tracing, its traces, with
  the function's role; for a function behind a DynamoDB stream mapping it reads the stream
  (DescribeStream, GetShardIterator, GetRecords, ListStreams, decrypting under the table's key)
  and sends failed batches to the mapping's on-failure queue (SendMessage, and the queue's key
  through SQS), with that role too; DynamoDB decrypts a table under a customer managed key with the caller's
  permission (kms:Decrypt with kms:ViaService = dynamodb.<region>.amazonaws.com), and S3 uses a
  bucket's key the same way (kms:GenerateDataKey to store an object, kms:Decrypt to read one). A
  presigned upload or download is the signer's PutObject or GetObject (tests/aws_calls.py).

Against what: the plan leaves the policies unknown (table, secret and key ARNs are computed at
apply; the account id comes from STS), and substituting placeholders into a re-derivation of the
documents would test a copy of the Terraform, not the Terraform. So the prod plan's IAM policies,
with everything they reference (roles, functions, tables, keys, the secret), are applied into the
moto server the plan ran against, and the check reads back from that "account" what AWS would
hold: each function's role, its inline and attached policies, the table and secret ARNs, the
tables' encryption keys. Recorded resources are mapped to prod by name (table prefix zebros-prod-,
prod's secret id, the applied account and region).

How: moto's IAM policy evaluator (moto.iam.access_control.IAMPolicy) over the role's identity
policies: allowed when a statement allows and none denies. Resource policies are not evaluated:
the moto evaluator does not implement their Principal handling or ArnNotEquals (the signing key's
secret policy denies every principal but its readers; the data key's policy delegates to IAM).
"""
from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

import boto3
import pytest
from botocore.exceptions import ClientError
from moto.iam.access_control import IAMPolicy, PermissionResult

from tests import aws_calls
from tests.infra.env_plans import CREDENTIALS

REPO = Path(__file__).resolve().parents[2]
APPLIED_TYPES = ("aws_iam_role_policy", "aws_iam_role_policy_attachment")
# Applied beside the policies: what decides the key S3 uses for an object, checked with the caller's role.
BUCKET_ENCRYPTION = "aws_s3_bucket_server_side_encryption_configuration"
# S3 uses the bucket's key with the caller's permission: a data key to store, decryption to read.
BUCKET_KEY_ACTIONS = {"s3:PutObject": "kms:GenerateDataKey", "s3:GetObject": "kms:Decrypt"}
SCENARIO_TIMEOUT_SECONDS = 300


@dataclass(frozen=True)
class Requirement:
    function: str
    action: str
    resource: str
    call: str
    context: tuple[tuple[str, str], ...] = ()


@pytest.fixture(scope="module")
def scenario(tmp_path_factory) -> dict[str, Any]:
    tmp = tmp_path_factory.mktemp("iam-scenario")
    completed = subprocess.run(
        [sys.executable, "-m", "tests.infra.iam_scenario", str(tmp / "calls.jsonl"), str(tmp / "result.json")],
        cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, timeout=SCENARIO_TIMEOUT_SECONDS,
    )  # fmt: skip
    assert completed.returncode == 0, completed.stderr[-4000:]
    return {"recording": tmp / "calls.jsonl", **json.loads((tmp / "result.json").read_text())}


@pytest.fixture(scope="module")
def recorded(scenario) -> tuple[dict[str, int], list[dict[str, Any]]]:
    suite = sorted(aws_calls.RECORDING_DIR.glob("*.jsonl"))
    return aws_calls.read([scenario["recording"], *suite])


@pytest.fixture(scope="module")
def prod_account(env_root, env_plan) -> Iterator["ProdAccount"]:
    """The plan's function policies (and all they reference) applied into prod's moto account."""
    plan = env_plan("prod")
    function_roles = {
        r["change"]["after"]["name"]
        for r in plan["resource_changes"]
        if r["type"] == "aws_iam_role" and r["module_address"] == "module.package"
    }
    targets = [
        r["address"]
        for r in plan["resource_changes"]
        if r["mode"] == "managed" and r["type"] in APPLIED_TYPES
        and (r["change"]["after"].get("role") in function_roles or "role" in r["change"]["after_unknown"])
    ]  # fmt: skip
    assert targets, "the prod plan gives the functions no IAM policy at all"
    targets += [r["address"] for r in plan["resource_changes"] if r["type"] == BUCKET_ENCRYPTION]
    # The mappings, to read back what Lambda reads and writes for the function (runtime_requirements).
    targets += [
        r["address"] for r in plan["resource_changes"]
        if r["type"] == "aws_lambda_event_source_mapping" and r["module_address"] == "module.package"
    ]  # fmt: skip
    functions = {
        r["address"].rsplit(".", 1)[1]: r["change"]["after"]["function_name"]
        for r in plan["resource_changes"]
        if r["type"] == "aws_lambda_function" and r["module_address"] == "module.package"
    }
    prod = env_root("prod")
    with prod.account() as endpoint:
        prod.apply(*[f"-target={t}" for t in targets], endpoint=endpoint)
        try:
            yield ProdAccount(endpoint, functions)
        finally:
            # The state describes an account that is gone with the server; later plans start clean.
            (prod.root / "terraform.tfstate").unlink(missing_ok=True)


class ProdAccount:
    def __init__(self, endpoint: str, functions: dict[str, str]) -> None:
        self.endpoint = endpoint
        self.functions = functions  # Chalice name -> Lambda function name
        self.account = self.client("sts").get_caller_identity()["Account"]
        self.region = "us-east-1"
        self.prefix = "zebros-prod-"
        self.secret_ids = {
            json.loads((REPO / ".chalice" / "config.json").read_text())["stages"]["prod"]["environment_variables"]["SIGNING_KEY_SECRET_ID"]
        }
        self._policies: dict[str, list[str]] = {}

    def client(self, service: str) -> Any:
        return boto3.client(service, endpoint_url=self.endpoint, **CREDENTIALS)

    def lambda_config(self, function: str) -> dict[str, Any]:
        return self.client("lambda").get_function(FunctionName=self.functions[function])["Configuration"]

    def policies(self, function: str) -> list[str]:
        """The identity policies of the function's role, as IAM holds them."""
        if function not in self._policies:
            iam = self.client("iam")
            role = self.lambda_config(function)["Role"].rsplit("/", 1)[1]
            documents = [
                json.dumps(iam.get_role_policy(RoleName=role, PolicyName=name)["PolicyDocument"])
                for name in iam.list_role_policies(RoleName=role)["PolicyNames"]
            ]
            for attached in iam.list_attached_role_policies(RoleName=role)["AttachedPolicies"]:
                policy = iam.get_policy(PolicyArn=attached["PolicyArn"])["Policy"]
                version = iam.get_policy_version(PolicyArn=policy["Arn"], VersionId=policy["DefaultVersionId"])
                documents.append(json.dumps(version["PolicyVersion"]["Document"]))
            self._policies[function] = documents
        return self._policies[function]

    def requirements(self, function: str, row: dict[str, Any]) -> list[Requirement]:
        """The recorded requirement with prod's ARNs, plus what the service checks on its behalf."""
        resource, action, call = row["resource"], row["action"], row["call"]
        if resource is None:
            raise LookupError(f"{call}: tests/aws_calls.py does not know which resource this call touches")
        if "table" in resource:
            table = self.client("dynamodb").describe_table(TableName=self.prefix + resource["table"])["Table"]
            arn = table["TableArn"] + (f"/index/{resource['index']}" if "index" in resource else "")
            found = [Requirement(function, action, arn, call)]
            key = table.get("SSEDescription", {}).get("KMSMasterKeyArn")
            if key:
                via = (("kms:ViaService", f"dynamodb.{self.region}.amazonaws.com"),)
                found.append(Requirement(function, "kms:Decrypt", key, f"{call} (table key)", via))
            return found
        if "secret" in resource:
            if resource["secret"] not in self.secret_ids:
                raise LookupError(f"{call}: secret {resource['secret']} is not prod's")
            arn = self.client("secretsmanager").describe_secret(SecretId=resource["secret"])["ARN"]
            return [Requirement(function, action, arn, call)]
        if "ses_sender" in resource:
            # SES authorizes the verified identity that covers the sender: the address or its domain.
            domain = resource["ses_sender"].rsplit("@", 1)[1]
            return [Requirement(function, action, f"arn:aws:ses:{self.region}:{self.account}:identity/{domain}", call)]
        if "event_bus" in resource:
            arn = self.client("events").describe_event_bus(Name=resource["event_bus"])["Arn"]
            return [Requirement(function, action, arn, call)]
        # A machine is "<environment prefix><name>": prod's, whichever environment recorded it.
        if "state_machine" in resource:
            machine = f"{self.prefix}{resource['state_machine'].split('-', 2)[-1]}"
            return [Requirement(function, action, f"arn:aws:states:{self.region}:{self.account}:stateMachine:{machine}", call)]
        if "execution" in resource:
            machine, execution = resource["execution"].split(":", 1)
            arn = f"arn:aws:states:{self.region}:{self.account}:execution:{self.prefix}{machine.split('-', 2)[-1]}:{execution}"
            return [Requirement(function, action, arn, call)]
        if "bucket" in resource:
            # Named by the function's environment (FILES_BUCKET), as the app names it.
            name = self.lambda_config(function)["Environment"]["Variables"][resource["bucket"]]
            found = [Requirement(function, action, f"arn:aws:s3:::{name}/{resource['key']}", call)]
            rules = self.client("s3").get_bucket_encryption(Bucket=name)["ServerSideEncryptionConfiguration"]["Rules"]
            key = rules[0]["ApplyServerSideEncryptionByDefault"].get("KMSMasterKeyID")
            if key and action in BUCKET_KEY_ACTIONS:
                via = (("kms:ViaService", f"s3.{self.region}.amazonaws.com"),)
                found.append(Requirement(function, BUCKET_KEY_ACTIONS[action], key, f"{call} (bucket key)", via))
            return found
        # infra/envs/common: module.report_schedules names its group and role after local.name.
        if "report_schedule" in resource:
            group = f"{self.prefix}reports"
            return [Requirement(function, action, f"arn:aws:scheduler:{self.region}:{self.account}:schedule/{group}/{resource['report_schedule']}", call)]
        if "report_scheduler_role" in resource:
            passed_to = (("iam:PassedToService", "scheduler.amazonaws.com"),)
            return [Requirement(function, action, f"arn:aws:iam::{self.account}:role/{self.prefix}report-scheduler", call, passed_to)]
        if "apigateway_path" in resource:
            # A concrete path: ids as API Gateway mints them (ten lower-case letters and digits).
            path = resource["apigateway_path"].replace("*", "a1b2c3d4e5")
            return [Requirement(function, action, f"arn:aws:apigateway:{self.region}::{path}", call)]
        if "websocket_connections" in resource:
            (api,) = [a for a in self.client("apigatewayv2").get_apis()["Items"] if a["ProtocolType"] == "WEBSOCKET"]
            arn = f"arn:aws:execute-api:{self.region}:{self.account}:{api['ApiId']}/api/{resource['websocket_connections']}"
            return [Requirement(function, action, f"{arn}/@connections/connection-id", call)]
        raise LookupError(f"{call}: no prod resource for {resource}")

    def runtime_requirements(self, function: str) -> list[Requirement]:
        """What Lambda does with the function's role on every invocation: its logs, its traces."""
        config = self.lambda_config(function)
        group = f"arn:aws:logs:{self.region}:{self.account}:log-group:/aws/lambda/{config['FunctionName']}"
        found = [
            Requirement(function, "logs:CreateLogStream", group, "Lambda runtime"),
            Requirement(function, "logs:PutLogEvents", f"{group}:log-stream:2026/01/01/[$LATEST]0123456789abcdef", "Lambda runtime"),
        ]
        if config.get("TracingConfig", {}).get("Mode") == "Active":
            found += [Requirement(function, a, "*", "Lambda runtime") for a in ("xray:PutTraceSegments", "xray:PutTelemetryRecords")]
        mappings = self.client("lambda").list_event_source_mappings(FunctionName=config["FunctionArn"])["EventSourceMappings"]
        for mapping in mappings:
            found += self._mapping_requirements(function, mapping)
        return found

    def _mapping_requirements(self, function: str, mapping: dict[str, Any]) -> list[Requirement]:
        found = []
        source = mapping["EventSourceArn"]
        if ":dynamodb:" in source:
            call = "Lambda event source mapping"
            found += [Requirement(function, f"dynamodb:{a}", source, call)
                      for a in ("DescribeStream", "GetShardIterator", "GetRecords", "ListStreams")]  # fmt: skip
            table = self.client("dynamodb").describe_table(TableName=source.split("/")[1])["Table"]
            key = table.get("SSEDescription", {}).get("KMSMasterKeyArn")
            if key:
                via = (("kms:ViaService", f"dynamodb.{self.region}.amazonaws.com"),)
                found.append(Requirement(function, "kms:Decrypt", key, f"{call} (table key)", via))
        destination = (mapping.get("DestinationConfig") or {}).get("OnFailure", {}).get("Destination")
        if destination and ":sqs:" in destination:
            call = "Lambda on-failure destination"
            found.append(Requirement(function, "sqs:SendMessage", destination, call))
            sqs = self.client("sqs")
            url = sqs.get_queue_url(QueueName=destination.rsplit(":", 1)[1])["QueueUrl"]
            key = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["KmsMasterKeyId"])["Attributes"].get("KmsMasterKeyId")
            if key:
                via = (("kms:ViaService", f"sqs.{self.region}.amazonaws.com"),)
                found += [Requirement(function, a, key, f"{call} (queue key)", via) for a in ("kms:GenerateDataKey", "kms:Decrypt")]
        return found

    def allows(self, requirement: Requirement) -> bool:
        results = []
        for document in self.policies(requirement.function):
            parsed = json.loads(document)
            statements = parsed["Statement"] if isinstance(parsed["Statement"], list) else [parsed["Statement"]]
            for statement in statements:
                single = json.dumps({"Version": parsed.get("Version", "2012-10-17"), "Statement": [statement]})
                result = IAMPolicy(single).is_action_permitted(
                    requirement.action, requirement.resource, incoming_condition_values=dict(requirement.context))
                # moto answers DENIED when an Allow's condition does not match (another key's
                # kms:ViaService); IAM just does not apply that statement.
                if statement["Effect"] == "Allow" and result == PermissionResult.DENIED:
                    result = PermissionResult.NEUTRAL
                results.append(result)
        return PermissionResult.PERMITTED in results and PermissionResult.DENIED not in results


def test_the_recording_reaches_every_route_and_every_function(scenario, recorded, prod_account):
    invoked, rows = recorded
    assert not scenario["failures"], scenario["failures"]
    assert not scenario["unexercised_routes"], scenario["unexercised_routes"]
    assert rows, "no AWS call was recorded: the check would have nothing to evaluate"
    assert set(invoked) == set(prod_account.functions), (
        f"functions invoked {sorted(invoked)} vs packaged {sorted(prod_account.functions)}: "
        "tests/aws_calls.py must attribute calls to every packaged function"
    )


def test_every_recorded_call_is_allowed_by_the_functions_prod_policy(recorded, prod_account):
    invoked, rows = recorded
    requirements: set[Requirement] = set()
    problems: list[str] = []
    for function in invoked:
        requirements.update(prod_account.runtime_requirements(function))
    for row in rows:
        if row["function"] not in prod_account.functions:
            problems.append(f"{row['function']}: not a function of the prod package ({row['call']})")
            continue
        try:
            requirements.update(prod_account.requirements(row["function"], row))
        except LookupError as missing:
            problems.append(f"{row['function']}: {missing}")
        except ClientError as error:
            problems.append(f"{row['function']}: {row['call']} on {row['resource']}, which prod does not have ({error})")
    denied = sorted(
        f"{r.function}: {r.action} on {r.resource} ({r.call})" for r in requirements if not prod_account.allows(r)
    )
    assert not problems + denied, "not allowed in prod:\n" + "\n".join(problems + denied)


def test_the_stream_consumers_mapping_is_applied_so_its_reads_and_dead_letters_are_checked(prod_account):
    function_arn = prod_account.lambda_config("deliver_events")["FunctionArn"]
    mappings = prod_account.client("lambda").list_event_source_mappings(FunctionName=function_arn)["EventSourceMappings"]
    assert [m["EventSourceArn"].split("/")[1] for m in mappings] == ["zebros-prod-audit_logs"]
    assert mappings[0]["DestinationConfig"]["OnFailure"]["Destination"].startswith("arn:aws:sqs:")
    assert prod_account.runtime_requirements("deliver_events")[-1].call == "Lambda on-failure destination (queue key)"
