"""The prod root plans end to end: composed modules, prod's tfvars, its generated package.

`terraform plan` runs against a moto server (AWS_ENDPOINT_URL) that serves the few reads a plan
makes (caller identity, the Route 53 zone); nothing is created. This proves the composition has no
cycles and that prod's values pass every validation, and it writes prod's resource inventory to
build/inventory-prod.json.
"""
from __future__ import annotations

import collections
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import boto3
import pytest
from moto.server import ThreadedMotoServer

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "infra"))

import chalice_package as cp  # noqa: E402

pytestmark = pytest.mark.skipif(shutil.which("terraform") is None, reason="terraform is not on PATH")


def _root_copy(tmp: Path, package: Path) -> Path:
    """infra/envs/prod in a scratch tree with the same relative paths, and a local backend."""
    (tmp / "infra" / "envs").mkdir(parents=True)
    (tmp / "chalicelib").symlink_to(REPO / "chalicelib")
    (tmp / "infra" / "modules").symlink_to(REPO / "infra" / "modules")
    (tmp / "infra" / "tables.json").symlink_to(REPO / "infra" / "tables.json")
    root = tmp / "infra" / "envs" / "prod"
    root.mkdir()
    for f in (REPO / "infra" / "envs" / "prod").iterdir():
        if f.is_file() and f.suffix in (".tf", ".tfvars"):
            shutil.copyfile(f, root / f.name)  # dereferences the shared-root symlinks
    (root / "package").symlink_to(package)
    (root / "backend_override.tf").write_text('terraform {\n  backend "local" {}\n}\n')
    return root


@pytest.fixture(scope="module")
def prod_plan(tmp_path_factory) -> dict:
    tmp = tmp_path_factory.mktemp("prod-plan")
    cp.build(REPO, "prod", tmp / "build", authorizer_ttl=300)
    root = _root_copy(tmp / "tree", tmp / "build" / "terraform")

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    try:
        host, port = server.get_host_and_port()
        url = f"http://{host}:{port}"
        creds = dict(aws_access_key_id="testing", aws_secret_access_key="testing", region_name="us-east-1")
        boto3.client("route53", endpoint_url=url, **creds).create_hosted_zone(Name="zebroscrm.com", CallerReference="plan")
        env = dict(os.environ, AWS_ENDPOINT_URL=url, AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing",
                   AWS_DEFAULT_REGION="us-east-1", TF_IN_AUTOMATION="1", TF_DATA_DIR=str(tmp / "tfdata"))  # fmt: skip
        for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN"):
            env.pop(name, None)
        plugin_dir = os.environ.get("TF_PLUGIN_DIR")
        commands = [
            ["init", "-input=false", "-no-color"] + ([f"-plugin-dir={plugin_dir}"] if plugin_dir else []),
            ["plan", "-input=false", "-no-color", "-out=tfplan"],
        ]
        for args in commands:
            result = subprocess.run(["terraform", *args], cwd=root, env=env, capture_output=True, text=True, timeout=600)
            assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]
        shown = subprocess.run(["terraform", "show", "-json", "tfplan"], cwd=root, env=env,
                               capture_output=True, text=True, timeout=120, check=True)  # fmt: skip
        return json.loads(shown.stdout)
    finally:
        server.stop()


@pytest.fixture(scope="module")
def inventory(prod_plan) -> dict[str, int]:
    creates = [r for r in prod_plan["resource_changes"] if r["mode"] == "managed"]
    assert all(r["change"]["actions"] == ["create"] for r in creates)
    counts = dict(sorted(collections.Counter(r["type"] for r in creates).items()))
    (REPO / "build").mkdir(exist_ok=True)
    (REPO / "build" / "inventory-prod.json").write_text(json.dumps({"total": sum(counts.values()), "by_type": counts}, indent=2) + "\n")
    return counts


def planned(prod_plan, rtype: str) -> list[dict]:
    return [r["change"]["after"] for r in prod_plan["resource_changes"] if r["type"] == rtype and r["mode"] == "managed"]


def test_prod_builds_every_table_with_deletion_protection(prod_plan, inventory):
    tables = json.loads((REPO / "infra" / "tables.json").read_text())
    assert inventory["aws_dynamodb_table"] == len(tables)
    assert all(t["deletion_protection_enabled"] and t["name"].startswith("zebros-prod-") for t in planned(prod_plan, "aws_dynamodb_table"))


def test_prod_has_one_traced_stage_behind_waf_with_usage_plans(prod_plan, inventory):
    assert inventory["aws_api_gateway_stage"] == 1
    stage = planned(prod_plan, "aws_api_gateway_stage")[0]
    assert stage["stage_name"] == "api" and stage["xray_tracing_enabled"]
    assert planned(prod_plan, "aws_api_gateway_rest_api")[0]["name"] == "zebros-prod"
    assert inventory["aws_wafv2_web_acl_association"] == 1
    assert inventory["aws_api_gateway_usage_plan"] == 2
    assert inventory["aws_api_gateway_usage_plan_key"] == inventory["aws_api_gateway_api_key"]


def test_prod_functions_run_python_3_12_and_each_has_an_alarm_pair(prod_plan, inventory):
    functions = planned(prod_plan, "aws_lambda_function")
    assert {f["runtime"] for f in functions} == {"python3.12"}
    assert {(f["memory_size"], f["timeout"]) for f in functions} <= {(128, 3), (1024, 15)}
    assert {(f["memory_size"], f["timeout"]) for f in functions if f["function_name"] == "zebros-prod"} == {(128, 3)}
    assert inventory["aws_cloudwatch_metric_alarm"] == 2 + 2 * len(functions) + inventory["aws_dynamodb_table"]


def test_prod_dashboard_charts_every_business_event_the_code_counts(prod_plan):
    counted = set()
    for source in (REPO / "chalicelib").rglob("*.py"):
        counted.update(re.findall(r'(?:^|[^.\w])count\(\s*"([A-Za-z0-9_]+)"', source.read_text()))
    assert counted, "expected observability count(...) calls in chalicelib"
    body = json.loads(planned(prod_plan, "aws_cloudwatch_dashboard")[0]["dashboard_body"])
    business = next(w for w in body["widgets"] if w["properties"]["title"].startswith("Business events"))
    assert {m[1] for m in business["properties"]["metrics"]} == counted
