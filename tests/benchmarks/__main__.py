"""`make bench`: every benchmark in one run, each figure printed as soon as it is measured, then the
checks against their targets. Also written to build/bench.json. Exits 1 when a target is missed or
a benchmark could not run, so a regression is visible in CI and in a terminal alike."""
from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import sys
import time
import traceback
from collections.abc import Callable
from typing import Any

from tests.benchmarks import cold_start
from tests.benchmarks.dynamodb_calls import LOCAL_ENVIRONMENT
from tests.benchmarks.lambda_runtime import REPO_ROOT, developer_environment, lambda_environment
from tests.benchmarks.local_aws import LocalAws, run_child
from tests.benchmarks.report import Check, at_most, operations, table

REPORT_PATH = REPO_ROOT / "build" / "bench.json"
COLD_START_REPETITIONS = 15
COLD_START_RATIO_TARGET = 1.3
COLD_START_PEAK_RSS_MIB = 64
WARM_RATIO_TARGET = 1.5
MEMORY_PEAK_RSS_MIB = 100
SETUP_TIMEOUT_SECONDS = 120
SECTION_TIMEOUT_SECONDS = 240


def _say(text: str = "") -> None:
    print(text, flush=True)


def _info(section: str, name: str, measured: str) -> Check:
    return Check(section, name, measured, "-", None)


def cold_start_section(results: dict[str, Any], checks: list[Check], env: dict[str, str], world: dict[str, Any]) -> None:
    _say(f"1. Cold start to first response, as in Lambda (dev stage): {COLD_START_REPETITIONS} alternating runs "
         "each, fresh interpreters, medians")
    result = results["cold_start"] = cold_start.measure(env, world, COLD_START_REPETITIONS)
    tracing = "X-Ray SDK patching botocore" if result["traced"] else "no tracing"
    _say(f"   import the handler, then the first {result['route']} (proxy event, authorizer context); {tracing}")
    _say("   baseline = a bare Chalice + PynamoDB handler doing the same GetItem, traced the same way")
    app, baseline = result["app"], result["baseline"]
    rows = [
        [name, summary["first_response_ms_median"], summary["init_ms_median"], summary["first_response_cpu_ms_median"],
         summary["process_ms_median"], summary["peak_rss_mib_max"], ", ".join(summary["xray_patched"]) or "-"]
        for name, summary in (("app", app), ("baseline", baseline))
    ]
    rows.append(["ratio of pairs", *(f"{result[key]:.2f}x" for key in (
        "ratio_first_response", "ratio_init", "ratio_first_response_cpu", "ratio_process")), "", ""])
    headers = ["", "first response ms", "import ms", "cpu ms", "process ms", "peak RSS MiB", "X-Ray patched"]
    _say(table(headers, rows, right=range(1, 6)))
    _say(f"   first response ranged {app['first_response_ms_min']}-{app['first_response_ms_max']} ms (app), "
         f"{baseline['first_response_ms_min']}-{baseline['first_response_ms_max']} ms (baseline)")
    _say("   ratio of pairs: median over the repetitions of app / the baseline run beside it")
    _say("   process: the whole interpreter run, startup included; peak RSS: VmHWM of the cold-start process")
    _say(f"   imported beyond the baseline: {', '.join(result['extra_packages']) or 'nothing'}")

    section = "cold start"
    ratio = result["ratio_first_response"]
    checks.append(at_most(section, "first response: app / bare handler", ratio, COLD_START_RATIO_TARGET, "x"))
    checks.append(at_most(section, "peak RSS of the app's cold start", app["peak_rss_mib_max"],
                          COLD_START_PEAK_RSS_MIB, " MiB"))


def warm_section(results: dict[str, Any], checks: list[Check], env: dict[str, str], world: dict[str, Any]) -> None:
    _say("2. Warm: GET /v1/customers/{customer_id} through the Lambda handler, as in Lambda (dev stage)")
    result = results["warm"] = run_child("warm_latency", env, SECTION_TIMEOUT_SECONDS, world)
    _say(
        f"   {result['rounds']} alternating rounds of {result['calls_per_round']} calls each; "
        "baseline = a minimal Chalice app doing the same GetItem"
    )
    rows = [
        [name, summary["median_us"], summary["p10_us"], summary["p90_us"], summary["outside_dynamodb_median_us"]]
        for name, summary in (("app", result["app"]), ("baseline", result["baseline"]))
    ]
    rows.append(["ratio", f"{result['ratio']:.2f}x", "", "", f"{result['ratio_outside_dynamodb']:.2f}x"])
    _say(table(["", "median us", "p10 us", "p90 us", "outside DynamoDB, median us"], rows, right=range(1, 5)))
    _say(f"   per-round ratio of medians ranged {result['round_ratio_min']:.2f}x to {result['round_ratio_max']:.2f}x")
    checks.append(at_most("warm", "GET customer: app / minimal app", result["ratio"], WARM_RATIO_TARGET, "x"))
    checks.append(_info("warm", "time outside DynamoDB: app / minimal app", f"{result['ratio_outside_dynamodb']:g}x"))


