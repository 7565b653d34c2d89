"""The prod root plans end to end: composed modules, prod's tfvars, its generated package.

`terraform plan` runs against a moto server (AWS_ENDPOINT_URL) that serves the few reads a plan
makes (caller identity, the Route 53 zone); nothing is created (tests/infra/env_plans.py). This
proves the composition has no cycles and that prod's values pass every validation, and it writes
prod's resource inventory to build/inventory-prod.json.
"""
from __future__ import annotations

import collections
import json
import re
from pathlib import Path

import pytest

from tests.infra.env_plans import planned

import chalice_package as cp  # noqa: E402  (infra/, on the path since env_plans)

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def prod_plan(env_plan) -> dict:
    return env_plan("prod")


@pytest.fixture(scope="module")
def inventory(prod_plan) -> dict[str, int]:
    creates = [r for r in prod_plan["resource_changes"] if r["mode"] == "managed"]
    assert all(r["change"]["actions"] == ["create"] for r in creates)
    counts = dict(sorted(collections.Counter(r["type"] for r in creates).items()))
    (REPO / "build").mkdir(exist_ok=True)
    (REPO / "build" / "inventory-prod.json").write_text(json.dumps({"total": sum(counts.values()), "by_type": counts}, indent=2) + "\n")
    return counts


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
    assert sorted(plan["name"] for plan in planned(prod_plan, "aws_api_gateway_usage_plan")) == [
        "zebros-prod-basic", "zebros-prod-custom", "zebros-prod-premium"]
    assert inventory["aws_api_gateway_usage_plan_key"] == inventory["aws_api_gateway_api_key"]


def test_prod_functions_run_python_3_12_and_each_has_an_alarm_pair(prod_plan, inventory):
    functions = planned(prod_plan, "aws_lambda_function")
    assert {f["runtime"] for f in functions} == {"python3.12"}
    sizes = {(128, 3), (1024, 15)} | {(size["memory_size"], size["timeout"]) for size in cp.TASK_SIZING.values()}
    assert {(f["memory_size"], f["timeout"]) for f in functions} <= sizes
    assert {(f["memory_size"], f["timeout"]) for f in functions if f["function_name"] == "zebros-prod"} == {(128, 3)}
    # Plus, for the event stream: each consumer's iterator age and the dead-letter queue.
    stream_consumers = len(planned(prod_plan, "aws_lambda_event_source_mapping"))
    assert stream_consumers == 1
    state_machines = inventory["aws_sfn_state_machine"]  # failed and timed-out executions of each
    assert inventory["aws_cloudwatch_metric_alarm"] == (
        2 + 2 * len(functions) + inventory["aws_dynamodb_table"] + stream_consumers + 1 + 2 * state_machines)


def in_module(plan: dict, module: str, kind: str) -> list[dict]:
    """The planned resources of one kind in one module call of the env root."""
    return [r["change"]["after"] for r in plan["resource_changes"] if r["type"] == kind and r["address"].startswith(f"module.{module}.")]


def test_prod_runs_the_export_machine_on_its_data_functions_and_keeps_files_private(prod_plan):
    (machine,) = [r for r in prod_plan["resource_changes"]
                  if r["type"] == "aws_sfn_state_machine" and r["change"]["after"]["name"] == "zebros-prod-export"]  # fmt: skip
    # Rendered with the functions' ARNs, known at apply; templatefile() fails the plan when the ASL
    # names a `${function}` the root gives no ARN for, so planning at all proves every Task has one.
    assert machine["change"]["after_unknown"]["definition"]
    asl = (REPO / "infra" / "state-machines" / "export.asl.json").read_text()
    names = set(re.findall(r"\$\{([A-Za-z0-9_]+)\}", asl))
    assert names == {"export_count", "export_chunk", "export_finish", "job_failed"}
    functions = {f["function_name"]: f for f in planned(prod_plan, "aws_lambda_function")}
    assert all((functions[f"zebros-prod-{name}"]["memory_size"], functions[f"zebros-prod-{name}"]["timeout"]) == (1024, 15)
               for name in names)  # fmt: skip
    (bucket,) = in_module(prod_plan, "exports_bucket", "aws_s3_bucket")
    assert bucket["bucket"].startswith("zebros-prod-exports-")
    (block,) = in_module(prod_plan, "exports_bucket", "aws_s3_bucket_public_access_block")
    assert all(block[flag] for flag in ("block_public_acls", "block_public_policy", "ignore_public_acls", "restrict_public_buckets"))
    (encryption,) = in_module(prod_plan, "exports_bucket", "aws_s3_bucket_server_side_encryption_configuration")
    assert encryption["rule"][0]["apply_server_side_encryption_by_default"][0]["sse_algorithm"] == "aws:kms"
    (lifecycle,) = in_module(prod_plan, "exports_bucket", "aws_s3_bucket_lifecycle_configuration")
    assert lifecycle["rule"][0]["expiration"][0]["days"] == 7
    # Object access for the functions granted `exports` only: the API reads, the tasks write.
    grants = [p for p in prod_plan["resource_changes"] if p["address"].startswith("module.exports_bucket.aws_iam_role_policy.")]
    assert sorted(p["index"] for p in grants) == ["api_handler", "export_chunk", "export_count", "export_finish",
                                                  "report_aggregate", "report_finish"]  # fmt: skip
    alarms = {a["alarm_name"] for a in planned(prod_plan, "aws_cloudwatch_metric_alarm")}
    assert {"zebros-prod-states-export-failed", "zebros-prod-states-export-timedout"} <= alarms


