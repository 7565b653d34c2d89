"""Recompute the dashboard's counters per owner (platform/tables/owned_counters.py) from the records.

Records written before those counters existed count in their organization's figures but in no
owner's, so a member under team visibility would see them missing from their dashboard. This
counts every lead (deleted ones too: the leads created and converted per day are history), every
live opportunity and every live ticket under its owner, and sets each owner counter of each
organization to that count (a counter counting nothing any more, to 0). Run it once per stage after
deploying the counters, at a quiet time: a write committed while it runs may be counted twice or
not at all in its owner's counters, and running it again sets them right. A lead purged (30 days
after its delete) before the counters existed stays in the organization's `leads_created` only.

    TABLE_PREFIX=zebros-prod- .venv/bin/python -m chalicelib.crm.reporting.tables.backfill_owned_counters

An offline maintenance task, not a request path: it Scans `leads`, `opportunities` and `tickets`.
"""
from __future__ import annotations

from collections import Counter, defaultdict

from chalicelib.crm.contact_management.tables.leads import LeadModel, lead_counted
from chalicelib.crm.sales_pipeline.tables.opportunities import OpportunityModel, opportunity_counted
from chalicelib.crm.support.tables.tickets import TicketModel, ticket_counted
from chalicelib.platform.tables.counters import CounterModel
from chalicelib.platform.tables.owned_counters import OWNED_PREFIX, Counted, owned_keys


def backfill() -> int:
    """The number of owner counters written."""
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    for org_id, record in _counted_records():
        for tally in record.tallies:
            counts[org_id].update(owned_keys(tally, record.user, record.team))
    for org_id in _organizations_with_owned_counters():
        counts.setdefault(org_id, Counter())
    written = 0
    for org_id, values in counts.items():
        owned = CounterModel.query(org_id, range_key_condition=CounterModel.counter_key.startswith(OWNED_PREFIX))
        stale = {item.counter_key for item in owned}
        for key in stale | set(values):
            CounterModel(org_id, key).update(actions=[CounterModel.value.set(values[key])])
            written += 1
    return written


def _counted_records() -> list[tuple[str, Counted]]:
    records = [(lead.org_id, lead_counted(lead)) for lead in LeadModel.scan()]
    records += [(item.org_id, opportunity_counted(item)) for item in OpportunityModel.scan() if item.deleted_at is None]
    records += [(item.org_id, ticket_counted(item)) for item in TicketModel.scan() if item.deleted_at is None]
    return records


def _organizations_with_owned_counters() -> set[str]:
    """Organizations whose owner counters may need setting to 0 (they count no record any more)."""
    return {item.org_id for item in CounterModel.scan(filter_condition=CounterModel.counter_key.startswith(OWNED_PREFIX))}


if __name__ == "__main__":
    print(f"{backfill()} owner counters written")
