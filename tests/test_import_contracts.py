"""The layering is enforced, not just written: `lint-imports` checks the contracts in .importlinter
(routes -> services -> tables only downward; services import neither chalice, boto3 nor botocore;
the platform imports no product; products do not import each other). A broken contract fails here
with import-linter's report, which names each offending import and its line."""
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def test_every_import_contract_is_kept():
    lint_imports = Path(sys.executable).parent / "lint-imports"
    # --no-cache: parallel runs (xdist, a second checkout) must not share a half-written cache.
    result = subprocess.run(
        [str(lint_imports), "--config", str(REPO / ".importlinter"), "--no-cache", "--no-logo"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout, result.stdout
