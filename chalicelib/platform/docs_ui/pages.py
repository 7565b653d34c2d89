"""The documentation pages and their assets, read from this folder once per process.

docs/errors.md is the one source of the errors page and docs/api/versions.md of the versions page
(errors.md and versions.md here link to them, and the package build copies the file each names): rendered to HTML on first request with GitHub's heading anchors,
so `/docs/errors#404-not-found` on the API and `docs/errors.md#404-not-found` on the repository
name the same section.
"""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

HERE = Path(__file__).parent
VENDORED = HERE / "swagger-ui-dist"
GRAPHIQL = HERE / "graphiql"
# Served under /docs/assets/ by a name that carries its digest (`docs.<digest>.js`), so a browser
# may keep it for good: new content is a new name, which the pages give.
_ASSET_FILES = {
    "swagger-ui-bundle.js": VENDORED / "swagger-ui-bundle.js",
    "swagger-ui.css": VENDORED / "swagger-ui.css",
    "docs.js": HERE / "docs.js",
    "docs.css": HERE / "docs.css",
    # GET /graphql: GraphiQL and the React it runs on (infra/vendor_graphiql.py)
    "react.production.min.js": GRAPHIQL / "react.production.min.js",
    "react-dom.production.min.js": GRAPHIQL / "react-dom.production.min.js",
    "graphiql.min.js": GRAPHIQL / "graphiql.min.js",
    "graphiql.min.css": GRAPHIQL / "graphiql.min.css",
    "graphiql.js": HERE / "graphiql.js",
}


@dataclass(frozen=True)
class Asset:
    body: str
    suffix: str
    served_name: str


@lru_cache(maxsize=1)
def _assets() -> dict[str, Asset]:
    """Each asset by its file name, read once."""
    found = {}
    for name, path in _ASSET_FILES.items():
        body = path.read_text(encoding="utf-8")
        digest = hashlib.sha256(body.encode()).hexdigest()[:16]
        found[name] = Asset(body, path.suffix, f"{path.stem}.{digest}{path.suffix}")
    return found


def served_name(name: str) -> str:
    """The name the asset file `name` (`docs.css`) is served under: with its digest."""
    return _assets()[name].served_name


def asset(served_name: str) -> Asset | None:
    """The asset served under `served_name`; None for any other name, an old digest included."""
    return next((found for found in _assets().values() if found.served_name == served_name), None)


def _with_asset_names(template: str) -> str:
    for name in _ASSET_FILES:
        template = template.replace(f"{{{name}}}", served_name(name))
    return template


@lru_cache(maxsize=1)
def reference_page() -> str:
    return _with_asset_names((HERE / "index.html").read_text(encoding="utf-8"))


@lru_cache(maxsize=1)
def graphiql_page() -> str:
    return _with_asset_names((HERE / "graphiql.html").read_text(encoding="utf-8"))


# Pages rendered from the repository's Markdown, each file here a link to its one source:
# name -> (file, title).
MARKDOWN_PAGES = {
    "errors": ("errors.md", "Zebros API errors"),  # what each problem `type` names
    "versions": ("versions.md", "Zebros API versions"),  # the migration notes v1's Link names
}


@lru_cache(maxsize=None)
def markdown_page(name: str) -> str:
    from markdown_it import MarkdownIt

    source, title = MARKDOWN_PAGES[name]
    # No raw HTML from the Markdown: the page's markup is the renderer's only.
    markdown = MarkdownIt("commonmark", {"html": False}).enable("table")
    tokens = markdown.parse((HERE / source).read_text(encoding="utf-8"))
    taken: dict[str, int] = {}
    for index, token in enumerate(tokens):
        if token.type == "heading_open":
            inline = tokens[index + 1]
            text = "".join(child.content for child in inline.children or () if child.type in ("text", "code_inline"))
            token.attrSet("id", heading_anchor(text, taken))
    article = markdown.renderer.render(tokens, markdown.options, {})
    page = _with_asset_names((HERE / "article.html").read_text(encoding="utf-8"))
    return page.replace("{title}", title).replace("{article}", article)


def heading_anchor(text: str, taken: dict[str, int]) -> str:
    """GitHub's: lower case, punctuation dropped, spaces to hyphens; a repeat gets -1, -2, ..."""
    slug = re.sub(r"[^\w\- ]", "", text.strip().lower()).replace(" ", "-")
    count = taken.get(slug, 0)
    taken[slug] = count + 1
    return slug if count == 0 else f"{slug}-{count}"
