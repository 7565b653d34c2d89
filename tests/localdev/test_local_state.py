"""`make run` keeps its state: data written through the API survives a kill -9 and a restart, the
API key and demo login stay the same, the demo organization is seeded once with enough data for the
dashboard and forecast, mail lands in the local mailbox, and the log is one readable line per request."""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.benchmarks.lambda_runtime import lambda_environment
from tests.localdev.conftest import REPO, LocalServer, free_port, fresh_clone, start_local_server


def printed(server: LocalServer, label: str) -> str:
    return re.search(rf"^{label}: (.+)$", server.log(), re.MULTILINE).group(1)


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """A first run that writes and is then killed with SIGKILL, and a second run on the same clone."""
    root = fresh_clone(tmp_path_factory.mktemp("clone"))
    logs = tmp_path_factory.mktemp("logs")
    first = start_local_server(root, logs / "first.log")
    try:
        first.log_in_as_demo_owner()
        created = first.call("POST", "/v1/customers", {"name": "Survivor", "tags": ["persisted"]})
        assert created.status == 201, created.body
        patched = first.call("PATCH", f"/v1/customers/{created.json['id']}", {"company": "Still Here"},
                             {"If-Match": created.headers["ETag"]})  # fmt: skip
        assert patched.status == 200, patched.body
        forgot = first.call("POST", "/v1/auth/password/forgot", {"email": "demo@example.com"})
        assert forgot.status == 202
        mail = first.call("GET", "/_local/mail.json")
    finally:
        first.kill()
    second = start_local_server(root, logs / "second.log")
    try:
        yield {"first": first, "second": second, "customer": patched.json, "mail": mail}
    finally:
        second.stop()


def test_a_record_written_before_a_kill_is_read_back_with_its_id_and_version(runs):
    second, customer = runs["second"], runs["customer"]
    second.log_in_as_demo_owner()
    stored = second.call("GET", f"/v1/customers/{customer['id']}")
    assert stored.status == 200, stored.body
    assert (stored.json["id"], stored.json["version"], stored.json["company"]) == (customer["id"], 2, "Still Here")
    assert stored.headers["ETag"] == '"2"'


def test_the_api_key_and_demo_login_stay_the_same_and_the_demo_is_seeded_once(runs):
    first, second = runs["first"], runs["second"]
    assert printed(second, "API key") == printed(first, "API key")
    assert printed(second, "Demo login") == printed(first, "Demo login")
    second.log_in_as_demo_owner()
    hello = second.call("POST", "/api/abc/hello", {"name": "Zebra"}, {"x-api-key": printed(first, "API key")})
    assert hello.status == 200, hello.body
    names = [c["name"] for c in second.call("GET", "/v1/customers?limit=100").json["items"]]
    assert names.count("Ada Lovelace") == 1 and "Survivor" in names


def test_the_demo_organization_fills_the_dashboard_and_the_forecast(runs):
    second = runs["second"]
    second.log_in_as_demo_owner()
    dashboard = second.call("GET", "/v1/dashboard").json
    assert dashboard["leads_created"] > 0 and dashboard["leads_converted"] > 0
    assert all(count > 0 for count in dashboard["opportunities_by_stage"].values()), dashboard
    assert sum(dashboard["tickets_by_status"].values()) > 0
    forecast = second.call("GET", "/v1/forecast").json
    assert forecast["totals"][0]["weighted_amount"] > 0
    assert {row["stage"] for row in forecast["by_stage"]} >= {"lead", "qualified", "proposal", "negotiation"}
    for resource in ("leads", "contacts", "companies", "opportunities", "deals", "tickets", "campaigns"):
        assert second.call("GET", f"/v1/{resource}").json["items"], resource


def test_mail_lands_in_the_local_mailbox_and_its_code_works(runs):
    (message,) = runs["mail"].json["items"]
    assert (message["to"], message["subject"]) == ("demo@example.com", "Reset your Zebros password")
    second = runs["second"]
    assert second.call("GET", "/_local/mail.json").json["items"][0]["id"] == message["id"]  # kept across runs
    page = second.call("GET", "/_local/mail")
    assert page.status == 200 and page.headers["Content-Type"].startswith("text/html")
    assert "Reset your Zebros password" in page.body.decode()
    code = re.search(r"\n\n(\S+)\n\n", message["text"]).group(1)
    reset = second.call("POST", "/v1/auth/password/reset", {"token": code, "password": "a new demo password"})
    assert reset.status == 204, reset.body


def test_the_log_is_one_readable_line_per_request_without_metrics_or_library_noise(runs):
    log = runs["first"].log()
    assert re.search(r"^POST /v1/customers 201 \d+ ms$", log, re.MULTILINE), log[-3000:]
    assert re.search(r"^GET /_local/mail.json 200 \d+ ms$", log, re.MULTILINE)
    assert '"_aws"' not in log  # EMF metrics
    assert '"level"' not in log  # JSON log records
    assert "Found credentials" not in log and '"POST /v1/customers HTTP/1.1"' not in log
    assert "Traceback" not in log + runs["second"].log()


def test_lambda_has_no_local_mailbox_even_if_its_variable_leaks_in():
    environment = {**lambda_environment(), "LOCAL_MAILBOX_FILE": "/tmp/leaked-mailbox.jsonl", "LOG_FORMAT": "text"}
    probe = (
        "import json, app; from chalicelib.core.settings import get_settings; "
        "from chalicelib.platform.services.notifications import get_notifier; "
        "print(json.dumps({'routes': sorted(app.app.routes), 'format': get_settings().log_format, "
        "'mailbox': get_settings().local_mailbox_file}))"
    )
    result = subprocess.run([sys.executable, "-c", probe], cwd=REPO, env=environment, capture_output=True, text=True,
                            timeout=120)  # fmt: skip
    assert result.returncode == 0, result.stderr
    seen = json.loads(result.stdout.splitlines()[-1])
    assert not [route for route in seen["routes"] if route.startswith("/_local")]
    assert "/v1/health" in seen["routes"]
    assert (seen["format"], seen["mailbox"]) == ("json", None)


def test_plain_chalice_local_works_as_the_readme_recipe_says(tmp_path_factory):
    """Terminal 1: `make local-db`; terminal 2: source .local/local-db.env, `chalice local --no-autoreload`."""
    root = fresh_clone(tmp_path_factory.mktemp("clone"))
    logs = tmp_path_factory.mktemp("logs")
    database = start_local_server(root, logs / "local-db.log", db_only=True)
    port = free_port()
    chalice = Path(sys.executable).parent / "chalice"
    recipe = f"set -a; . .local/local-db.env; set +a; exec {chalice} local --port {port} --no-autoreload"
    with (logs / "chalice-local.log").open("wb") as output:
        process = subprocess.Popen(["bash", "-c", recipe], cwd=root, env={"PATH": os.environ["PATH"], "HOME": str(root)},
                                   stdout=output, stderr=subprocess.STDOUT, start_new_session=True)  # fmt: skip
    served = LocalServer(root, port, process, logs / "chalice-local.log")
    try:
        served.wait_until_ready(ready_line="")  # its output is block-buffered: ask /v1/health
        served.log_in_as_demo_owner(log=database.log())
        assert served.call("GET", "/v1/customers").status == 200
        hello = served.call("POST", "/api/abc/hello", {}, {"x-api-key": printed(database, "API key")})
        assert hello.status == 200, hello.body
    finally:
        served.stop()
        database.stop()
