"""GET /docs opened in headless Chromium against a `make run` server: every operation of the
document the API serves at /v1/openapi.json is listed on the rendered page, and the page's first
screen is kept as build/artifacts/docs.png (git-ignored, like all of build/)."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.localdev.browser import BROWSER_REQUIRED, Page, chromium_path

REPO = Path(__file__).resolve().parents[2]
SCREENSHOT = REPO / "build" / "artifacts" / "docs.png"
METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
# Generous: a busy CI machine parses and renders a few hundred operations slowly. Each wait ends as
# soon as its condition holds.
RENDER_TIMEOUT = 180

# Swagger UI has rendered the document: its operations' list, or the errors it found reading it.
RENDERED = "!!document.querySelector('.swagger-ui .opblock, .swagger-ui .errors-wrapper')"
# Swagger UI renders only the operations in view once a document has 150 tags and operations (a
# virtualized list), as a person scrolling sees them: the part of the list in the window is filled.
LIST_IN_VIEW_FILLED = """(() => {
  const list = document.querySelector('.operations-virtual');
  if (!list) return true;
  const area = list.getBoundingClientRect();
  const top = Math.max(area.top, 0), bottom = Math.min(area.bottom, innerHeight);
  if (bottom <= top) return true;
  const items = Array.from(list.querySelectorAll('.operations-virtual__item'), item => item.getBoundingClientRect());
  const covered = y => items.some(item => item.top <= y && item.bottom >= y);
  return covered(top + 1) && covered(bottom - 1);
})()"""
# Each operation block in the DOM: method, path, and operationId (shown: displayOperationId).
OPERATIONS_IN_DOM = """JSON.stringify(Array.from(document.querySelectorAll('.opblock'), block => [
  (block.querySelector('.opblock-summary-method') || {}).textContent,
  (block.querySelector('.opblock-summary-path') || {dataset: {}}).dataset.path,
  (block.querySelector('.opblock-summary-operation-id') || {}).textContent,
]))"""


@pytest.fixture(scope="module")
def chromium() -> str:
    path = chromium_path()
    if path is None:
        reason = "Chromium is not installed (Debian: apt-get install chromium); .ci/run installs it"
        if BROWSER_REQUIRED:
            pytest.fail(f"{reason}, and CI must run this test")
        pytest.skip(reason)
    return path


def documented_operations(document: dict) -> set[tuple[str, str, str | None]]:
    return {
        (method, path, operation.get("operationId"))
        for path, item in document["paths"].items()
        for method, operation in item.items()
        if method in METHODS
    }


def operations_on_page(page: Page) -> set[tuple[str, str, str | None]]:
    """Every operation the page lists, scrolling it from top to bottom half a window at a time."""
    listed: set[tuple[str, str, str | None]] = set()
    offset = 0
    while True:
        page.evaluate(f"window.scrollTo(0, {offset})")
        assert page.wait_for(LIST_IN_VIEW_FILLED, RENDER_TIMEOUT), f"the list at {offset}px stayed empty"
        for method, path, operation_id in json.loads(page.evaluate(OPERATIONS_IN_DOM)):
            listed.add(((method or "").strip().lower(), path, (operation_id or "").strip() or None))
        if page.evaluate("scrollY + innerHeight >= document.documentElement.scrollHeight"):
            return listed
        offset = page.evaluate("scrollY") + page.evaluate("Math.floor(innerHeight / 2)")


def test_docs_page_lists_every_operation_of_the_served_document(chromium, local_server):
    served = local_server.call("GET", "/v1/openapi.json")
    assert served.status == 200, served.body
    expected = documented_operations(served.json)
    assert expected, "the document has operations"

    with Page(chromium, width=1280, height=1200) as page:
        page.open(f"http://127.0.0.1:{local_server.port}/docs")
        assert page.wait_for(RENDERED, RENDER_TIMEOUT), "Swagger UI rendered nothing"
        errors = page.evaluate("(document.querySelector('.swagger-ui .errors-wrapper') || {}).innerText || ''")
        SCREENSHOT.unlink(missing_ok=True)
        page.screenshot(SCREENSHOT)
        listed = operations_on_page(page)
        exceptions = [event["params"] for event in page.events if event["method"] == "Runtime.exceptionThrown"]

    assert not errors, f"Swagger UI reported problems reading the document:\n{errors}"
    assert not exceptions, exceptions
    missing = sorted(expected - listed, key=str)
    assert not missing, f"{len(missing)} of {len(expected)} operations are not on the page: {missing[:20]}"
    assert SCREENSHOT.read_bytes().startswith(b"\x89PNG")


GRAPHIQL_SCREENSHOT = REPO / "build" / "artifacts" / "graphiql.png"
GRAPHIQL_RENDERED = "!!document.querySelector('.graphiql-container .graphiql-query-editor')"


def test_graphiql_page_renders_and_queries_the_api_from_its_bundled_assets(chromium, local_server):
    """GET /graphql: GraphiQL from the vendored files (no CDN; the page's CSP allows only this
    origin), and its fetcher runs a query on /v1/graphql with the demo owner's token."""
    expected = local_server.call("GET", "/v1/customers?limit=3").json["items"]
    assert expected, "the demo data has customers"
    with Page(chromium, width=1280, height=900) as page:
        page.open(f"http://127.0.0.1:{local_server.port}/graphql")
        assert page.wait_for(GRAPHIQL_RENDERED, RENDER_TIMEOUT), "GraphiQL rendered nothing"
        # The fetcher answers a promise or, as it accepts multipart/mixed (incremental delivery), an
        # async iterable of results: the first result is the whole answer of a plain query.
        page.evaluate(
            "(async () => { let result = await GraphiQL.createFetcher({url: new URL('v1/graphql', document.baseURI).href, "
            f"headers: {{Authorization: 'Bearer {local_server.access_token}'}}}})"
            "({query: '{ customers(first: 3) { nodes { id name } } }'});"
            " if (result && result[Symbol.asyncIterator]) { for await (const first of result) { result = first; break; } }"
            " window.answer = JSON.stringify(result); })().catch(error => { window.answer = 'failed: ' + error; })"
        )  # fmt: skip
        answer = page.wait_for("window.answer", RENDER_TIMEOUT)
        GRAPHIQL_SCREENSHOT.unlink(missing_ok=True)
        page.screenshot(GRAPHIQL_SCREENSHOT)
        exceptions = [event["params"] for event in page.events if event["method"] == "Runtime.exceptionThrown"]
        loaded = page.evaluate("JSON.stringify(performance.getEntriesByType('resource').map(entry => entry.name))")
    assert not exceptions, exceptions
    assert json.loads(answer).get("data", {}).get("customers", {}).get("nodes") == [
        {"id": item["id"], "name": item["name"]} for item in expected
    ], answer
    origin = f"http://127.0.0.1:{local_server.port}/"
    assert all(url.startswith(origin) for url in json.loads(loaded)), loaded
    assert GRAPHIQL_SCREENSHOT.read_bytes().startswith(b"\x89PNG")
