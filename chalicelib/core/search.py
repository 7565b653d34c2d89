"""List filters and sort orders, parsed from a query string. The data layer serves each with a
key or an index (see chalicelib/platform/tables/search.py)."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from chalicelib.core import clock
from chalicelib.core.errors import MalformedRequest

SORTS = ("created", "-created", "name", "-name", "updated", "-updated")
FILTERS = (
    "status",
    "owner",
    "tag",
    "name_prefix",
    "email_prefix",
    "created_after",
    "created_before",
    "updated_after",
    "updated_before",
    "sort",
)


@dataclass(frozen=True)
class SearchSpec:
    status: str | None = None
    owner: str | None = None
    tag: str | None = None
    name_prefix: str | None = None
    email_prefix: str | None = None
    created_after: datetime | None = None
    created_before: datetime | None = None
    updated_after: datetime | None = None
    updated_before: datetime | None = None
    sort: str | None = None

    @property
    def newest_first(self) -> bool:
        return bool(self.sort and self.sort.startswith("-"))

    @property
    def sort_field(self) -> str | None:
        return self.sort.lstrip("-") if self.sort else None


def parse_search(query: Mapping[str, str], known_filters: tuple[str, ...] = FILTERS) -> SearchSpec:
    """Unknown parameters are rejected rather than ignored: a typo must not silently widen a list."""
    values: dict[str, object] = {}
    for name, raw in query.items():
        if name in ("limit", "cursor"):
            continue
        if name not in known_filters:
            raise MalformedRequest(f"Unknown query parameter {name!r}; filters are {', '.join(known_filters)}.", field=name)
        if not raw or len(raw) > 200:
            raise MalformedRequest(f"{name} must be 1 to 200 characters.", field=name)
        if name.endswith(("_after", "_before")):
            try:
                values[name] = clock.parse(raw)
            except ValueError:
                raise MalformedRequest(f"{name} must be an ISO-8601 timestamp.", field=name) from None
        elif name == "sort":
            if raw not in SORTS:
                raise MalformedRequest(f"sort must be one of {', '.join(SORTS)}.", field=name)
            values[name] = raw
        else:
            values[name] = raw
    return SearchSpec(**values)  # type: ignore[arg-type]
