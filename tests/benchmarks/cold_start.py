"""Cold start to first response, as Lambda pays it.

A fresh interpreter with the deployed function's environment (the dev stage's variables, tracing
on as `.chalice/config.json` has it) imports the handler and answers its first
GET /v1/customers/{customer_id}: a REST API proxy event carrying the authorizer's context, a
sampled trace header, one GetItem on the local DynamoDB. The baseline is `baseline_app`, a bare
Chalice + PynamoDB handler doing the same GetItem, with the X-Ray SDK patching botocore whenever the
app's own run did. App and baseline alternate, each in a fresh interpreter, so that drift of the
machine's load hits both alike. Times are medians; a ratio is the median of the per-repetition
ratios (app against the baseline run next to it).
"""
from __future__ import annotations

import json
import statistics
import subprocess
import sys
import time
from typing import Any

from tests.benchmarks.baseline_app import ROUTE
from tests.benchmarks.lambda_runtime import LambdaContext, REPO_ROOT, proxy_event, trace_header
from tests.benchmarks.world import tenant_from

WARMUP_RUNS = 2
CHILD_TIMEOUT_SECONDS = 60

APP_HANDLER = "import app\nhandler = app.app"
BASELINE_HANDLER = """\
from tests.benchmarks import baseline_app
if {traced}:
    baseline_app.patch_botocore_for_xray()
handler = baseline_app.build_baseline_app({table_name!r}, {host!r}, {region!r})"""

# Event and context are literals built before the clock starts: only `time` is loaded then, so what
# the handler's import and its first request load is what is timed. The trace header is set after
# the import, as the runtime sets it per invocation, not at init. Peak memory is VmHWM, the peak of
# this process image: ru_maxrss also counts the parent's peak, which Linux carries over fork and exec.
_PROBE = """\
import time
class LambdaContext:
    def __init__(self, attributes):
        self.__dict__.update(attributes)
    def get_remaining_time_in_millis(self):
        return 3000
event, context = {event!r}, LambdaContext({context!r})
started, started_cpu = time.perf_counter(), time.process_time()
{handler}
initialised = time.perf_counter()
import os
os.environ["_X_AMZN_TRACE_ID"] = {trace_header!r}
response = handler(event, context)
answered, answered_cpu = time.perf_counter(), time.process_time()
import json, resource, sys
with open("/proc/self/status") as status:
    peak_kib = next(int(line.split()[1]) for line in status if line.startswith("VmHWM:"))
patcher = sys.modules.get("aws_xray_sdk.core.patcher")
print(json.dumps({{
    "init_s": initialised - started,
    "first_response_s": answered - started,
    "first_response_cpu_s": answered_cpu - started_cpu,
    "status": response["statusCode"],
    "body": response["body"],
    "peak_rss_kib": peak_kib,
    "maxrss_kib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
    "packages": sorted({{name.partition(".")[0] for name in sys.modules}}),
    "xray_patched": sorted(getattr(patcher, "_PATCHED_MODULES", ())),
}}))
"""


def _probe(handler: str, env: dict[str, str], event: dict[str, Any], customer_field: str, customer_id: str) -> dict[str, Any]:
    context = LambdaContext()
    attributes = {
        name: getattr(context, name)
        for name in dir(context)
        if not name.startswith("_") and not callable(getattr(context, name))
    }
    source = _PROBE.format(event=event, context=attributes, handler=handler, trace_header=trace_header(sampled=True))
    started = time.perf_counter()
    completed = subprocess.run(
        [sys.executable, "-c", source],
        cwd=REPO_ROOT,
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=CHILD_TIMEOUT_SECONDS,
    )
    process_s = time.perf_counter() - started
    if completed.returncode != 0:
        raise RuntimeError(f"a cold start of\n{handler}\nfailed:\n{completed.stderr[-4000:]}")
    result = json.loads(completed.stdout.strip().splitlines()[-1])
    body = json.loads(result["body"] or "null")
    if result["status"] != 200 or not isinstance(body, dict) or body.get(customer_field) != customer_id:
        raise RuntimeError(f"a cold start of\n{handler}\nanswered {result['status']}: {result['body']!r}")
    result["process_s"] = process_s
    return result


