"""GET /v1/forecast: the weighted pipeline (amount x probability / 100) of OPEN opportunities,
grouped by stage, by owner and by close month, with totals.

Served by GSI by_stage (org_stage = "<org>#<stage>", close_date): one Query per open stage (four,
each paged through to its end), the close-date range in the key condition, deleted records (and
other currencies, with ?currency=) filtered by DynamoDB. No Scan. Each record's own probability
is used: the one the organization's settings gave its stage when it entered it.
Under team visibility a member's forecast counts only the opportunities they see (the index
Query bypasses base.find, so `hidden` is applied here).
Amounts in different currencies are never added together: every row names its currency.
"""
from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from typing import Any

from chalicelib.core.errors import MalformedRequest
from chalicelib.crm.sales_pipeline.services.pipeline import OPEN_STAGES
from chalicelib.crm.sales_pipeline.tables.opportunities import OpportunityModel
from chalicelib.platform.services.roles import Principal
from chalicelib.platform.tables.visibility import hidden

PARAMETERS = ("from", "to", "currency")
_CENT = Decimal("0.01")


def forecast(principal: Principal, query: Mapping[str, str]) -> dict[str, Any]:
    params = _parse(query)
    low, high = params.get("from"), params.get("to")
    if low and high and low > high:
        raise MalformedRequest("from must not be after to.", field="from")
    model = OpportunityModel
    key = None
    if low and high:
        key = model.close_date.between(low, high)
    elif low:
        key = model.close_date >= low
    elif high:
        key = model.close_date <= high
    condition = model.deleted_at.does_not_exist()
    if "currency" in params:
        condition &= model.currency == params["currency"]
    groups: dict[str, dict[tuple[str, ...], list[Decimal]]] = {
        name: defaultdict(lambda: [Decimal(0), Decimal(0), Decimal(0)]) for name in ("totals", "stage", "owner", "month")
    }
    for stage in OPEN_STAGES:
        for item in model.by_stage.query(f"{principal.org_id}#{stage}", range_key_condition=key, filter_condition=condition):
            if hidden(item):
                continue
            amount = Decimal(str(item.amount))
            weighted = amount * Decimal(str(item.probability)) / 100
            for name, group in (("totals", ()), ("stage", (stage,)), ("owner", (item.owner,)), ("month", (item.close_date[:7],))):
                row = groups[name][(*group, item.currency)]
                row[0] += 1
                row[1] += amount
                row[2] += weighted
    return {
        "from": low,
        "to": high,
        "currency": params.get("currency"),
        "totals": _rows(groups["totals"], ()),
        "by_stage": sorted(_rows(groups["stage"], ("stage",)), key=lambda row: (OPEN_STAGES.index(row["stage"]), row["currency"])),
        "by_owner": _rows(groups["owner"], ("owner",)),
        "by_close_month": _rows(groups["month"], ("month",)),
    }


def _rows(group: dict[tuple[str, ...], list[Decimal]], names: tuple[str, ...]) -> list[dict[str, Any]]:
    rows = []
    for key in sorted(group):
        count, amount, weighted = group[key]
        rows.append({
            **dict(zip(names, key)),
            "currency": key[-1],
            "count": int(count),
            "amount": _number(amount),
            "weighted_amount": _number(weighted),
        })
    return rows


def _number(value: Decimal) -> int | float:
    value = value.quantize(_CENT)
    return int(value) if value == value.to_integral_value() else float(value)


def _parse(query: Mapping[str, str]) -> dict[str, str]:
    params: dict[str, str] = {}
    for name, raw in query.items():
        if name not in PARAMETERS:
            raise MalformedRequest(f"Unknown query parameter {name!r}; parameters are {', '.join(PARAMETERS)}.", field=name)
        if name == "currency":
            if not re.fullmatch(r"[A-Z]{3}", raw or ""):
                raise MalformedRequest("currency must be a three-letter ISO 4217 code.", field=name)
        elif not _is_date(raw):
            raise MalformedRequest(f"{name} must be a date (YYYY-MM-DD).", field=name)
        params[name] = raw
    return params


def _is_date(value: str | None) -> bool:
    if not value or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        return False
    try:
        date.fromisoformat(value)
    except ValueError:
        return False
    return True
