"""Table `counters`: per-organization tallies kept on write (dashboard figures without scans).
Partition `org_id`, sort `counter_key`, e.g. "leads_created#2026-11-22" or "tickets_status#open"."""
from __future__ import annotations

from pynamodb.attributes import NumberAttribute, UnicodeAttribute
from pynamodb.models import Model

from chalicelib.platform.tables.base import table_meta


class CounterModel(Model):
    Meta = table_meta("counters")

    org_id = UnicodeAttribute(hash_key=True)
    counter_key = UnicodeAttribute(range_key=True)
    value = NumberAttribute(default=0)


def counters_between(org_id: str, prefix: str, first: str, last: str) -> dict[str, int]:
    """One Query: counters "<prefix>#<first>" .. "<prefix>#<last>" inclusive, keyed by suffix."""
    results = CounterModel.query(
        org_id, range_key_condition=CounterModel.counter_key.between(f"{prefix}#{first}", f"{prefix}#{last}")
    )
    return {item.counter_key.split("#", 1)[1]: int(item.value) for item in results}


def counters_with_prefix(org_id: str, prefix: str) -> dict[str, int]:
    results = CounterModel.query(org_id, range_key_condition=CounterModel.counter_key.startswith(f"{prefix}#"))
    return {item.counter_key.split("#", 1)[1]: int(item.value) for item in results}