def dynamodb_calls_section(results: dict[str, Any], checks: list[Check], env: dict[str, str]) -> None:
    _say("3. DynamoDB calls per request, every route (chalice.test.Client, real tokens)")
    result = results["dynamodb_calls"] = run_child("dynamodb_calls", env, SECTION_TIMEOUT_SECONDS)
    rows = [
        [
            row["method"],
            row["route"] + (f"  [{row['variant']}]" if row["variant"] else ""),
            row["status"],
            operations(row["calls"]),
            operations(row["authorizer_calls"]),
        ]
        for row in result["rows"]
    ]
    _say(table(["method", "route", "status", "route's calls", "authorizer's calls"], rows, right=[2]))
    _say("   The authorizer is a separate function that API Gateway calls on every protected request (no result cache).")
    for failure in result["failures"]:
        _say(f"   ! {failure}")
    for step in result["skipped_steps"]:
        _say(f"   skipped, the app declares no such route: {step}")
    for route in result["unexercised_routes"]:
        _say(f"   ! NOT EXERCISED: {route}; add a step to SCENARIO in tests/benchmarks/dynamodb_calls.py")

    section = "dynamodb calls"
    declared, exercised = result["routes_declared"], result["routes_exercised"]
    checks.append(Check(section, "routes exercised", f"{exercised}/{declared}", f"{declared}/{declared}",
                        exercised == declared))
    failed = len(result["failures"])
    checks.append(Check(section, "scenario steps answered as expected", f"{failed} failed", "0 failed", not failed))
    scans = result["scans"]
    checks.append(Check(section, "Scans on any route", f"{len(scans)} {' '.join(scans)}".strip(), "0", not scans))
    lists = result["list_queries"]
    _say(f"   Queries per list request: worst {lists['worst']} ({lists['worst_step']}) of {lists['lists_measured']} lists")
    checks.append(Check(section, "Queries per list request, worst case", str(lists["worst"]), f"<= {lists['bound']}",
                        lists["worst"] <= lists["bound"]))


def memory_section(results: dict[str, Any], checks: list[Check], env: dict[str, str], world: dict[str, Any]) -> None:
    _say("4. Memory: one fresh process, 1,000 mixed requests through the Lambda handler, as in Lambda (dev stage)")
    result = results["memory"] = run_child("memory", env, SECTION_TIMEOUT_SECONDS, world)
    _say("   mix: " + ", ".join(f"{name} {count}" for name, count in result["mix"].items()))
    rows = [
        ["before (after import app)", result["peak_rss_mib_before"], result["rss_mib_before"],
         result["ru_maxrss_mib_before"]],
        [f"after {result['requests']} requests", result["peak_rss_mib_after"], result["rss_mib_after"],
         result["ru_maxrss_mib_after"]],
    ]
    _say(table(["", "peak RSS MiB (VmHWM)", "RSS MiB", "ru_maxrss MiB"], rows, right=[1, 2, 3]))
    by_requests = result["peak_rss_mib_by_requests"]
    _say("   peak RSS MiB after N requests: " + ", ".join(f"{n}: {mib}" for n, mib in by_requests.items()))
    clients = result["botocore_clients"]
    _say("   botocore clients created: " + ", ".join(
        f"{service} {entry['clients']} from {entry['sessions']} session(s)" for service, entry in clients.items()
    ))
    _say("   ru_maxrss also counts the parent's peak (Linux keeps it over fork and exec); VmHWM is the app's own.")
    peak = result["peak_rss_mib_after"]
    checks.append(at_most("memory", "peak RSS after 1,000 requests", peak, MEMORY_PEAK_RSS_MIB, " MiB", below=True))


FANOUT_TARGET_SECONDS = 0.5


