"""List filters and sort orders, parsed from a query string. The data layer serves each with a
key or an index (see chalicelib/platform/tables/search.py)."""
from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import datetime

from chalicelib.core import clock
from chalicelib.core.errors import MalformedRequest

SORTS = ("created", "-created", "name", "-name", "updated", "-updated")
FILTERS = (
    "q",
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
# Filters on a link to another record, on the record types that have it (contacts: both; customers:
# company_id), each served by that record type's index of the link (platform/tables/search.py).
LINK_FILTERS = ("company_id", "customer_id")


@dataclass(frozen=True)
class SearchSpec:
    # A prefix of the name or of the email, case-insensitive.
    q: str | None = None
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
    company_id: str | None = None
    customer_id: str | None = None

    @property
    def links(self) -> dict[str, str]:
        return {name: getattr(self, name) for name in LINK_FILTERS if getattr(self, name)}

    @property
    def newest_first(self) -> bool:
        return bool(self.sort and self.sort.startswith("-"))

    @property
    def sort_field(self) -> str | None:
        return self.sort.lstrip("-") if self.sort else None


def normalize_tags(tags: list[str]) -> list[str]:
    """Tags match case-insensitively, so they are kept lower-case, once each, in the given order."""
    return list(dict.fromkeys(tag.strip().lower() for tag in tags if tag.strip()))


def list_filters(
    query: Mapping[str, str], known: Collection[str], choices: Mapping[str, Collection[str]] | None = None
) -> dict[str, str]:
    """The filters of a list's query string (`limit` and `cursor` aside), each 1 to 200 characters
    and, where `choices` names the filter, one of its values. Unknown parameters are rejected
    rather than ignored: a typo must not silently widen a list."""
    filters: dict[str, str] = {}
    for name, raw in query.items():
        if name in ("limit", "cursor"):
            continue
        if name not in known:
            raise MalformedRequest(f"Unknown query parameter {name!r}; filters are {', '.join(known)}.", field=name)
        if not raw or len(raw) > 200:
            raise MalformedRequest(f"{name} must be 1 to 200 characters.", field=name)
        allowed = (choices or {}).get(name)
        if allowed is not None and raw not in allowed:
            raise MalformedRequest(f"{name} must be one of {', '.join(allowed)}.", field=name)
        filters[name] = raw
    return filters


def parse_search(query: Mapping[str, str], known_filters: tuple[str, ...] = FILTERS) -> SearchSpec:
    values: dict[str, object] = dict(list_filters(query, known_filters, {"sort": SORTS}))
    for name, raw in values.items():
        if name.endswith(("_after", "_before")):
            try:
                values[name] = clock.parse(raw)  # type: ignore[arg-type]
            except ValueError:
                raise MalformedRequest(f"{name} must be an ISO-8601 timestamp.", field=name) from None
    if "q" in values and "sort" in values:
        raise MalformedRequest("q lists name matches by name, then email matches by email; it takes no sort.", field="sort")
    return SearchSpec(**values)  # type: ignore[arg-type]
