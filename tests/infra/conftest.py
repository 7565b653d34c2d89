"""The prod environment root, planned once per session against a moto server on 127.0.0.1.

`terraform plan` runs against moto (AWS_ENDPOINT_URL), which serves the few reads a plan makes
(caller identity, the Route 53 zone). The server stays up for the session so that a test may also
apply part of the plan into it (tests/infra/test_iam_coverage.py applies the IAM policies).
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import pytest
from moto.server import ThreadedMotoServer

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "infra"))

import chalice_package as cp  # noqa: E402

CREDENTIALS = dict(aws_access_key_id="testing", aws_secret_access_key="testing", region_name="us-east-1")


@dataclass
class ProdRoot:
    root: Path
    env: dict[str, str]
    endpoint: str
    plan: dict[str, Any]

    def terraform(self, *args: str, timeout: int = 600) -> str:
        result = subprocess.run(["terraform", *args], cwd=self.root, env=self.env, capture_output=True, text=True, timeout=timeout)
        assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]
        return result.stdout

    def client(self, service: str) -> Any:
        return boto3.client(service, endpoint_url=self.endpoint, **CREDENTIALS)


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


@pytest.fixture(scope="session")
def prod_root(tmp_path_factory) -> ProdRoot:
    if shutil.which("terraform") is None:
        pytest.skip("terraform is not on PATH")
    tmp = tmp_path_factory.mktemp("prod-plan")
    cp.build(REPO, "prod", tmp / "build", authorizer_ttl=300)
    root = _root_copy(tmp / "tree", tmp / "build" / "terraform")

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    try:
        host, port = server.get_host_and_port()
        url = f"http://{host}:{port}"
        boto3.client("route53", endpoint_url=url, **CREDENTIALS).create_hosted_zone(Name="zebroscrm.com", CallerReference="plan")
        env = dict(os.environ, AWS_ENDPOINT_URL=url, AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing",
                   AWS_DEFAULT_REGION="us-east-1", TF_IN_AUTOMATION="1", TF_DATA_DIR=str(tmp / "tfdata"))  # fmt: skip
        for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN"):
            env.pop(name, None)
        prod = ProdRoot(root=root, env=env, endpoint=url, plan={})
        plugin_dir = os.environ.get("TF_PLUGIN_DIR")
        prod.terraform("init", "-input=false", "-no-color", *([f"-plugin-dir={plugin_dir}"] if plugin_dir else []))
        prod.terraform("plan", "-input=false", "-no-color", "-out=tfplan")
        prod.plan = json.loads(prod.terraform("show", "-json", "tfplan", timeout=120))
        yield prod
    finally:
        server.stop()
