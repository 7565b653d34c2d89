"""The deployment package `make package` builds, checked as Lambda's python3.12 runtime will see it.

This machine has no Python 3.12 to import the package with, so "it imports under its runtime"
is checked as precisely as possible without one:

* every compiled extension (*.so) is tagged for CPython 3.12 (cpython-312-x86_64-linux-gnu) or the
  stable ABI (abi3), and is an x86-64 ELF object;
* every bundled distribution's wheel tag is pure Python, cp312 or abi3, for manylinux x86_64, and
  its Requires-Python admits 3.12;
* the dependency closure of requirements.txt (markers evaluated for 3.12 on Linux) is in the zip or
  provided by the runtime (boto3 and its dependencies);
* the pure-Python distributions import, from the zip, in this interpreter.
"""
from __future__ import annotations

import json
import re
import subprocess
import sys
import zipfile
from email.parser import Parser
from pathlib import Path

import pytest
from packaging.markers import default_environment
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "infra"))

import chalice_package as cp  # noqa: E402

MAX_ZIPPED_BYTES = 10 * 1024 * 1024
LAMBDA_ENV = {**default_environment(), "python_version": "3.12", "python_full_version": "3.12.0",
              "sys_platform": "linux", "platform_system": "Linux", "platform_machine": "x86_64",
              "implementation_name": "cpython", "platform_python_implementation": "CPython"}  # fmt: skip
WHEEL_TAG = re.compile(
    r"^(py3-none-any|py2\.py3-none-any"
    r"|cp312-cp312-manylinux[0-9_]*_x86_64"
    r"|cp3(?:[2-9]|1[0-2])-abi3-manylinux[0-9_]*_x86_64)$"
)


