"""What a report may read: each CRM resource with its list filters, the fields it may be grouped
by and measured on, and its pages, read through the resource's own list service. So a report's
filters are its list route's (same names, values and checks), a page is the Query that list route
makes (never a Scan), and a report shows only what its owner's list would show them.

A record's fields are those its list route shows: `categories` are grouped by as they are,
`times` (timestamps, or dates like close_date) by day, week or month and bound the date range,
`numbers` are measured (sum, avg, min, max).
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from chalicelib.core.errors import DomainError, ValidationFailed
from chalicelib.core.lazy import lazy_module
from chalicelib.core.search import FILTERS, LINK_FILTERS, list_filters, parse_search
from chalicelib.platform.services.roles import Principal

_SEARCH_FILTERS = tuple(name for name in FILTERS if name != "sort")  # a report orders its own rows
_RECORD_TIMES = ("created_at", "updated_at")


@dataclass(frozen=True)
class Source:
    """A resource reports read: `service` is its service module; `permission` the resource whose
    read permission its list route (and so a report over it) needs, when not its own name; `search_filters` set for a searchable record (its list is
    `records.search` with these filters), else its list is `list_<resource>` with the module's
    LIST_FILTERS and LIST_CHOICES."""

    resource: str
    service: str
    categories: tuple[str, ...]
    times: tuple[str, ...] = _RECORD_TIMES
    numbers: tuple[str, ...] = ()
    search_filters: tuple[str, ...] | None = None
    permission_of: str | None = None

    @property
    def permission(self) -> str:
        return self.permission_of or self.resource

    @property
    def fields(self) -> tuple[str, ...]:
        return self.categories + self.times + self.numbers

    @property
    def filters(self) -> tuple[str, ...]:
        if self.search_filters is not None:
            return self.search_filters
        return tuple(name for name in lazy_module(self.service).LIST_FILTERS if name != "sort")

    def check_filters(self, filters: Mapping[str, str]) -> None:
        """The list route's own checks of these filters, as a 422 naming `filters.<name>`."""
        try:
            self._parsed(filters)
        except DomainError as error:
            field = getattr(error, "extensions", {}).get("field")
            name = f"filters.{field}" if field else "filters"
            raise ValidationFailed(f"{name}: {error.detail}", [{"field": name, "message": f"{name}: {error.detail}"}]) from None

    def page(self, principal: Principal, filters: Mapping[str, str], limit: int, cursor: str | None) -> dict[str, Any]:
        """One page of the list, as its route answers it: {"items", "next_cursor"}."""
        service = lazy_module(self.service)
        if self.search_filters is not None:
            return service.records.search(principal, self._parsed(filters), limit, cursor)
        return getattr(service, f"list_{self.resource}")(principal, dict(filters), limit, cursor)

    def _parsed(self, filters: Mapping[str, str]) -> Any:
        if self.search_filters is not None:
            return parse_search(filters, self.search_filters)
        return list_filters(filters, self.filters, getattr(lazy_module(self.service), "LIST_CHOICES", None))


_CONTACT_MANAGEMENT = "chalicelib.crm.contact_management.services"
SOURCES = {
    source.resource: source
    for source in (
        Source("customers", f"{_CONTACT_MANAGEMENT}.customers", ("status", "owner", "company", "company_id"),
               search_filters=(*_SEARCH_FILTERS, "company_id")),
        Source("leads", f"{_CONTACT_MANAGEMENT}.leads", ("status", "owner", "source", "company"),
               times=(*_RECORD_TIMES, "converted_at"), search_filters=_SEARCH_FILTERS),
        Source("contacts", f"{_CONTACT_MANAGEMENT}.contacts", ("status", "owner", "title", "company_id", "customer_id"),
               search_filters=(*_SEARCH_FILTERS, *LINK_FILTERS)),
        Source("companies", f"{_CONTACT_MANAGEMENT}.companies", ("status", "owner", "industry", "domain"),
               search_filters=tuple(name for name in _SEARCH_FILTERS if name != "email_prefix")),
        Source("activities", f"{_CONTACT_MANAGEMENT}.activities", ("type", "status", "assignee", "customer_id", "created_by"),
               times=(*_RECORD_TIMES, "due_at", "completed_at"), permission_of="customers"),
        Source("opportunities", "chalicelib.crm.sales_pipeline.services.opportunities",
               ("stage", "owner", "currency", "customer_id"), times=(*_RECORD_TIMES, "close_date"),
               numbers=("amount", "probability")),
        Source("deals", "chalicelib.crm.sales_pipeline.services.deals",
               ("status", "owner", "currency", "customer_id", "opportunity_id"), times=(*_RECORD_TIMES, "close_date"),
               numbers=("total",)),
        Source("campaigns", "chalicelib.crm.marketing.services.campaigns", ("channel", "status", "created_by"),
               times=(*_RECORD_TIMES, "starts_at", "ends_at"), numbers=("budget",)),
        Source("tickets", "chalicelib.crm.support.services.tickets",
               ("status", "priority", "assignee", "customer_id", "sla_breached", "created_by"),
               times=(*_RECORD_TIMES, "first_responded_at", "resolved_at", "first_response_due_at", "resolution_due_at")),
    )
}  # fmt: skip
