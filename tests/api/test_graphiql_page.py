"""GET /graphql: GraphiQL from files vendored from npm (infra/vendor_graphiql.py), pinned and
checksummed, served by the API itself (no CDN). Rendered in headless Chromium by
tests/localdev/test_docs_browser.py."""
from __future__ import annotations

import hashlib
import json
import re
from urllib.parse import urljoin, urlsplit

from chalicelib.platform.docs_ui.pages import GRAPHIQL
from tests.api.test_docs_page import parsed


def test_vendored_graphiql_is_the_pinned_packages_byte_for_byte():
    manifest = json.loads((GRAPHIQL / "vendored.json").read_text())
    assert set(manifest["packages"]) == {"graphiql", "react", "react-dom"}
    assert all(pinned["integrity"].startswith("sha512-") for pinned in manifest["packages"].values())
    on_disk = {path.name for path in GRAPHIQL.iterdir()} - {"vendored.json"}
    assert on_disk == set(manifest["files"]), "every vendored file is listed with its checksum, and only those"
    for name, sha256 in manifest["files"].items():
        assert hashlib.sha256((GRAPHIQL / name).read_bytes()).hexdigest() == sha256, f"{name} differs from the pinned package"


def test_graphiql_page_is_public_html_whose_assets_are_served_by_the_api(api):
    page = api.get("/graphql")
    assert page.status == 200 and page.header("content-type") == "text/html; charset=utf-8"
    assert "script-src 'self'" in page.header("content-security-policy")
    assets = parsed(page.body).assets
    served = {re.sub(r"\.[0-9a-f]{16}\.", ".", urlsplit(src).path.rsplit("/", 1)[-1]) for src in assets}
    assert served == {
        "react.production.min.js", "react-dom.production.min.js", "graphiql.min.js", "graphiql.min.css", "graphiql.js", "docs.css",
    }  # fmt: skip
    for reference in assets:
        assert not urlsplit(reference).netloc, f"{reference}: assets come from the API itself, never a CDN"
        reply = api.get(urlsplit(urljoin("/graphql", reference)).path)
        assert reply.status == 200, reference
        assert reply.header("content-type").startswith(("text/javascript", "text/css"))
