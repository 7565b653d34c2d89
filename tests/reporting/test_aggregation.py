"""The report engine against a brute-force computation: any records, any grouping (fields and
day/week/month buckets in a time zone), any measures, any date range, cut into any chunks whose
partial aggregates travel as JSON and merge in any order, give the rows a direct computation
gives. The HTTP run of a report is checked against brute force in tests/api/test_reports.py."""
from __future__ import annotations

import json
from collections import defaultdict
from datetime import date, datetime, timedelta, timezone
from fractions import Fraction
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from chalicelib.crm.reporting.services.aggregation import Aggregation, DateRange, Grouping, Measure, Partial, aggregate, rows

ZONES = ["UTC", "Europe/Paris", "America/Los_Angeles", "Asia/Kolkata", "Pacific/Chatham", "Australia/Lord_Howe"]
START = datetime(2025, 12, 20, tzinfo=timezone.utc)

amounts = st.one_of(
    st.none(),
    st.integers(min_value=-10**12, max_value=10**12),
    st.decimals(min_value=-10**9, max_value=10**9, places=4, allow_nan=False, allow_infinity=False).map(
        lambda value: int(value) if value == int(value) else float(value)
    ),
)
moments = st.integers(min_value=0, max_value=120 * 24 * 60).map(
    lambda minutes: (START + timedelta(minutes=minutes)).isoformat(timespec="milliseconds").replace("+00:00", "Z")
)
records = st.lists(
    st.fixed_dictionaries({
        "owner": st.sampled_from([None, "ada", "bob", "cy"]),
        "stage": st.sampled_from(["lead", "won", "lost"]),
        "active": st.booleans(),
        "amount": amounts,
        "probability": amounts,
        "created_at": moments,
        "close_date": st.dates(date(2025, 12, 1), date(2026, 4, 30)).map(date.isoformat),
    }),
    max_size=60,
)  # fmt: skip
groupings = st.lists(
    st.one_of(
        st.sampled_from(["owner", "stage", "active"]).map(Grouping),
        st.builds(Grouping, st.sampled_from(["created_at", "close_date"]), st.sampled_from(["day", "week", "month"])),
    ),
    max_size=2,
    unique_by=lambda grouping: grouping.column,
)
measures = st.lists(
    st.one_of(st.just(Measure("count")), st.builds(Measure, st.sampled_from(["sum", "avg", "min", "max"]), st.sampled_from(["amount", "probability"]))),
    min_size=1,
    max_size=4,
    unique_by=lambda measure: measure.column,
)
days = st.one_of(st.none(), st.dates(date(2025, 12, 15), date(2026, 4, 30)))
date_ranges = st.one_of(st.none(), st.builds(DateRange, st.sampled_from(["created_at", "close_date"]), days, days))


def brute_force(items, groups, wanted, zone, date_range):
    """Each record's local day and bucket computed directly, exact sums with Fraction."""

    def day_of(value):
        if len(value) == 10:
            return date.fromisoformat(value)
        return datetime.fromisoformat(value.replace("Z", "+00:00")).astimezone(zone).date()

    def bucket(value, size):
        day = day_of(value)
        if size == "day":
            return day.isoformat()
        if size == "week":
            return (day - timedelta(days=day.weekday())).isoformat()
        return f"{day.year:04d}-{day.month:02d}"

    selected = []
    for item in items:
        if date_range is not None:
            value = item[date_range.field]
            if date_range.first and day_of(value) < date_range.first:
                continue
            if date_range.last and day_of(value) > date_range.last:
                continue
        selected.append(item)
    grouped = defaultdict(list)
    for item in selected:
        key = tuple(bucket(item[g.field], g.bucket) if g.bucket else item[g.field] for g in groups)
        grouped[key].append(item)

    def number(fraction):
        return int(fraction) if fraction.denominator == 1 else float(fraction)

    result = {}
    for key, members in grouped.items():
        row = {g.column: value for g, value in zip(groups, key)}
        for measure in wanted:
            if measure.function == "count":
                row["count"] = len(members)
                continue
            values = [Fraction(str(item[measure.field])) for item in members if item[measure.field] is not None]
            if not values:
                row[measure.column] = None
            elif measure.function == "sum":
                row[measure.column] = number(sum(values))
            elif measure.function == "avg":
                row[measure.column] = number(sum(values) / len(values))
            else:
                row[measure.column] = number((min if measure.function == "min" else max)(values))
        result[key] = row
    return result


@settings(max_examples=300, deadline=None)
@given(records, groupings, measures, st.sampled_from(ZONES), date_ranges, st.data())
def test_rows_equal_brute_force_whatever_the_chunks(items, groups, wanted, zone_name, date_range, data):
    zone = ZoneInfo(zone_name)
    aggregation = Aggregation(tuple(groups), tuple(wanted), zone, date_range)
    cuts = sorted(data.draw(st.lists(st.integers(0, len(items)), max_size=5)))
    chunks = [items[start:end] for start, end in zip([0, *cuts], [*cuts, len(items)])]
    # Each chunk's partial goes through JSON, as between the steps of a run, and they merge in any order.
    partials = [Partial.from_json(json.loads(json.dumps(aggregate(chunk, aggregation).as_json()))) for chunk in chunks]
    order = data.draw(st.permutations(range(len(partials))))
    merged = Partial()
    for index in order:
        merged.merge(partials[index])

    got = rows(merged, aggregation)
    expected = brute_force(items, groups, wanted, zone, date_range)
    assert merged.records_read == len(items)
    assert {tuple(row[g.column] for g in groups): row for row in got} == expected
    assert len(got) == len(expected)
    keys = [tuple(row[g.column] for g in groups) for row in got]
    # Ordered by the group values, nulls first (a column holds one type besides null).
    assert keys == sorted(keys, key=lambda key: [(value is not None, value if value is not None else "") for value in key])
    assert all(list(row) == aggregation.columns for row in got)


def test_a_week_starts_on_monday_and_days_are_local():
    zone = ZoneInfo("America/Los_Angeles")
    aggregation = Aggregation((Grouping("created_at", "week"), Grouping("created_at", "day")), (Measure("count"),), zone)
    # 2026-03-02 03:00 UTC is Sunday 2026-03-01 19:00 in Los Angeles: the week of Monday 2026-02-23.
    got = rows(aggregate([{"created_at": "2026-03-02T03:00:00.000Z"}, {"created_at": "2026-03-02T09:00:00.000Z"}], aggregation), aggregation)
    assert got == [
        {"created_at_week": "2026-02-23", "created_at_day": "2026-03-01", "count": 1},
        {"created_at_week": "2026-03-02", "created_at_day": "2026-03-02", "count": 1},
    ]