def fanout_section(results: dict[str, Any], checks: list[Check], env: dict[str, str]) -> None:
    _say("5. WebSocket fan-out: one event to 500 connections, 20 ms injected per post (local DynamoDB)")
    result = results["fanout"] = run_child("fanout", env, SECTION_TIMEOUT_SECONDS)
    _say(f"   {result['runs']} runs after a warm-up, pool of {result['pool_size']} threads; "
         f"one after the other the posts alone would take {result['sequential_estimate_s']:g} s")
    rows = [[result["posting_s_median"], result["targeting_ms_median"], result["duration_s_median"],
             result["duration_s_max"], result["delivery_ms_p50"], result["delivery_ms_p99"], result["reached_min"]]]
    _say(table(["posting s, median", "targets ms, median", "fan-out s, median", "max", "delivered after ms, p50",
                "p99", "reached (min)"], rows, right=range(7)))
    _say("   delivered after: from the first post to each post's answer, over every connection of every run")
    _say("   targets: one Query of the 500 connections and targeting, before the first post; moto's server takes")
    _say("   over a second for a Query DynamoDB answers in tens of ms, so the target applies to the posting phase")
    section = "fanout"
    checks.append(at_most(section, "500 connections, 20 ms per post: posting (median)", result["posting_s_median"],
                          FANOUT_TARGET_SECONDS, " s"))
    checks.append(_info(section, "whole fan-out with moto's Query (median)", f"{result['duration_s_median']:g} s"))
    checks.append(Check(section, "connections reached", str(result["reached_min"]), str(result["connections"]),
                        result["reached_min"] == result["connections"]))
    checks.append(_info(section, "delivery latency p50 / p99", f"{result['delivery_ms_p50']} / {result['delivery_ms_p99']} ms"))


SYNC_RATIO_TARGET = 1.5
# Storing 10,000 records and their feed in moto's server takes a minute or two on a busy machine.
SYNC_TIMEOUT_SECONDS = 600


def sync_section(results: dict[str, Any], checks: list[Check], env: dict[str, str]) -> None:
    _say("6. Offline sync: GET /v1/sync for 10 changes, organization of 10,000 records vs 100 (local DynamoDB)")
    result = results["sync"] = run_child("sync_pull", env, SYNC_TIMEOUT_SECONDS)
    _say(f"   {result['pulls']} pulls each, alternating rounds, through the Lambda handler; "
         f"each answers the same {result['changes']} changes")
    rows = [
        [f"{summary['records']:,} records", operations(summary["calls_per_pull"]), summary["median_ms"],
         summary["p90_ms"], summary["seeding_s"]]
        for summary in (result["large"], result["small"])
    ]
    rows.append(["ratio", f"{result['ratio_calls']:.2f}x", f"{result['ratio_time']:.2f}x", "", ""])
    _say(table(["organization", "DynamoDB calls per pull", "median ms", "p90 ms", "seeding s"], rows, right=[2, 3, 4]))
    section = "sync"
    checks.append(at_most(section, "pull 10 changes, calls: 10,000 / 100 records", result["ratio_calls"],
                          SYNC_RATIO_TARGET, "x"))
    checks.append(at_most(section, "pull 10 changes, time: 10,000 / 100 records", result["ratio_time"],
                          SYNC_RATIO_TARGET, "x"))


EXPORT_CHUNK_PEAK_MIB = 256  # of the task functions' 1,024 MB
EXPORT_CHUNK_CPU_SECONDS = 5  # of their 15 s, at a fraction of a vCPU
EXPORT_TIMEOUT_SECONDS = 600


def export_section(results: dict[str, Any], checks: list[Check], env: dict[str, str]) -> None:
    _say("7. Data export: one export_chunk task (one 5 MiB part of a customers CSV), as Step Functions invokes it")
    result = results["export"] = run_child("export", env, EXPORT_TIMEOUT_SECONDS)
    rows = [[f"{result['chunk_rows']:,}", result["chunk_s"], result["chunk_cpu_s"], f"{result['rows_per_s']:,}",
             result["part_mib"], result["chunk_peak_traced_mib"], result["process_peak_rss_mib"]]]
    _say(table(["rows", "chunk s", "cpu s", "rows/s", "part MiB", "chunk peak MiB", "process peak RSS MiB"], rows,
               right=range(7)))
    _say("   pages served from memory (moto's Query reads the whole partition per page); views, CSV, the part's upload")
    _say("   (moto's S3) and the progress update are the app's; chunk peak: Python allocations during the chunk")
    section = "export"
    checks.append(at_most(section, "export chunk: peak memory", result["chunk_peak_traced_mib"], EXPORT_CHUNK_PEAK_MIB, " MiB"))
    # CPU time: a busy machine stretches the wall time; a 1 GB function has about 0.6 of a vCPU.
    checks.append(at_most(section, "export chunk: CPU time without DynamoDB reads", result["chunk_cpu_s"],
                          EXPORT_CHUNK_CPU_SECONDS, " s"))
    checks.append(_info(section, "export chunk throughput (wall / CPU)",
                        f"{result['rows_per_s']:,} / {round(result['chunk_rows'] / result['chunk_cpu_s']):,} rows/s"))


