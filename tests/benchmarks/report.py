"""Plain-text tables for the terminal, and the checks that decide the run's exit status."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any


@dataclass(frozen=True)
class Check:
    """One figure against its target. `passed` is None for a figure reported without a target."""

    section: str
    name: str
    measured: str
    target: str
    passed: bool | None

    @property
    def verdict(self) -> str:
        return {True: "PASS", False: "FAIL", None: "info"}[self.passed]

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "verdict": self.verdict}


def at_most(section: str, name: str, value: float, limit: float, unit: str = "", below: bool = False) -> Check:
    """value <= limit (or < limit when `below`), with both shown in `unit`."""
    passed = value < limit if below else value <= limit
    sign = "<" if below else "<="
    return Check(section, name, f"{value:g}{unit}", f"{sign} {limit:g}{unit}", passed)


def table(headers: Sequence[str], rows: Sequence[Sequence[Any]], right: Sequence[int] = ()) -> str:
    """Columns padded to their widest cell; columns listed in `right` are right-aligned (numbers)."""
    cells = [[str(cell) for cell in row] for row in [headers, *rows]]
    widths = [max(len(row[column]) for row in cells) for column in range(len(headers))]

    def line(row: list[str]) -> str:
        padded = [
            cell.rjust(width) if column in right else cell.ljust(width)
            for column, (cell, width) in enumerate(zip(row, widths))
        ]
        return "  " + "  ".join(padded).rstrip()

    rule = "  " + "  ".join("-" * width for width in widths)
    return "\n".join([line(cells[0]), rule, *(line(row) for row in cells[1:])])


def operations(calls: dict[str, int]) -> str:
    """{"GetItem": 1, "Query": 1} -> "GetItem 1, Query 1"; nothing -> "-"."""
    return ", ".join(f"{name} {count}" for name, count in sorted(calls.items())) or "-"
