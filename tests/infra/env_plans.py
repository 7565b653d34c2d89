"""Plan an environment root end to end, as `make plan ENV=<env>` would, against a moto server.

Each environment plans in an AWS "account" of its own (a fresh moto server) holding only what the
documented account layout says exists before Terraform runs (docs/deploy.md): prod's account holds
the public zone `zebroscrm.com`; dev and staging share an account that holds no zone of its own
(each creates its delegated sub-zone). The plan makes the few reads a plan needs (caller identity,
regions, zone lookups); nothing is created. The result is `terraform show -json` of the plan.
"""
from __future__ import annotations

import contextlib
import json
import os
import shutil
import subprocess
import sys
import urllib.request
from pathlib import Path
from typing import Iterator

import boto3
from moto.server import ThreadedMotoServer

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "infra"))

import chalice_package as cp  # noqa: E402

ENVIRONMENTS = ("dev", "staging", "prod")
# Public hosted zones that exist in each environment's account before its first apply.
ACCOUNT_ZONES = {"dev": (), "staging": (), "prod": ("zebroscrm.com",)}
CREDENTIALS = dict(aws_access_key_id="testing", aws_secret_access_key="testing", region_name="us-east-1")


def _root_copy(tmp: Path, env: str, package: Path) -> Path:
    """infra/envs/<env> in a scratch tree with the same relative paths, and a local backend."""
    (tmp / "infra" / "envs").mkdir(parents=True)
    (tmp / "chalicelib").symlink_to(REPO / "chalicelib")
    (tmp / "infra" / "modules").symlink_to(REPO / "infra" / "modules")
    (tmp / "infra" / "tables.json").symlink_to(REPO / "infra" / "tables.json")
    (tmp / "infra" / "state-machines").symlink_to(REPO / "infra" / "state-machines")
    root = tmp / "infra" / "envs" / env
    root.mkdir()
    for f in (REPO / "infra" / "envs" / env).iterdir():
        if f.is_file() and f.suffix in (".tf", ".tfvars"):
            shutil.copyfile(f, root / f.name)  # dereferences the shared-root symlinks
    (root / "package").symlink_to(package)
    (root / "backend_override.tf").write_text('terraform {\n  backend "local" {}\n}\n')
    return root


class EnvironmentRoot:
    """infra/envs/<env> with its freshly built package, initialised in a scratch tree."""

    def __init__(self, env: str, workdir: Path) -> None:
        self.env = env
        self.workdir = workdir
        cp.build(REPO, env, workdir / "build")
        self.root = _root_copy(workdir / "tree", env, workdir / "build" / "terraform")
        plugin_dir = os.environ.get("TF_PLUGIN_DIR")
        self._check("init", "-input=false", "-no-color", *([f"-plugin-dir={plugin_dir}"] if plugin_dir else []))

    def terraform(self, *args: str, endpoint: str = "http://127.0.0.1:9") -> subprocess.CompletedProcess:
        env = dict(os.environ, AWS_ENDPOINT_URL=endpoint, AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing",
                   AWS_DEFAULT_REGION="us-east-1", TF_IN_AUTOMATION="1", TF_DATA_DIR=str(self.workdir / "tfdata"))  # fmt: skip
        for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN"):
            env.pop(name, None)
        return subprocess.run(["terraform", *args], cwd=self.root, env=env, capture_output=True, text=True, timeout=600)

    def _check(self, *args: str, endpoint: str = "http://127.0.0.1:9") -> subprocess.CompletedProcess:
        result = self.terraform(*args, endpoint=endpoint)
        assert result.returncode == 0, f"terraform {args[0]} of {self.env} failed:\n" + result.stdout[-4000:] + result.stderr[-4000:]
        return result

    @contextlib.contextmanager
    def account(self) -> Iterator[str]:
        """The environment's AWS account as it is before Terraform runs: a moto server's endpoint."""
        server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
        server.start()
        try:
            host, port = server.get_host_and_port()
            url = f"http://{host}:{port}"
            # moto keeps its state per process, not per server: start from an empty account.
            urllib.request.urlopen(urllib.request.Request(f"{url}/moto-api/reset", method="POST"), timeout=30).close()
            route53 = boto3.client("route53", endpoint_url=url, **CREDENTIALS)
            for zone in ACCOUNT_ZONES[self.env]:
                route53.create_hosted_zone(Name=zone, CallerReference=f"plan-{zone}")
            yield url
        finally:
            server.stop()

    def plan(self, *args: str) -> subprocess.CompletedProcess:
        """terraform plan (extra args, e.g. -var) in the environment's own account; not checked."""
        with self.account() as endpoint:
            return self.terraform("plan", "-input=false", "-no-color", *args, endpoint=endpoint)

    def apply(self, *args: str, endpoint: str) -> None:
        """terraform apply (extra args, e.g. -target) into an open account(); checked."""
        self._check("apply", "-input=false", "-no-color", "-auto-approve", *args, endpoint=endpoint)

    def planned_configuration(self) -> dict:
        """`terraform show -json` of the environment's plan with its own terraform.tfvars."""
        result = self.plan("-out=tfplan")
        assert result.returncode == 0, f"terraform plan of {self.env} failed:\n" + result.stdout[-4000:] + result.stderr[-4000:]
        return json.loads(self._check("show", "-json", "tfplan").stdout)


def planned(plan: dict, rtype: str) -> list[dict]:
    """The planned values (`after`) of every managed resource of one type."""
    return [r["change"]["after"] for r in plan["resource_changes"] if r["type"] == rtype and r["mode"] == "managed"]
