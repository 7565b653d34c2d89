"""Persisted GraphQL documents: the queries a product's screens run, checked in as .graphql files
and registered by app.py (as the product's record kinds are), answered on GET /v1/graphql by the
SHA-256 of their text (the `persistedQuery` extension of automatic persisted queries). A GET runs
only these known documents, so its URL stays short and cacheable, and no ad-hoc query arrives by GET."""
from __future__ import annotations

import hashlib
from pathlib import Path

_directories: list[Path] = []
_documents: dict[str, str] = {}


def register_persisted_queries(directory: str | Path) -> None:
    """Add every `*.graphql` file of `directory` (a path from the project root, or absolute)."""
    path = Path(directory)
    path = path if path.is_absolute() else Path(__file__).resolve().parents[3] / path
    if path not in _directories:
        _directories.append(path)
        _documents.clear()


def persisted_documents() -> dict[str, str]:
    """Each registered document's text by the hex SHA-256 of its bytes."""
    if not _documents:
        for directory in _directories:
            for file in sorted(directory.glob("*.graphql")):
                text = file.read_text()
                _documents[hashlib.sha256(text.encode()).hexdigest()] = text
    return _documents
