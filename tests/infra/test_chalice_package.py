"""infra/chalice_package.py: each known defect of chalice 1.34.0's output, fixed and tested."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
FIXTURES = Path(__file__).parent / "fixtures"
sys.path.insert(0, str(REPO / "infra"))

import chalice_package as cp  # noqa: E402

RAW_TF = json.loads((FIXTURES / "chalice-1.34.0.tf.json").read_text())
RAW_SAM = json.loads((FIXTURES / "chalice-1.34.0.sam.json").read_text())


@pytest.fixture
def fixed() -> dict:
    return cp.fix_terraform(RAW_TF)


def functions(doc: dict) -> dict:
    return doc["resource"]["aws_lambda_function"]


def test_every_function_runs_python_3_12(fixed):
    assert {f["runtime"] for f in functions(RAW_TF).values()} == {"python3.11"}, "fixture changed"
    assert {f["runtime"] for f in functions(fixed).values()} == {"python3.12"}


@pytest.mark.parametrize(
    ("function", "memory", "timeout"),
    [
        ("api_handler", 128, 3),
        ("jwt_authorizer", 128, 3),
        ("websocket_message", 128, 3),
        ("on_stream", 1024, 15),
        ("hourly", 1024, 15),
    ],
)
def test_api_functions_are_small_and_data_functions_large(fixed, function, memory, timeout):
    assert functions(fixed)[function]["memory_size"] == memory
    assert functions(fixed)[function]["timeout"] == timeout


@pytest.mark.parametrize("task", sorted(cp.TASK_SIZING))
def test_generation_tasks_get_the_time_their_work_takes_in_terraform_and_sam(task):
    """A task named as the app names it (the fixture's data function, renamed) gets its sizing."""
    raw_tf = json.loads(json.dumps(RAW_TF))
    functions(raw_tf)[task] = {**functions(raw_tf)["hourly"], "function_name": f"zebros-dev-{task}"}
    fixed_task = functions(cp.fix_terraform(raw_tf))[task]
    assert {"memory_size": fixed_task["memory_size"], "timeout": fixed_task["timeout"]} == cp.TASK_SIZING[task]
    raw_sam = json.loads(json.dumps(RAW_SAM))
    logical_id = "".join(word.capitalize() for word in task.split("_"))
    raw_sam["Resources"][logical_id] = raw_sam["Resources"]["Hourly"]
    properties = cp.fix_sam(raw_sam)["Resources"][logical_id]["Properties"]
    assert {"memory_size": properties["MemorySize"], "timeout": properties["Timeout"]} == cp.TASK_SIZING[task]


def test_terraform_and_provider_pins_allow_current_versions(fixed):
    assert RAW_TF["terraform"]["required_version"].endswith("< 1.4.0"), "fixture changed"
    assert fixed["terraform"] == {
        "required_version": ">= 1.7",
        "required_providers": {"aws": {"source": "hashicorp/aws", "version": ">= 5.100, < 6.0"}},
    }


def test_null_provider_is_not_needed(fixed):
    assert "null_data_source" in RAW_TF["data"], "fixture changed"
    assert "null_data_source" not in fixed["data"]
    assert "null" not in json.dumps(fixed["terraform"])


def test_rest_api_is_named_per_stage_so_metrics_do_not_mix(fixed):
    assert RAW_TF["resource"]["aws_api_gateway_rest_api"]["rest_api"]["name"] == "zebros", "fixture changed"
    assert fixed["resource"]["aws_api_gateway_rest_api"]["rest_api"]["name"] == "zebros-dev"


def test_deployment_makes_no_implicit_stage_and_redeploys_on_body_change(fixed):
    deployment = fixed["resource"]["aws_api_gateway_deployment"]["rest_api"]
    assert "stage_name" not in deployment and "stage_description" not in deployment
    assert deployment["triggers"] == {"api_body": "${sha1(local.api_body)}"}
    assert deployment["lifecycle"] == {"create_before_destroy": True}


def test_gateway_responses_are_part_of_the_api_body(fixed):
    assert fixed["resource"]["aws_api_gateway_rest_api"]["rest_api"]["body"] == "${local.api_body}"
    assert "x-amazon-apigateway-gateway-responses" in fixed["locals"]["api_body"]
    assert "var.gateway_responses" in fixed["locals"]["api_body"]
    assert "gateway_responses" in cp.package_interface(fixed)["variable"]


def _security_definitions(swagger: dict) -> dict:
    return swagger["securityDefinitions"]


def test_the_authorizer_is_a_request_authorizer_without_cache_so_an_api_key_alone_reaches_it(fixed):
    raw = _security_definitions(json.loads(RAW_TF["locals"]["chalice_api_swagger"]))
    assert raw["jwt_authorizer"]["x-amazon-apigateway-authorizer"]["type"] == "token", "fixture changed"
    assert raw["jwt_authorizer"]["name"] == "Authorization", "fixture changed"

    definitions = _security_definitions(json.loads(fixed["locals"]["chalice_api_swagger"]))
    assert definitions["jwt_authorizer"] == {
        "in": "header",
        "type": "apiKey",
        "name": "Unused",
        "x-amazon-apigateway-authtype": "custom",
        "x-amazon-apigateway-authorizer": {
            "type": "request",
            "authorizerUri": "${aws_lambda_function.jwt_authorizer.invoke_arn}",
            # A cached REQUEST authorizer needs identity sources, all present on every request.
            "authorizerResultTtlInSeconds": 0,
        },
    }
    assert definitions["api_key"] == raw["api_key"]  # API Gateway's own key check is untouched


def test_sam_template_gets_the_same_request_authorizer():
    def definitions(template):
        return _security_definitions(template["Resources"]["RestAPI"]["Properties"]["DefinitionBody"])

    assert definitions(RAW_SAM)["jwt_authorizer"]["x-amazon-apigateway-authorizer"]["type"] == "token", "fixture changed"
    authorizer = definitions(cp.fix_sam(RAW_SAM))["jwt_authorizer"]
    assert authorizer["name"] == "Unused"
    assert authorizer["x-amazon-apigateway-authorizer"]["type"] == "request"
    assert authorizer["x-amazon-apigateway-authorizer"]["authorizerResultTtlInSeconds"] == 0
    assert "identitySource" not in authorizer["x-amazon-apigateway-authorizer"]


def test_an_authorizer_of_another_kind_is_refused_rather_than_half_converted():
    swagger = {"securityDefinitions": {"odd": {"x-amazon-apigateway-authtype": "custom",
                                               "x-amazon-apigateway-authorizer": {"type": "jwt"}}}}  # fmt: skip
    with pytest.raises(cp.PackageError):
        cp.use_request_authorizers(swagger)


def test_websocket_custom_domain_requires_tls_1_2(fixed):
    domain = fixed["resource"]["aws_apigatewayv2_domain_name"]["websocket_api_custom_domain"]
    assert "security_policy" not in json.dumps(RAW_TF["resource"]["aws_apigatewayv2_domain_name"]), "fixture changed"
    assert domain["domain_name_configuration"]["security_policy"] == "TLS_1_2"


def test_websocket_stage_takes_logging_and_throttling_from_the_websocket_module(fixed):
    stage = fixed["resource"]["aws_apigatewayv2_stage"]["websocket_api_stage"]
    assert set(stage["dynamic"]) == {"access_log_settings", "default_route_settings"}
    assert stage["dynamic"]["default_route_settings"]["content"]["data_trace_enabled"] is False
    assert "websocket_stage_settings" in cp.package_interface(fixed)["variable"]


def test_package_outputs_describe_functions_and_apis(fixed):
    outputs = cp.package_interface(fixed)["output"]
    fns = outputs["functions"]["value"]
    assert fns["api_handler"] == {
        "function_name": "${aws_lambda_function.api_handler.function_name}",
        "arn": "${aws_lambda_function.api_handler.arn}",
        "role_name": "${aws_iam_role.api_handler_role.name}",
        "role_arn": "${aws_iam_role.api_handler_role.arn}",
        "kind": "api",
    }
    assert {k: v["kind"] for k, v in fns.items()} == {
        "api_handler": "api", "jwt_authorizer": "api", "websocket_message": "api",
        "on_stream": "data", "hourly": "data",
    }  # fmt: skip
    assert outputs["rest_api_deployment_id"]["value"] == "${aws_api_gateway_deployment.rest_api.id}"
    assert outputs["websocket_api_id"]["value"] == "${aws_apigatewayv2_api.websocket_api.id}"
    assert "output" not in fixed  # EndpointURL pointed at the removed implicit stage


def test_functions_take_config_json_variables_plus_the_environment_roots(fixed):
    assert fixed["locals"]["chalice_environment"]["api_handler"] == RAW_TF["resource"]["aws_lambda_function"]["api_handler"]["environment"]["variables"]
    assert {f["environment"]["variables"] for f in fixed["resource"]["aws_lambda_function"].values()} == {
        f'${{merge(local.chalice_environment["{name}"], var.environment_variables)}}' for name in RAW_TF["resource"]["aws_lambda_function"]
    }
    assert cp.package_interface(fixed)["variable"]["environment_variables"]["type"] == "map(string)"


def test_an_app_without_websockets_has_null_websocket_outputs():
    doc = json.loads(json.dumps(RAW_TF))
    for rtype in [t for t in doc["resource"] if t.startswith("aws_apigatewayv2_")]:
        del doc["resource"][rtype]
    del doc["resource"]["aws_lambda_function"]["websocket_message"]
    del doc["resource"]["aws_lambda_permission"]["websocket_message_invoke_permission"]
    outputs = cp.package_interface(cp.fix_terraform(doc))["output"]
    assert outputs["websocket_api_id"]["value"] is None
    assert outputs["websocket_stage_name"]["value"] is None


def test_stream_mapping_reads_the_stream_the_env_root_gives_and_keeps_failed_batches(fixed):
    mapping = fixed["resource"]["aws_lambda_event_source_mapping"]["on_stream-dynamodb-event-source"]
    assert mapping["event_source_arn"] == '${var.stream_arns["on_stream"]}'
    assert mapping["bisect_batch_on_function_error"] is True
    assert mapping["maximum_retry_attempts"] > 0 and mapping["maximum_record_age_in_seconds"] > 0
    destination = mapping["dynamic"]["destination_config"]
    assert destination["content"]["on_failure"]["destination_arn"] == "${destination_config.value}"
    assert "var.stream_failure_destination_arn" in destination["for_each"]
    assert any("stream_failure_destination_arn != null" in p["condition"] for p in mapping["lifecycle"]["precondition"])
    interface = cp.package_interface(fixed)
    assert fixed["locals"]["stream_consumers"] == {"on_stream": "x"}  # the table named in the app's ARN
    assert interface["output"]["stream_consumers"]["value"] == "${local.stream_consumers}"
    assert {"stream_arns", "stream_failure_destination_arn"} <= set(interface["variable"])


def test_an_app_without_stream_consumers_outputs_none():
    doc = json.loads(json.dumps(RAW_TF))
    del doc["resource"]["aws_lambda_event_source_mapping"]
    fixed = cp.fix_terraform(doc)
    assert "stream_consumers" not in fixed["locals"]
    assert cp.package_interface(fixed)["output"]["stream_consumers"]["value"] == {}


def test_schedule_rules_are_named_per_stage_so_environments_in_one_account_do_not_share_them(fixed):
    assert RAW_TF["resource"]["aws_cloudwatch_event_rule"]["hourly-event"]["name"] == "hourly-event", "fixture changed"
    assert fixed["resource"]["aws_cloudwatch_event_rule"]["hourly-event"]["name"] == "zebros-dev-hourly-event"


def test_sam_template_gets_the_same_runtime_sizing_and_tls():
    sam = cp.fix_sam(RAW_SAM)
    res = sam["Resources"]
    assert {r["Properties"]["Runtime"] for r in res.values() if r["Type"] == "AWS::Serverless::Function"} == {"python3.12"}
    assert (res["APIHandler"]["Properties"]["MemorySize"], res["APIHandler"]["Properties"]["Timeout"]) == (128, 3)
    assert (res["JwtAuthorizer"]["Properties"]["MemorySize"], res["JwtAuthorizer"]["Properties"]["Timeout"]) == (128, 3)
    assert (res["OnStream"]["Properties"]["MemorySize"], res["OnStream"]["Properties"]["Timeout"]) == (1024, 15)
    assert (res["Hourly"]["Properties"]["MemorySize"], res["Hourly"]["Properties"]["Timeout"]) == (1024, 15)
    assert res["WebsocketApiCustomDomain"]["Properties"]["DomainNameConfigurations"][0]["SecurityPolicy"] == "TLS_1_2"


def test_no_function_keeps_chalices_logs_policy_on_every_log_group(fixed):
    assert "arn:*:logs:*:*:*" in json.dumps(RAW_TF["resource"]["aws_iam_role_policy"]), "fixture changed"
    assert "aws_iam_role_policy" not in fixed["resource"]  # the chalice_app module grants each its own group


def test_sam_functions_write_only_to_their_own_log_group():
    res = cp.fix_sam(RAW_SAM)["Resources"]
    functions = [name for name, r in res.items() if r["Type"] == "AWS::Serverless::Function"]
    for name in functions:
        role = res[name]["Properties"]["Role"]["Fn::GetAtt"][0]
        assert "Policies" not in res[role]["Properties"]
        group = res[f"{name}LogGroup"]
        assert group["Properties"]["LogGroupName"] == {"Fn::Sub": f"/aws/lambda/${{{name}}}"}
        assert group["Properties"]["RetentionInDays"] > 0
        policy = res[f"{name}LogsPolicy"]["Properties"]
        assert policy["Roles"] == [{"Ref": role}]
        assert policy["PolicyDocument"]["Statement"] == [{
            "Sid": "OwnLogGroup", "Effect": "Allow", "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
            "Resource": {"Fn::GetAtt": [f"{name}LogGroup", "Arn"]},
        }]  # fmt: skip
    assert "logs:CreateLogGroup" not in json.dumps(res)


def test_terraform_settings_are_written_as_hcl_for_checkov(fixed):
    hcl = cp.terraform_settings_hcl(fixed["terraform"])
    assert 'required_version = ">= 1.7"' in hcl
    assert 'source  = "hashicorp/aws"' in hcl and 'version = ">= 5.100, < 6.0"' in hcl


# ---------------------------------------------------------------- deployment zip pieces


def _fake_dist(site: Path, name: str, files: list[str]) -> None:
    dist_info = site / f"{name.replace('-', '_')}-1.0.dist-info"
    dist_info.mkdir(parents=True)
    (dist_info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: 1.0\n")
    record = [f"{f},," for f in files] + [f"{dist_info.name}/METADATA,,", f"{dist_info.name}/RECORD,,"]
    (dist_info / "RECORD").write_text("\n".join(record) + "\n")
    for f in files:
        (site / f).parent.mkdir(parents=True, exist_ok=True)
        (site / f).write_text("# fake\n")


def test_runtime_provided_distributions_are_stripped(tmp_path):
    _fake_dist(tmp_path, "boto3", ["boto3/__init__.py", "boto3/session.py"])
    _fake_dist(tmp_path, "python-dateutil", ["dateutil/__init__.py"])
    _fake_dist(tmp_path, "pynamodb", ["pynamodb/__init__.py"])
    removed = cp.strip_runtime_provided(tmp_path)
    assert sorted(removed) == ["boto3", "python-dateutil"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["pynamodb", "pynamodb-1.0.dist-info"]


def test_local_dev_server_and_requirements_stay_out_of_the_sources(tmp_path):
    project = tmp_path / "project"
    (project / ".chalice").mkdir(parents=True)
    (project / ".chalice" / "config.json").write_text("{}")
    (project / "app.py").write_text("")
    (project / "chalicelib" / "localdev").mkdir(parents=True)
    (project / "chalicelib" / "__init__.py").write_text("")
    (project / "chalicelib" / "localdev" / "run.py").write_text("")
    (project / "requirements.txt").write_text("pynamodb\n")
    cp.stage_sources(project, tmp_path / "src")
    assert (tmp_path / "src" / "chalicelib" / "__init__.py").exists()
    assert not (tmp_path / "src" / "chalicelib" / "localdev").exists()
    assert (tmp_path / "src" / "requirements.txt").read_text() == ""


def test_zip_is_reproducible_and_merges_app_and_dependencies(tmp_path):
    chalice_zip = tmp_path / "chalice.zip"
    with zipfile.ZipFile(chalice_zip, "w") as zf:
        zf.writestr("app.py", "app = 1\n")
        zf.writestr("chalice/app.py", "# runtime\n")
    site = tmp_path / "site"
    (site / "pynamodb").mkdir(parents=True)
    (site / "pynamodb" / "__init__.py").write_text("")
    (site / "pynamodb" / "__pycache__").mkdir()
    (site / "pynamodb" / "__pycache__" / "x.pyc").write_bytes(b"")
    cp.build_zip(chalice_zip, site, tmp_path / "a.zip")
    cp.build_zip(chalice_zip, site, tmp_path / "b.zip")
    assert (tmp_path / "a.zip").read_bytes() == (tmp_path / "b.zip").read_bytes()
    assert zipfile.ZipFile(tmp_path / "a.zip").namelist() == ["app.py", "chalice/app.py", "pynamodb/__init__.py"]


# ---------------------------------------------------------------- terraform accepts the result


def _terraform(args: list[str], cwd: Path) -> subprocess.CompletedProcess:
    env = dict(os.environ, TF_IN_AUTOMATION="1")
    return subprocess.run(["terraform", *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=300)


def _init_args() -> list[str]:
    plugin_dir = os.environ.get("TF_PLUGIN_DIR")
    return ["init", "-input=false", "-no-color", "-backend=false"] + ([f"-plugin-dir={plugin_dir}"] if plugin_dir else [])


@pytest.mark.skipif(shutil.which("terraform") is None, reason="terraform is not on PATH")
def test_fixed_package_passes_terraform_validate_where_the_raw_one_cannot_init(tmp_path):
    root = tmp_path / "root"
    for name, doc in (("raw", RAW_TF), ("fixed", cp.fix_terraform(RAW_TF))):
        package = tmp_path / name
        package.mkdir()
        (package / "chalice.tf.json").write_text(json.dumps(doc))
        if name == "fixed":
            (package / "package.tf.json").write_text(json.dumps(cp.package_interface(doc)))
        (package / "deployment.zip").write_bytes(b"")
    root.mkdir()
    (root / "main.tf.json").write_text(json.dumps({
        "provider": {"aws": {"region": "us-east-1"}},
        "module": {"package": {"source": "../fixed"}},
        "output": {"functions": {"value": "${module.package.functions}"}},
    }))  # fmt: skip
    init = _terraform(_init_args(), root)
    assert init.returncode == 0, init.stdout + init.stderr
    validate = _terraform(["validate", "-no-color"], root)
    assert validate.returncode == 0, validate.stdout + validate.stderr

    raw_root = tmp_path / "raw_root"
    raw_root.mkdir()
    (raw_root / "main.tf.json").write_text(json.dumps({"module": {"package": {"source": "../raw"}}}))
    raw_init = _terraform(_init_args(), raw_root)
    assert raw_init.returncode != 0
    assert "Unsupported Terraform Core version" in raw_init.stdout + raw_init.stderr


def _fake_build(project, stage, out):
    (out / "terraform").mkdir(parents=True, exist_ok=True)


def test_package_built_in_its_default_place_is_linked_from_its_env_root(tmp_path, monkeypatch):
    monkeypatch.setattr(cp, "build", _fake_build)
    (tmp_path / "infra" / "envs" / "dev").mkdir(parents=True)
    for _ in range(2):  # a rebuild replaces the link
        assert cp.main(["--stage", "dev", "--project-dir", str(tmp_path)]) == 0
    link = tmp_path / "infra" / "envs" / "dev" / "package"
    assert os.readlink(link) == "../../../build/dev/terraform"
    assert link.resolve() == (tmp_path / "build" / "dev" / "terraform").resolve()


def test_package_built_elsewhere_or_for_a_stage_without_env_root_links_nothing(tmp_path, monkeypatch):
    monkeypatch.setattr(cp, "build", _fake_build)
    (tmp_path / "infra" / "envs" / "dev").mkdir(parents=True)
    assert cp.main(["--stage", "dev", "--project-dir", str(tmp_path), "--out", str(tmp_path / "elsewhere")]) == 0
    assert cp.main(["--stage", "qa", "--project-dir", str(tmp_path)]) == 0
    assert not os.path.lexists(tmp_path / "infra" / "envs" / "dev" / "package")
    assert not (tmp_path / "infra" / "envs" / "qa").exists()


def test_every_path_answers_the_cors_preflight_for_the_env_roots_origins_only(fixed):
    from tests.infra.preflight import preflight_answer

    assert fixed["locals"]["cors_allowed_origins_vtl"] == """${join(",", formatlist("'%s'", var.cors_allowed_origins))}"""
    assert cp.package_interface(fixed)["variable"]["cors_allowed_origins"]["type"] == "list(string)"
    # Terraform's rendering of that local for two origins:
    swagger = json.loads(fixed["locals"]["chalice_api_swagger"].replace(
        "${local.cors_allowed_origins_vtl}", "'https://app.example.test','http://localhost:3000'"))  # fmt: skip
    local_rules = json.loads((REPO / "chalicelib/platform/routes/cors.json").read_text())
    for path, methods in swagger["paths"].items():
        status, headers = preflight_answer(methods["options"], {"Origin": "https://app.example.test"})
        assert status == 204 and headers["Access-Control-Allow-Origin"] == "https://app.example.test", path
        expected = sorted({m.upper() for m in methods})
        assert headers["Access-Control-Allow-Methods"] == ",".join(expected), path
        assert headers["Access-Control-Allow-Headers"] == ", ".join(local_rules["allow_headers"])
        assert headers["Access-Control-Max-Age"] == str(local_rules["max_age_seconds"])
        assert headers["Vary"] == "Origin"
        assert preflight_answer(methods["options"], {"origin": "http://localhost:3000"})[1][
            "Access-Control-Allow-Origin"] == "http://localhost:3000"  # HTTP/2 clients send it lower-case
        for refused in ({"Origin": "https://evil.example"}, {"Origin": "https://app.example.test.evil.example"}, {}):
            assert preflight_answer(methods["options"], refused) == (204, {"Vary": "Origin"}), (path, refused)


def test_the_preflight_matches_what_make_run_and_chalice_test_answer(fixed):
    """The same path, origin and request answered by the package's MOCK and by local_gateway.py."""
    from chalice.test import Client

    from app import app
    from chalicelib.core.settings import get_settings
    from tests.infra.preflight import preflight_answer

    origins = sorted(get_settings().cors_allowed_origins) or pytest.skip("no CORS_ALLOWED_ORIGINS in this process")
    swagger = json.loads(fixed["locals"]["chalice_api_swagger"].replace(
        "${local.cors_allowed_origins_vtl}", ",".join(f"'{o}'" for o in origins)))  # fmt: skip
    assert app.routes["/v1/health"].keys() == {"GET"} and swagger["paths"]["/v1/health"].keys() == {"get", "options"}
    for origin in (origins[0], "https://evil.example"):
        aws = preflight_answer(swagger["paths"]["/v1/health"]["options"], {"Origin": origin})
        with Client(app) as client:
            local = client.http.request("OPTIONS", "/v1/health", headers={"Origin": origin})
        assert (local.status_code, dict(local.headers)) == aws


def test_api_gateway_compresses_from_the_size_in_config_json(tmp_path):
    """chalice writes .chalice/config.json's minimum_compression_size onto the REST API; the fix keeps it."""
    config = json.loads((REPO / ".chalice" / "config.json").read_text())
    assert config["minimum_compression_size"] == 1024
    src = tmp_path / "src"
    cp.stage_sources(REPO, src)
    cp.run_chalice(src, "dev", tmp_path / "tf", "terraform")
    raw = json.loads((tmp_path / "tf" / "chalice.tf.json").read_text())
    fixed = cp.fix_terraform(raw)
    assert fixed["resource"]["aws_api_gateway_rest_api"]["rest_api"]["minimum_compression_size"] == 1024
