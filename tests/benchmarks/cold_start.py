"""Cold start: `import app` against the bare `import chalice, boto3, pynamodb.models`, each in a fresh
interpreter, alternating so that drift of the machine's load hits both sides alike."""
from __future__ import annotations

import json
import statistics
import subprocess
import sys
import time
from typing import Any

from tests.benchmarks.lambda_runtime import REPO_ROOT

APP_IMPORT = "import app"
# Blueprints load their domain on first use; this is what the first GET /v1/customers/{id} adds.
FIRST_CUSTOMER_REQUEST_IMPORT = "import app\nfrom chalicelib.services.customers import get_customer"
BARE_IMPORT = "import chalice, boto3, pynamodb.models"
WARMUP_RUNS = 2
CHILD_TIMEOUT_SECONDS = 60

# Only `time` is loaded before the clock starts; what the statement itself imports is what is timed.
# Peak memory is VmHWM, the peak of this process image: ru_maxrss also counts the parent's peak,
# which Linux carries over fork and execve.
_PROBE = """\
import time
started, started_cpu = time.perf_counter(), time.process_time()
{statement}
elapsed, elapsed_cpu = time.perf_counter() - started, time.process_time() - started_cpu
import json, resource, sys
with open("/proc/self/status") as status:
    peak_kib = next(int(line.split()[1]) for line in status if line.startswith("VmHWM:"))
print(json.dumps({{
    "import_s": elapsed,
    "import_cpu_s": elapsed_cpu,
    "peak_rss_kib": peak_kib,
    "maxrss_kib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
    "packages": sorted({{name.partition(".")[0] for name in sys.modules}}),
}}))
"""


def _probe(statement: str, env: dict[str, str]) -> dict[str, Any]:
    started = time.perf_counter()
    completed = subprocess.run(
        [sys.executable, "-c", _PROBE.format(statement=statement)],
        cwd=REPO_ROOT,
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=CHILD_TIMEOUT_SECONDS,
    )
    process_s = time.perf_counter() - started
    if completed.returncode != 0:
        raise RuntimeError(f"`{statement}` failed in a fresh interpreter:\n{completed.stderr[-4000:]}")
    result = json.loads(completed.stdout.strip().splitlines()[-1])
    result["process_s"] = process_s
    return result


def _summary(runs: list[dict[str, Any]]) -> dict[str, Any]:
    imports = [run["import_s"] * 1000 for run in runs]
    cpu = [run["import_cpu_s"] * 1000 for run in runs]
    processes = [run["process_s"] * 1000 for run in runs]
    rss = [run["peak_rss_kib"] / 1024 for run in runs]
    return {
        "runs": len(runs),
        "import_ms_median": round(statistics.median(imports), 1),
        "import_ms_min": round(min(imports), 1),
        "import_ms_max": round(max(imports), 1),
        "import_cpu_ms_median": round(statistics.median(cpu), 1),
        "process_ms_median": round(statistics.median(processes), 1),
        "peak_rss_mib_median": round(statistics.median(rss), 1),
        "peak_rss_mib_max": round(max(rss), 1),
        "ru_maxrss_mib_max": round(max(run["maxrss_kib"] for run in runs) / 1024, 1),
    }


def measure(env: dict[str, str], repetitions: int, app_statement: str = APP_IMPORT) -> dict[str, Any]:
    for _ in range(WARMUP_RUNS):
        # Fills the bytecode cache and the page cache, so neither side pays for it in the timed runs.
        _probe(app_statement, env)
        _probe(BARE_IMPORT, env)
    app_runs: list[dict[str, Any]] = []
    bare_runs: list[dict[str, Any]] = []
    for repetition in range(repetitions):
        pair = [(app_statement, app_runs), (BARE_IMPORT, bare_runs)]
        for statement, runs in pair if repetition % 2 == 0 else reversed(pair):
            runs.append(_probe(statement, env))
    app, bare = _summary(app_runs), _summary(bare_runs)
    app_packages = set(app_runs[-1]["packages"])
    bare_packages = set(bare_runs[-1]["packages"])
    return {
        "app": app,
        "baseline": bare,
        "ratio_import": round(app["import_ms_median"] / bare["import_ms_median"], 3),
        "ratio_import_cpu": round(app["import_cpu_ms_median"] / bare["import_cpu_ms_median"], 3),
        "ratio_process": round(app["process_ms_median"] / bare["process_ms_median"], 3),
        "extra_packages": sorted(app_packages - bare_packages - set(sys.stdlib_module_names)),
        "extra_stdlib_modules": sorted((app_packages - bare_packages) & set(sys.stdlib_module_names)),
        "xray_sdk_imported": "aws_xray_sdk" in app_packages,
    }
