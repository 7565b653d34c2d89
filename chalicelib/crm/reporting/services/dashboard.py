"""GET /v1/dashboard: figures read from the counters the writes keep, never from the records.

Every domain keeps its counters in the same transaction as the write (platform/tables/counters.py):
`leads_created#<day>`, `leads_converted#<day>`, `opportunities_stage#<stage>`,
`tickets_status#<status>`. The dashboard is therefore four Queries of the organization's counter
partition, whatever the amount of data: two key ranges over days, two key prefixes.

A caller who sees only some records (a member under team visibility, platform/tables/visibility.py)
gets the figures of exactly those, from the same counters kept per owner
(platform/tables/owned_counters.py): after the scope's own reads, two Queries per user and per team
of their scope, and two for the unassigned records.
"""
from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta
from typing import Any

from chalicelib.core import clock
from chalicelib.core.errors import MalformedRequest
from chalicelib.platform.services.org_settings import STAGES
from chalicelib.platform.services.roles import Principal
from chalicelib.platform.tables.counters import counters_between, counters_with_prefix
from chalicelib.platform.tables.owned_counters import Figures, owned_figures
from chalicelib.platform.tables.visibility import current_scope

DEFAULT_DAYS = 30
MAX_DAYS = 366
# Listed with zeros when nothing was counted yet; any other status a counter holds shows too.
TICKET_STATUSES = ("open", "pending", "resolved", "closed")
PARAMETERS = ("from", "to")


def dashboard(principal: Principal, query: Mapping[str, str]) -> dict[str, Any]:
    first, last = _period(query)
    figures = _figures(principal.org_id, first.isoformat(), last.isoformat())
    created, converted = figures.daily.get("leads_created", {}), figures.daily.get("leads_converted", {})
    stages, tickets = figures.current.get("opportunities_stage", {}), figures.current.get("tickets_status", {})
    days = [(first + timedelta(days=offset)).isoformat() for offset in range((last - first).days + 1)]
    leads_created = sum(created.get(day, 0) for day in days)
    leads_converted = sum(converted.get(day, 0) for day in days)
    return {
        "from": first.isoformat(),
        "to": last.isoformat(),
        "leads_created_per_day": [{"date": day, "count": created.get(day, 0)} for day in days],
        "leads_created": leads_created,
        "leads_converted": leads_converted,
        # Leads converted in the period over leads created in it (a lead created earlier may
        # convert now), so the rate can exceed 1 for a short period; null when none were created.
        "conversion_rate": round(leads_converted / leads_created, 4) if leads_created else None,
        "opportunities_by_stage": {stage: stages.get(stage, 0) for stage in STAGES},
        "tickets_by_status": {**{status: 0 for status in TICKET_STATUSES}, **tickets},
    }


def _figures(org_id: str, first: str, last: str) -> Figures:
    scope = current_scope()
    if scope is not None:
        return owned_figures(org_id, scope.users, scope.teams, first, last)
    return Figures(
        daily={"leads_created": counters_between(org_id, "leads_created", first, last),
               "leads_converted": counters_between(org_id, "leads_converted", first, last)},
        current={"opportunities_stage": counters_with_prefix(org_id, "opportunities_stage"),
                 "tickets_status": counters_with_prefix(org_id, "tickets_status")},
    )  # fmt: skip


def _period(query: Mapping[str, str]) -> tuple[date, date]:
    for name in query:
        if name not in PARAMETERS:
            raise MalformedRequest(f"Unknown query parameter {name!r}; use from and to (YYYY-MM-DD).", field=name)
    today = clock.now().date()
    last = _day(query, "to") or today
    first = _day(query, "from") or last - timedelta(days=DEFAULT_DAYS - 1)
    if first > last:
        raise MalformedRequest("from must not be after to.", field="from")
    if (last - first).days + 1 > MAX_DAYS:
        raise MalformedRequest(f"The period may span at most {MAX_DAYS} days.", field="from")
    return first, last


def _day(query: Mapping[str, str], name: str) -> date | None:
    raw = query.get(name)
    if raw is None:
        return None
    try:
        if len(raw) != 10:
            raise ValueError(raw)
        return date.fromisoformat(raw)
    except ValueError:
        raise MalformedRequest(f"{name} must be a date, YYYY-MM-DD.", field=name) from None
