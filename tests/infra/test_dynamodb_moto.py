"""Proof that infra and code agree: Terraform's dynamodb module, applied with infra/tables.json
against a moto server, builds exactly the tables the app's PynamoDB models declare, and the app's
data layer works against them (transactions, conditional writes, GSI queries).

Only the kms and dynamodb modules are applied: moto does not serve every API the other modules
call (e.g. states:ValidateStateMachineDefinition), and those are covered by terraform test.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from moto.server import ThreadedMotoServer
from pytest_terraform import terraform

REPO = Path(__file__).resolve().parents[2]
TABLE_PREFIX = "zebros-moto-"


@pytest.fixture(scope="module", autouse=True)
def moto_server():
    """A moto server on loopback, stopped when the module's tests are done."""
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    url = f"http://{host}:{port}"
    saved = {k: os.environ.get(k) for k in ("TF_VAR_aws_endpoint", "TF_VAR_name_prefix", "TF_CLI_ARGS_init")}
    os.environ["TF_VAR_aws_endpoint"] = url
    os.environ["TF_VAR_name_prefix"] = TABLE_PREFIX
    if os.environ.get("TF_PLUGIN_DIR"):  # offline: the init pytest-terraform runs uses the mirror
        os.environ["TF_CLI_ARGS_init"] = f"-plugin-dir={os.environ['TF_PLUGIN_DIR']}"
    yield url
    server.stop()
    for key, value in saved.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value


terraform("dynamodb_moto", scope="module")


@pytest.fixture(scope="module")
def probe(moto_server, dynamodb_moto) -> dict:
    env = dict(os.environ)
    env.update(
        TABLE_PREFIX=TABLE_PREFIX,
        DYNAMODB_ENDPOINT=moto_server,
        AWS_DEFAULT_REGION="us-east-1",
        AWS_ACCESS_KEY_ID="testing",
        AWS_SECRET_ACCESS_KEY="testing",
    )
    for name in ("AWS_LAMBDA_FUNCTION_NAME", "AWS_PROFILE"):
        env.pop(name, None)
    result = subprocess.run(
        [sys.executable, "-m", "tests.infra.data_layer_probe"],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_terraform_created_every_table_of_tables_json(dynamodb_moto):
    tables = json.loads((REPO / "infra" / "tables.json").read_text())
    assert dynamodb_moto.outputs["table_names"]["value"] == {name: TABLE_PREFIX + name for name in tables}


def test_live_tables_have_exactly_the_keys_indexes_ttl_and_streams_the_models_declare(probe):
    for logical_name, table in probe["tables"].items():
        assert table["model_sees_table"], logical_name
        assert table["live"] == table["declared"], logical_name


def test_tables_are_on_demand_encrypted_and_recoverable(probe):
    for logical_name, table in probe["tables"].items():
        assert table["protections"] == {"billing_mode": "PAY_PER_REQUEST", "sse": "KMS", "pitr": "ENABLED"}, logical_name


def test_app_data_layer_runs_against_the_terraform_tables(probe):
    assert probe["flows"] == [
        "a pending sign-up is found by its token's hash (by_token_hash GSI)",
        "organization, owner and login written, the sign-up spent, in one transaction",
        "a second confirmation of the same sign-up is a Conflict",
        "memberships list the organization's users; their account_memberships GSI a login's organizations",
        "session rotation is a conditional write",
        "sessions.user_sessions GSI finds every session of a user",
    ]