def _summary(runs: list[dict[str, Any]]) -> dict[str, Any]:
    def median_ms(key: str) -> float:
        return round(statistics.median(run[key] * 1000 for run in runs), 1)

    first_response = [run["first_response_s"] * 1000 for run in runs]
    rss = [run["peak_rss_kib"] / 1024 for run in runs]
    return {
        "runs": len(runs),
        "first_response_ms_median": median_ms("first_response_s"),
        "first_response_ms_min": round(min(first_response), 1),
        "first_response_ms_max": round(max(first_response), 1),
        "init_ms_median": median_ms("init_s"),
        "first_response_cpu_ms_median": median_ms("first_response_cpu_s"),
        "process_ms_median": median_ms("process_s"),
        "peak_rss_mib_median": round(statistics.median(rss), 1),
        "peak_rss_mib_max": round(max(rss), 1),
        "ru_maxrss_mib_max": round(max(run["maxrss_kib"] for run in runs) / 1024, 1),
        "xray_patched": runs[-1]["xray_patched"],
        "first_response_ms_runs": [round(value, 1) for value in first_response],
    }


def measure(env: dict[str, str], world: dict[str, Any], repetitions: int) -> dict[str, Any]:
    """`env`: the function's environment, pointed at the local DynamoDB that `world` was set up in."""
    customer_id = world["customers"][0]
    event = proxy_event("GET", ROUTE, {"customer_id": customer_id}, authorizer=tenant_from(world).caller())

    def app() -> dict[str, Any]:
        return _probe(APP_HANDLER, env, event, "id", customer_id)

    # The app decides for itself whether to trace; the baseline follows what the app's run did.
    first_app_run = app()
    traced = "botocore" in first_app_run["xray_patched"]
    if json.loads((REPO_ROOT / ".chalice" / "config.json").read_text()).get("xray") and not traced:
        raise RuntimeError("the app did not patch botocore for X-Ray although the function is deployed with tracing")
    baseline_handler = BASELINE_HANDLER.format(traced=traced, **world["customers_table"])

    def baseline() -> dict[str, Any]:
        return _probe(baseline_handler, env, event, "customer_id", customer_id)

    for _ in range(WARMUP_RUNS):
        # Fills the bytecode cache and the page cache, so neither side pays for it in the timed runs.
        app()
        baseline()
    app_runs: list[dict[str, Any]] = []
    baseline_runs: list[dict[str, Any]] = []
    for repetition in range(repetitions):
        pair = [(app, app_runs), (baseline, baseline_runs)]
        for probe, runs in pair if repetition % 2 == 0 else reversed(pair):
            runs.append(probe())
    app_summary, baseline_summary = _summary(app_runs), _summary(baseline_runs)

    def ratio(key: str) -> float:
        # Per repetition, app against the baseline run beside it, then the median: the machine's
        # load drifts within a run (other work shares it), and a pair sees the same load.
        return round(statistics.median(ours[key] / bare[key] for ours, bare in zip(app_runs, baseline_runs)), 3)

    app_packages, baseline_packages = set(app_runs[-1]["packages"]), set(baseline_runs[-1]["packages"])
    return {
        "route": f"GET {ROUTE}",
        "traced": traced,
        "app": app_summary,
        "baseline": baseline_summary,
        "ratio_first_response": ratio("first_response_s"),
        "ratio_init": ratio("init_s"),
        "ratio_first_response_cpu": ratio("first_response_cpu_s"),
        "ratio_process": ratio("process_s"),
        "extra_packages": sorted(app_packages - baseline_packages - set(sys.stdlib_module_names)),
        "extra_stdlib_modules": sorted((app_packages - baseline_packages) & set(sys.stdlib_module_names)),
    }
