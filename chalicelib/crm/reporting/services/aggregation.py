"""The aggregation of a report: records in, rows out, in plain Python (no tables, no AWS).

A run reads its records page by page (services/report_runs.py), so the work is split into chunks
that each fold their records into a `Partial`; partials merge in any grouping and any order into
the same result, which is what lets a long run be cut into chunks of a few seconds each and
still equal one pass over every record (tests/api/test_report_engine.py checks it against a
brute-force computation).

Numbers are summed as `Decimal` with enough precision to be exact for what DynamoDB stores
(38 digits), so sums do not depend on the order or the chunking, as float sums would.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Context, Decimal
from typing import Any
from zoneinfo import ZoneInfo

from chalicelib.core import clock

BUCKETS = ("day", "week", "month")
FUNCTIONS = ("count", "sum", "avg", "min", "max")
# 38 digits stored, up to 10^38 - 1 values per sum, sums of sums: 100 digits never round.
_EXACT = Context(prec=100)


@dataclass(frozen=True)
class Grouping:
    """A field the rows are grouped by; a timestamp grouped by its `bucket` in the time zone."""

    field: str
    bucket: str | None = None

    @property
    def column(self) -> str:
        return f"{self.field}_{self.bucket}" if self.bucket else self.field


@dataclass(frozen=True)
class Measure:
    """`count` of records, or `sum`/`avg`/`min`/`max` of a numeric field (records without a
    value for it are left out of that measure, as SQL does)."""

    function: str
    field: str | None = None

    @property
    def column(self) -> str:
        return self.function if self.function == "count" else f"{self.function}_{self.field}"


@dataclass(frozen=True)
class DateRange:
    """Records whose `field` falls on a day from `first` to `last` (inclusive) in the time zone."""

    field: str
    first: date | None
    last: date | None


@dataclass(frozen=True)
class Aggregation:
    groups: tuple[Grouping, ...]
    measures: tuple[Measure, ...]
    time_zone: ZoneInfo
    date_range: DateRange | None = None

    @property
    def columns(self) -> list[str]:
        return [grouping.column for grouping in self.groups] + [measure.column for measure in self.measures]


@dataclass
class _Cell:
    """What every measure needs of one group: its record count, and per numeric field the count,
    exact sum, minimum and maximum of its values."""

    records: int = 0
    values: dict[str, list[Any]] = field(default_factory=dict)  # field -> [count, sum, min, max]

    def add(self, record: Mapping[str, Any], fields: Iterable[str]) -> None:
        self.records += 1
        for name in fields:
            value = record.get(name)
            if value is None or isinstance(value, bool):
                continue
            number = Decimal(str(value))
            self._fold(name, 1, number, number, number)

    def merge(self, other: _Cell) -> None:
        self.records += other.records
        for name, (count, total, low, high) in other.values.items():
            self._fold(name, count, total, low, high)

    def _fold(self, name: str, count: int, total: Decimal, low: Decimal, high: Decimal) -> None:
        current = self.values.get(name)
        if current is None:
            self.values[name] = [count, total, low, high]
            return
        current[0] += count
        current[1] = _EXACT.add(current[1], total)
        current[2] = min(current[2], low)
        current[3] = max(current[3], high)


@dataclass
class Partial:
    """The aggregate of some of a report's records: mergeable with the aggregate of others, and
    JSON-ready (`as_json`/`from_json`) to travel between chunks of a run."""

    cells: dict[tuple[Any, ...], _Cell] = field(default_factory=dict)
    records_read: int = 0

    def merge(self, other: Partial) -> Partial:
        for key, cell in other.cells.items():
            self.cells.setdefault(key, _Cell()).merge(cell)
        self.records_read += other.records_read
        return self

    def as_json(self) -> dict[str, Any]:
        return {
            "records_read": self.records_read,
            "cells": [
                [list(key), cell.records, {name: [count, str(total), str(low), str(high)]
                                           for name, (count, total, low, high) in cell.values.items()}]
                for key, cell in self.cells.items()
            ],
        }  # fmt: skip

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Partial:
        partial = cls(records_read=data["records_read"])
        for key, records, values in data["cells"]:
            partial.cells[tuple(key)] = _Cell(
                records, {name: [count, Decimal(total), Decimal(low), Decimal(high)] for name, (count, total, low, high) in values.items()}
            )
        return partial


def aggregate(records: Iterable[Mapping[str, Any]], aggregation: Aggregation) -> Partial:
    """Folds records (as the list routes show them) into a partial aggregate."""
    partial = Partial()
    measured = sorted({measure.field for measure in aggregation.measures if measure.field})
    for record in records:
        partial.records_read += 1
        if not _in_range(record, aggregation):
            continue
        key = tuple(_group_value(record, grouping, aggregation.time_zone) for grouping in aggregation.groups)
        partial.cells.setdefault(key, _Cell()).add(record, measured)
    return partial


def rows(partial: Partial, aggregation: Aggregation) -> list[dict[str, Any]]:
    """One row per group, ordered by the group values (nulls first), each with its measures."""
    result = []
    for key in sorted(partial.cells, key=lambda key: [_order(value) for value in key]):
        cell = partial.cells[key]
        row = {grouping.column: value for grouping, value in zip(aggregation.groups, key)}
        row.update({measure.column: _measure(cell, measure) for measure in aggregation.measures})
        result.append(row)
    return result


def bucket_of(local: date, bucket: str) -> str:
    """The day (YYYY-MM-DD), week (its Monday, YYYY-MM-DD) or month (YYYY-MM) of a local day."""
    if bucket == "day":
        return local.isoformat()
    if bucket == "week":
        return (local - timedelta(days=local.weekday())).isoformat()
    return local.isoformat()[:7]


def plain_number(value: Decimal) -> int | float:
    return int(value) if value == value.to_integral_value() else float(value)


def _measure(cell: _Cell, measure: Measure) -> int | float | None:
    if measure.function == "count":
        return cell.records
    values = cell.values.get(measure.field or "")
    if values is None:
        return None
    count, total, low, high = values
    if measure.function == "sum":
        return plain_number(total)
    if measure.function == "avg":
        return plain_number(_EXACT.divide(total, Decimal(count)))
    return plain_number(low if measure.function == "min" else high)


def _group_value(record: Mapping[str, Any], grouping: Grouping, time_zone: ZoneInfo) -> Any:
    value = record.get(grouping.field)
    if value is None or grouping.bucket is None:
        return value
    return bucket_of(local_day(value, time_zone), grouping.bucket)


def _in_range(record: Mapping[str, Any], aggregation: Aggregation) -> bool:
    date_range = aggregation.date_range
    if date_range is None:
        return True
    value = record.get(date_range.field)
    if value is None:
        return False
    day = local_day(value, aggregation.time_zone)
    return (date_range.first is None or day >= date_range.first) and (date_range.last is None or day <= date_range.last)


def local_day(value: str, time_zone: ZoneInfo) -> date:
    """The day of a date field (close_date: YYYY-MM-DD), or the day a timestamp falls on in the zone."""
    if len(value) == 10:
        return date.fromisoformat(value)
    return clock.parse(value).astimezone(time_zone).date()


def _order(value: Any) -> tuple[int, str, Any]:
    # Groups hold strings, booleans or nulls; nulls first, then by type, then by value.
    return (0, "", "") if value is None else (1, type(value).__name__, value)
