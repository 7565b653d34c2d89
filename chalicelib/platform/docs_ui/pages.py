"""The documentation pages and their assets, read from this folder once per process.

docs/errors.md is the one source of the errors page (errors.md here links to it, and the package
build copies the file it names): rendered to HTML on first request with GitHub's heading anchors,
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
# Served by name under /docs/assets/; the pages reference each with its digest (?v=), so a
# browser may keep it until the content, hence the page, changes.
_ASSET_FILES = {
    "swagger-ui-bundle.js": VENDORED / "swagger-ui-bundle.js",
    "swagger-ui.css": VENDORED / "swagger-ui.css",
    "docs.js": HERE / "docs.js",
    "docs.css": HERE / "docs.css",
}


@dataclass(frozen=True)
class Asset:
    body: str
    suffix: str
    version: str


@lru_cache(maxsize=None)
def asset(name: str) -> Asset | None:
    path = _ASSET_FILES.get(name)
    if path is None:
        return None
    body = path.read_text(encoding="utf-8")
    version = hashlib.sha256(body.encode()).hexdigest()[:16]
    return Asset(body, path.suffix, version)


def _with_asset_versions(template: str) -> str:
    for name in _ASSET_FILES:
        template = template.replace(f"{{{name}}}", asset(name).version)
    return template


@lru_cache(maxsize=1)
def reference_page() -> str:
    return _with_asset_versions((HERE / "index.html").read_text(encoding="utf-8"))


@lru_cache(maxsize=1)
def errors_page() -> str:
    from markdown_it import MarkdownIt

    # No raw HTML from the Markdown: the page's markup is the renderer's only.
    markdown = MarkdownIt("commonmark", {"html": False}).enable("table")
    tokens = markdown.parse((HERE / "errors.md").read_text(encoding="utf-8"))
    taken: dict[str, int] = {}
    for index, token in enumerate(tokens):
        if token.type == "heading_open":
            inline = tokens[index + 1]
            text = "".join(child.content for child in inline.children or () if child.type in ("text", "code_inline"))
            token.attrSet("id", heading_anchor(text, taken))
    article = markdown.renderer.render(tokens, markdown.options, {})
    return _with_asset_versions((HERE / "errors.html").read_text(encoding="utf-8")).replace("{article}", article)


def heading_anchor(text: str, taken: dict[str, int]) -> str:
    """GitHub's: lower case, punctuation dropped, spaces to hyphens; a repeat gets -1, -2, ..."""
    slug = re.sub(r"[^\w\- ]", "", text.strip().lower()).replace(" ", "-")
    count = taken.get(slug, 0)
    taken[slug] = count + 1
    return slug if count == 0 else f"{slug}-{count}"