def _run_section(name: str, run: Callable[[], None], checks: list[Check], errors: dict[str, str]) -> None:
    started = time.monotonic()
    try:
        run()
        _say(f"   ({name}: {time.monotonic() - started:.0f} s)")
    except Exception as error:  # a broken benchmark must not hide the figures of the others
        errors[name] = "".join(traceback.format_exception_only(error)).strip()
        _say(f"   ! {name} could not run: {errors[name]}")
        checks.append(Check(name, "benchmark ran", "error", "ran", False))
    _say()


def _write_report(
    benchmarks: list[str], checks: list[Check], errors: dict[str, str], results: dict[str, Any], duration: float
) -> None:
    REPORT_PATH.parent.mkdir(parents=True, exist_ok=True)
    report = {
        "generated_at": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "duration_s": round(duration, 1),
        "benchmarks": benchmarks,
        "passed": all(check.passed is not False for check in checks),
        "checks": [check.as_dict() for check in checks],
        "errors": errors,
        "results": results,
    }
    REPORT_PATH.write_text(json.dumps(report, indent=2) + "\n")


SECTIONS = ("cold_start", "warm", "dynamodb_calls", "memory", "fanout", "sync", "export")


def _chosen_sections(argv: list[str]) -> list[str]:
    parser = argparse.ArgumentParser(prog="python -m tests.benchmarks", description=__doc__)
    parser.add_argument(
        "--only",
        default=",".join(SECTIONS),
        help=f"comma-separated benchmarks to run, of {', '.join(SECTIONS)} (default: all)",
    )
    chosen = [name.strip() for name in parser.parse_args(argv).only.split(",") if name.strip()]
    unknown = sorted(set(chosen) - set(SECTIONS))
    if unknown or not chosen:
        parser.error(f"unknown benchmark {', '.join(unknown) or '(none given)'}; choose from {', '.join(SECTIONS)}")
    return chosen


def main(argv: list[str]) -> int:
    chosen = _chosen_sections(argv)
    started = time.monotonic()
    results: dict[str, Any] = {}
    checks: list[Check] = []
    errors: dict[str, str] = {}
    _say(f"Zebros benchmarks: Python {platform.python_version()}, {os.cpu_count()} CPUs, "
         f"load average {os.getloadavg()[0]:.1f}")
    _say()

    def with_local_dynamodb() -> None:
        with LocalAws() as aws:
            _say(f"   local DynamoDB: moto server at {aws.endpoint}")
            _say()
            local_env = aws.environment(developer_environment() | LOCAL_ENVIRONMENT)
            lambda_env = aws.environment(lambda_environment())
            world = run_child("world", lambda_env, SETUP_TIMEOUT_SECONDS, {"customers": 5})
            sections = {
                # First, while the moto server has answered nothing but the set-up: the fresh
                # interpreters share the machine with as little of ours as possible.
                "cold_start": ("cold start", lambda: cold_start_section(results, checks, lambda_env, world)),
                "warm": ("warm", lambda: warm_section(results, checks, lambda_env, world)),
                "dynamodb_calls": ("dynamodb calls", lambda: dynamodb_calls_section(results, checks, local_env)),
                "memory": ("memory", lambda: memory_section(results, checks, lambda_env, world)),
                "fanout": ("fanout", lambda: fanout_section(results, checks, local_env)),
                "sync": ("sync", lambda: sync_section(results, checks, local_env)),
                "export": ("export", lambda: export_section(results, checks, local_env)),
            }
            if "dynamodb_calls" in chosen:
                run_child("world", local_env, SETUP_TIMEOUT_SECONDS)
            for key in SECTIONS:
                if key in chosen:
                    _run_section(*sections[key], checks, errors)

    _run_section("local DynamoDB", with_local_dynamodb, checks, errors)

    duration = time.monotonic() - started
    _write_report(chosen, checks, errors, results, duration)
    rows = [[check.section, check.name, check.measured, check.target, check.verdict] for check in checks]
    _say("Checks")
    _say(table(["section", "figure", "measured", "target", "result"], rows))
    _say()
    failed = sum(check.passed is False for check in checks)
    verdict = "FAIL" if failed else "PASS"
    _say(f"{verdict}: {failed} of {len(checks)} checks failed, {duration:.0f} s; "
         f"report in {REPORT_PATH.relative_to(REPO_ROOT)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
