"""GET /v1/forecast: the weighted open pipeline equals a brute-force sum over the same records."""
from __future__ import annotations

from collections import defaultdict

import pytest

from tests.conftest import add_users

MOVES = {"lead": [], "qualified": ["qualified"], "proposal": ["qualified", "proposal"],
         "negotiation": ["qualified", "proposal", "negotiation"],
         "closed_won": ["qualified", "proposal", "negotiation", "closed_won"], "closed_lost": ["closed_lost"]}


def make(api, caller, stage, amount, owner, close_date, currency="USD"):
    add_users(caller.org_id, owner)
    item = api.post("/v1/opportunities", {"name": "F", "amount": amount, "close_date": close_date, "owner": owner,
                                          "currency": currency}, as_=caller).json
    for step in MOVES[stage]:
        item = api.put(f"/v1/opportunities/{item['id']}/stage", {"stage": step, "reason": "lost"}, as_=caller).json
    return item


def brute_force(records, low=None, high=None, currency=None):
    chosen = [r for r in records if r["stage"] not in ("closed_won", "closed_lost")
              and (low or "0") <= r["close_date"] <= (high or "9") and currency in (None, r["currency"])]
    groups = {name: defaultdict(lambda: [0, 0.0, 0.0]) for name in ("totals", "by_stage", "by_owner", "by_close_month")}
    for r in chosen:
        for name, key in (("totals", ()), ("by_stage", (r["stage"],)), ("by_owner", (r["owner"],)),
                          ("by_close_month", (r["close_date"][:7],))):
            row = groups[name][(*key, r["currency"])]
            row[0] += 1
            row[1] += r["amount"]
            row[2] += r["amount"] * r["probability"] / 100
    return {name: {key: (c, round(a, 2), round(w, 2)) for key, (c, a, w) in group.items()} for name, group in groups.items()}


def as_groups(reply):
    field = {"totals": (), "by_stage": ("stage",), "by_owner": ("owner",), "by_close_month": ("month",)}
    return {name: {(*[row[f] for f in fields], row["currency"]): (row["count"], round(row["amount"], 2),
                                                                   round(row["weighted_amount"], 2))
                   for row in reply[name]} for name, fields in field.items()}


def test_forecast_equals_brute_force(api, owner):
    specs = [
        ("lead", 1000, "ann", "2026-01-15"), ("qualified", 2000, "ann", "2026-01-31"),
        ("proposal", 333.33, "bob", "2026-02-01"), ("negotiation", 5000, "bob", "2026-03-10"),
        ("closed_won", 9999, "ann", "2026-02-10"), ("closed_lost", 7777, "bob", "2026-02-11"),
        ("proposal", 800, "cy", "2026-02-28", "EUR"), ("lead", 50, "ann", "2026-04-01", "EUR"),
        ("negotiation", 120.5, "cy", "2025-12-31"),
    ]
    records = [make(api, owner, *spec) for spec in specs]
    deleted = make(api, owner, "proposal", 4444, "ann", "2026-02-02")
    assert api.delete(f"/v1/opportunities/{deleted['id']}", as_=owner).status == 204
    for params in [{}, {"from": "2026-01-01"}, {"to": "2026-02-28"}, {"from": "2026-02-01", "to": "2026-03-31"},
                   {"currency": "EUR"}, {"currency": "USD", "from": "2026-01-31", "to": "2026-01-31"},
                   {"currency": "GBP"}]:
        query = "&".join(f"{k}={v}" for k, v in params.items())
        reply = api.get(f"/v1/forecast?{query}", as_=owner)
        assert reply.status == 200, reply.body
        assert as_groups(reply.json) == brute_force(records, params.get("from"), params.get("to"), params.get("currency"))
        assert reply.json["currency"] == params.get("currency")


def test_mixed_currencies_are_reported_apart(api, owner):
    make(api, owner, "lead", 100, "ann", "2026-01-01", "USD")
    make(api, owner, "lead", 100, "ann", "2026-01-01", "EUR")
    totals = api.get("/v1/forecast", as_=owner).json["totals"]
    assert totals == [{"currency": "EUR", "count": 1, "amount": 100, "weighted_amount": 10},
                      {"currency": "USD", "count": 1, "amount": 100, "weighted_amount": 10}]


def test_another_organizations_pipeline_is_invisible(api, owner, login_as):
    make(api, owner, "lead", 100, "ann", "2026-01-01")
    intruder = login_as("owner")
    assert api.get("/v1/forecast", as_=intruder).json["totals"] == []


def test_viewers_read_the_forecast(api, owner, login_as):
    assert api.get("/v1/forecast", as_=login_as("viewer", org_of=owner)).status == 200


@pytest.mark.parametrize("query", ["from=2026-13-01", "to=tomorrow", "currency=usd", "stage=lead",
                                   "from=2026-03-01&to=2026-01-01"])
def test_bad_parameters_are_400(api, owner, query):
    reply = api.get(f"/v1/forecast?{query}", as_=owner)
    assert reply.status == 400 and reply.header("content-type") == "application/problem+json"