def test_prod_runs_story_generation_offline_with_no_bedrock_or_polly_grant(prod_plan):
    machines = {r["change"]["after"]["name"] for r in prod_plan["resource_changes"] if r["type"] == "aws_sfn_state_machine"}
    assert {"zebros-prod-story_text", "zebros-prod-story_image", "zebros-prod-story_audio"} <= machines
    functions = {f["function_name"]: f for f in planned(prod_plan, "aws_lambda_function")}
    sized = {name: (functions[f"zebros-prod-{name}"]["memory_size"], functions[f"zebros-prod-{name}"]["timeout"])
             for name in ("story_write_text", "story_draw_image", "story_narrate", "story_give_back")}  # fmt: skip
    assert sized == {"story_write_text": (512, 120), "story_draw_image": (1024, 120), "story_narrate": (512, 60),
                     "story_give_back": (1024, 15)}  # fmt: skip
    assert all(f["environment"][0]["variables"]["STORY_GENERATOR"] == "offline" for f in functions.values()
               if f["function_name"].startswith("zebros-prod-story_"))  # fmt: skip
    # Off by default: no policy of the root names Bedrock or Polly.
    assert in_module(prod_plan, "story_generation", "aws_iam_role_policy") == []
    policies = [r["change"]["after"].get("policy") or "" for r in prod_plan["resource_changes"] if r["type"] == "aws_iam_role_policy"]
    assert not any("bedrock:" in policy or "polly:" in policy for policy in policies)


def test_prod_dashboard_charts_every_business_event_the_code_counts(prod_plan):
    counted = set()
    for source in (REPO / "chalicelib").rglob("*.py"):
        counted.update(re.findall(r'(?:^|[^.\w])count\(\s*"([A-Za-z0-9_]+)"', source.read_text()))
    assert counted, "expected observability count(...) calls in chalicelib"
    body = json.loads(planned(prod_plan, "aws_cloudwatch_dashboard")[0]["dashboard_body"])
    business = next(w for w in body["widgets"] if w["properties"]["title"].startswith("Business events"))
    assert {m[1] for m in business["properties"]["metrics"]} == counted


def test_prod_alarms_reach_someone(prod_plan):
    subscriptions = planned(prod_plan, "aws_sns_topic_subscription")
    assert subscriptions and all(s["endpoint"] for s in subscriptions)


def test_prod_does_not_plan_with_alarms_that_notify_no_one(env_root, prod_plan):
    refused = env_root("prod").plan("-var", "alarm_subscriptions=[]")
    assert refused.returncode != 0
    assert "prod needs at least one alarm subscription" in refused.stderr, refused.stderr[-2000:]


def test_prod_api_sends_mail_through_ses_from_its_own_domain(prod_plan):
    (handler,) = [f for f in planned(prod_plan, "aws_lambda_function") if f["function_name"] == "zebros-prod"]
    variables = handler["environment"][0]["variables"]
    assert variables["NOTIFIER"] == "ses"
    assert variables["NOTIFIER_FROM_ADDRESS"].endswith("@zebroscrm.com")


def test_prod_api_compresses_over_1_kb_and_allows_prods_origins(prod_plan):
    (api,) = planned(prod_plan, "aws_api_gateway_rest_api")
    assert str(api["minimum_compression_size"]) == "1024"
    (handler,) = [f for f in planned(prod_plan, "aws_lambda_function") if f["function_name"] == "zebros-prod"]
    assert handler["environment"][0]["variables"]["CORS_ALLOWED_ORIGINS"] == "https://app.zebroscrm.com"
    # The API body (with the preflight's origins) is known only at apply, after the functions'
    # ARNs: test_chalice_package.py renders its template; here, the same list feeds it.
    package = prod_plan["configuration"]["root_module"]["module_calls"]["package"]["expressions"]
    assert "var.cors_allowed_origins" in package["cors_allowed_origins"]["references"]
    assert prod_plan["variables"]["cors_allowed_origins"]["value"] == ["https://app.zebroscrm.com"]


def test_prod_files_bucket_is_private_encrypted_and_open_to_prods_web_client_only(prod_plan):
    def files_bucket(kind: str) -> list[dict]:
        return in_module(prod_plan, "files_bucket", kind)

    (bucket,) = files_bucket("aws_s3_bucket")
    assert re.fullmatch(r"zebros-prod-files-\d{12}", bucket["bucket"])
    (handler,) = [f for f in planned(prod_plan, "aws_lambda_function") if f["function_name"] == "zebros-prod"]
    assert handler["environment"][0]["variables"]["FILES_BUCKET"] == bucket["bucket"]
    (block,) = files_bucket("aws_s3_bucket_public_access_block")
    assert all(block[name] for name in ("block_public_acls", "block_public_policy", "ignore_public_acls", "restrict_public_buckets"))
    (encryption,) = files_bucket("aws_s3_bucket_server_side_encryption_configuration")
    assert encryption["rule"][0]["apply_server_side_encryption_by_default"][0]["sse_algorithm"] == "aws:kms"
    (cors,) = files_bucket("aws_s3_bucket_cors_configuration")
    assert [rule["allowed_origins"] for rule in cors["cors_rule"]] == [["https://app.zebroscrm.com"]]
    # Only the API (sign uploads and downloads), the events consumer (delete objects) and the
    # generation tasks that store pictures and recordings reach it.
    grants = [p for p in prod_plan["resource_changes"] if p["address"].startswith("module.files_bucket.aws_iam_role_policy.")]
    assert sorted(p["index"] for p in grants) == ["api_handler", "deliver_events", "story_draw_image", "story_narrate"]