@pytest.fixture(scope="module")
def package(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("package")
    cp.build(REPO, "dev", out)
    return out / "terraform"


@pytest.fixture(scope="module")
def extracted(package, tmp_path_factory) -> Path:
    target = tmp_path_factory.mktemp("unzipped")
    with zipfile.ZipFile(package / "deployment.zip") as zf:
        zf.extractall(target)
    return target


def dists(root: Path) -> dict[str, Path]:
    found = {}
    for dist_info in root.glob("*.dist-info"):
        meta = Parser().parsestr((dist_info / "METADATA").read_text(encoding="utf-8"))
        found[canonicalize_name(meta["Name"])] = dist_info
    return found


def test_functions_declare_the_python_3_12_runtime(package):
    doc = json.loads((package / "chalice.tf.json").read_text())
    assert {f["runtime"] for f in doc["resource"]["aws_lambda_function"].values()} == {"python3.12"}


def test_the_authorizer_is_an_uncached_request_authorizer_in_terraform_and_sam(package):
    doc = json.loads((package / "chalice.tf.json").read_text())
    sam = json.loads((package.parent / "sam" / "sam.json").read_text())
    bodies = [json.loads(doc["locals"]["chalice_api_swagger"]), sam["Resources"]["RestAPI"]["Properties"]["DefinitionBody"]]
    for swagger in bodies:
        definition = swagger["securityDefinitions"]["jwt_authorizer"]
        authorizer = definition["x-amazon-apigateway-authorizer"]
        # No identity source, so an x-api-key-only request reaches it; and so no cache.
        assert authorizer["type"] == "request" and "identitySource" not in authorizer
        assert authorizer["authorizerResultTtlInSeconds"] == 0 and definition["name"] == "Unused"
        protected = [m for path, methods in swagger["paths"].items() if path.startswith("/v1/")
                     for m in methods.values() if isinstance(m, dict) and m.get("security")]  # fmt: skip
        assert protected and all(m["security"] == [{"jwt_authorizer": []}] for m in protected)


def test_zip_fits_the_size_target(package):
    size = (package / "deployment.zip").stat().st_size
    assert size <= MAX_ZIPPED_BYTES, f"{size / 1e6:.1f} MB zipped"


def test_zip_leaves_out_what_the_runtime_provides_and_local_dev(package):
    names = zipfile.ZipFile(package / "deployment.zip").namelist()
    tops = {n.split("/", 1)[0] for n in names}
    for provided in ("boto3", "botocore", "s3transfer", "jmespath", "dateutil", "urllib3", "six.py"):
        assert provided not in tops
    assert not any(n.startswith("chalicelib/localdev/") for n in names)
    assert not any(n.startswith("tests/") or "__pycache__" in n for n in names)
    assert {"app.py", "chalice/app.py", "chalicelib/__init__.py"} <= set(names)


def test_compiled_extensions_are_for_cpython_3_12_or_abi3_on_x86_64(extracted):
    shared_objects = list(extracted.rglob("*.so"))
    assert shared_objects, "expected compiled dependencies (cryptography, cffi, ...)"
    for so in shared_objects:
        name = so.name
        assert name.endswith((".cpython-312-x86_64-linux-gnu.so", ".abi3.so")), name
        header = so.read_bytes()[:20]
        assert header[:4] == b"\x7fELF", name
        assert int.from_bytes(header[18:20], "little") == 0x3E, f"{name} is not x86-64"


def test_bundled_wheels_are_tagged_for_the_runtime(extracted):
    for name, dist_info in dists(extracted).items():
        wheel = Parser().parsestr((dist_info / "WHEEL").read_text(encoding="utf-8"))
        tags = wheel.get_all("Tag")
        assert any(WHEEL_TAG.match(tag) for tag in tags), f"{name}: {tags}"
        meta = Parser().parsestr((dist_info / "METADATA").read_text(encoding="utf-8"))
        if meta["Requires-Python"]:
            assert "3.12" in SpecifierSet(meta["Requires-Python"]), f"{name} requires {meta['Requires-Python']}"


def test_dependency_closure_is_bundled_or_provided_by_the_runtime(extracted):
    bundled = dists(extracted)
    pending = [Requirement(line) for line in (REPO / "requirements.txt").read_text().splitlines()
               if line.strip() and not line.lstrip().startswith("#")]  # fmt: skip
    seen = set()
    while pending:
        req = pending.pop()
        name = canonicalize_name(req.name)
        if name in seen or (req.marker and not req.marker.evaluate({**LAMBDA_ENV, "extra": ""})):
            continue
        seen.add(name)
        if name in cp.RUNTIME_PROVIDED:
            continue
        assert name in bundled, f"{name} is neither bundled nor provided by the Lambda runtime"
        meta = Parser().parsestr((bundled[name] / "METADATA").read_text(encoding="utf-8"))
        pending.extend(Requirement(r) for r in meta.get_all("Requires-Dist") or [])
    assert "pynamodb" in seen and "cryptography" in seen


def test_pure_python_dependencies_import_from_the_zip(extracted):
    pure = []
    for name, dist_info in dists(extracted).items():
        wheel = Parser().parsestr((dist_info / "WHEEL").read_text(encoding="utf-8"))
        if all(t.endswith("-none-any") for t in wheel.get_all("Tag")):
            top_level = dist_info / "top_level.txt"
            modules = top_level.read_text().split() if top_level.exists() else []
            if not modules:  # no top_level.txt: the importable names are in RECORD
                record = (dist_info / "RECORD").read_text().splitlines()
                modules = sorted({r.split("/", 1)[0].removesuffix(".py").split(",")[0]
                                  for r in record if not r.split(",")[0].startswith(dist_info.name)
                                  and not r.startswith("..")})  # fmt: skip
            pure.extend(m for m in modules if (extracted / m).is_dir() or (extracted / f"{m}.py").exists())
    assert "pynamodb" in pure and "jwt" in pure
    code = (
        "import importlib, json, sys\n"
        f"sys.path.insert(0, {str(extracted)!r})\n"
        f"mods = {sorted(set(pure))!r}\n"
        "print(json.dumps({m: importlib.import_module(m).__file__ for m in mods}))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    for module, path in json.loads(result.stdout).items():
        assert path.startswith(str(extracted)), f"{module} imported from {path}, not the zip"
