"""GET /docs (the API reference page and its bundled assets) and GET /docs/errors (docs/errors.md
served by the API, the page every problem `type` points to). The browser test of the page is
tests/localdev/test_docs_browser.py."""
from __future__ import annotations

import ast
import hashlib
import json
import re
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest

from chalicelib.core import errors
from chalicelib.platform.routes.problems import ERRORS_PAGE, gateway_responses, problem_type

REPO = Path(__file__).resolve().parents[2]
DOCS_UI = REPO / "chalicelib" / "platform" / "docs_ui"
VENDORED = DOCS_UI / "swagger-ui-dist"


class Links(HTMLParser):
    """The ids, script sources and stylesheet links of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.ids: list[str] = []
        self.assets: list[str] = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if "id" in attributes:
            self.ids.append(attributes["id"])
        if tag == "script" and attributes.get("src"):
            self.assets.append(attributes["src"])
        if tag == "link" and attributes.get("rel") == "stylesheet":
            self.assets.append(attributes["href"])


def parsed(body: bytes) -> Links:
    links = Links()
    links.feed(body.decode())
    return links


def test_vendored_swagger_ui_is_the_pinned_package_byte_for_byte():
    manifest = json.loads((VENDORED / "vendored.json").read_text())
    assert manifest["package"] == "swagger-ui-dist" and manifest["integrity"].startswith("sha512-")
    on_disk = {path.name for path in VENDORED.iterdir()} - {"vendored.json"}
    assert on_disk == set(manifest["files"]), "every vendored file is listed with its checksum, and only those"
    for name, sha256 in manifest["files"].items():
        assert hashlib.sha256((VENDORED / name).read_bytes()).hexdigest() == sha256, f"{name} differs from the pinned package"


def test_docs_page_is_public_html_whose_assets_are_served_by_the_api(api):
    page = api.get("/docs")
    assert page.status == 200
    assert page.header("content-type") == "text/html; charset=utf-8"
    assert page.header("cache-control") == "public, max-age=300"
    assert "script-src 'self'" in page.header("content-security-policy")
    manifest = json.loads((VENDORED / "vendored.json").read_text())
    assets = parsed(page.body).assets
    served_names = [urlsplit(src).path.rsplit("/", 1)[-1] for src in assets]
    assert {re.sub(r"\.[0-9a-f]{16}\.", ".", name) for name in served_names} == {
        "swagger-ui-bundle.js", "swagger-ui.css", "docs.js", "docs.css",
    }  # fmt: skip
    for reference in assets:
        assert not urlsplit(reference).netloc, f"{reference}: assets come from the API itself, never a CDN"
        url = urlsplit(urljoin("/docs", reference))
        reply = api.get(url.path)
        assert reply.status == 200, reference
        assert reply.header("cache-control") == "public, max-age=31536000, immutable"
        assert reply.header("content-type").startswith(("text/javascript", "text/css"))
        stem, digest, suffix = url.path.rsplit("/", 1)[-1].rsplit(".", 2)
        if f"{stem}.{suffix}" in manifest["files"]:
            assert hashlib.sha256(reply.body).hexdigest() == manifest["files"][f"{stem}.{suffix}"]
        assert digest == hashlib.sha256(reply.body).hexdigest()[:16], "each asset's name carries its digest"


def test_the_reference_page_renders_the_served_openapi_document(api):
    page = api.get("/docs").body.decode()
    # Relative to /docs, so the page works under any base path (a stage prefix, a custom domain).
    assert 'data-openapi-url="v1/openapi.json"' in page


def test_an_asset_by_another_name_or_an_old_digest_is_404(api):
    for name in (
        "docs.js", "docs.0000000000000000.js", "vendored.json", "errors.md", "index.html", "pages.py",
        "..%2Fpages.py", "LICENSE",
    ):  # fmt: skip
        reply = api.get(f"/docs/assets/{name}")
        assert reply.status == 404, name
        assert reply.header("content-type") == "application/problem+json"


def test_errors_page_is_docs_errors_md_with_its_headings_as_anchors(api):
    reply = api.get("/docs/errors")
    assert reply.status == 200
    assert reply.header("content-type") == "text/html; charset=utf-8"
    assert reply.header("cache-control") == "public, max-age=300"
    ids = parsed(reply.body).ids
    headings = [line.lstrip("#").strip() for line in (REPO / "docs" / "errors.md").read_text().splitlines()
                if line.startswith("## ")]  # fmt: skip
    assert headings and len(ids) == len(set(ids))
    for heading in headings:
        assert heading.lower().replace(" ", "-") in ids
    assert "<table>" in reply.body.decode(), "the Markdown tables are rendered"


def test_versions_page_is_the_migration_notes_v1_links_to(api):
    reply = api.get("/docs/versions")
    assert reply.status == 200 and reply.header("content-type") == "text/html; charset=utf-8"
    ids = parsed(reply.body).ids
    assert "sunset" in ids, "v1's Link names the page's sunset section"
    assert "<title>Zebros API versions</title>" in reply.body.decode()


def _types_written_in_the_code() -> set[str]:
    """Every string literal under chalicelib/ that is a problem type (a section of the errors page)."""
    found = set()
    for path in (REPO / "chalicelib").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value.startswith(f"{ERRORS_PAGE}#"):
                found.add(node.value)
    return found


def _statuses_the_code_answers() -> set[int | None]:
    domain_errors = set()
    pending = [errors.DomainError]
    while pending:
        error_class = pending.pop()
        domain_errors.add(error_class.status)
        pending.extend(error_class.__subclasses__())
    restated_by_middleware = {405, 415}  # Chalice's own answers, restated as problems
    unexpected = {500}
    gateway = {spec["status"] for spec in gateway_responses().values()}
    return domain_errors | restated_by_middleware | unexpected | gateway


def test_every_problem_type_the_code_can_produce_is_a_section_of_the_served_errors_page(api):
    types = {problem_type(status) for status in _statuses_the_code_answers()}
    types |= {spec["type"] for spec in gateway_responses().values()}
    types |= _types_written_in_the_code()
    assert "/docs/errors#closed-record" in types and "about:blank" not in types
    ids = set(parsed(api.get("/docs/errors").body).ids)
    for problem_type_uri in types:
        page, _, anchor = problem_type_uri.partition("#")
        assert page == ERRORS_PAGE and anchor in ids, f"{problem_type_uri} names no section of {ERRORS_PAGE}"
    for status in _statuses_the_code_answers() - {None}:
        assert problem_type(status) != problem_type(None), f"{status} has a section of its own"


def test_gateway_responses_name_the_type_the_app_gives_their_status():
    for name, spec in gateway_responses().items():
        assert spec["type"] == problem_type(spec["status"]), name


@pytest.mark.parametrize(
    ("method", "path", "headers", "status"),
    [
        ("GET", "/v1/customers/01ARZ3NDEKTSV4RRFFQ69G5FAV", {}, 404),
        ("GET", "/v1/customers", {"Authorization": ""}, 401),
        ("DELETE", "/v1/health", {}, 405),
        ("POST", "/v1/customers", {"Content-Type": "text/plain"}, 415),
    ],
)
def test_a_problem_answered_over_http_links_to_its_section(api, owner, method, path, headers, status):
    reply = api.call(method, path, {}, as_=owner if status != 401 else None, headers=headers)
    assert reply.status == status
    page, _, anchor = reply.json["type"].partition("#")
    served = api.get(page)
    assert served.status == 200 and anchor in parsed(served.body).ids


def test_importing_the_app_loads_no_docs_page_code():
    """Cold start: the pages, their files and markdown-it load on the first /docs request only."""
    probe = ("import sys, app; print(sorted(m for m in sys.modules "
             "if m.startswith(('chalicelib.platform.docs_ui.pages', 'markdown_it'))))")  # fmt: skip
    loaded = subprocess.run([sys.executable, "-c", probe], cwd=REPO, capture_output=True, text=True, check=True)
    assert loaded.stdout.strip() == "[]"
