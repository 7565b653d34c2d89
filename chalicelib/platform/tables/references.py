"""References between records: a body naming another record (customer_id, company_id, a campaign
member, a product) is checked where the write commits, so the referenced record cannot vanish
between the check and the write.

Each reference is a ConditionCheck in the write's own TransactWriteItems: the referenced record
exists, live (not soft-deleted), under the caller's organization. Another tenant's id is under
another partition, so it is as unknown as a missing one. An unknown reference answers 422 naming
the field, the same on every resource; when several are unknown, `writes.commit` names them all.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from typing import Any

from chalicelib.core.errors import ValidationFailed
from chalicelib.platform.tables.tenant_table import TenantTable
from chalicelib.platform.tables.writes import Change


def unknown_reference(field: str, noun: str) -> ValidationFailed:
    message = f"no {noun} with this id"
    return ValidationFailed(f"{field} names no {noun} of this organization.", [{"field": field, "message": message}])


def reference_check(table: TenantTable[Any], org_id: str, record_id: str, field: str) -> Change:
    """The part of a transaction asserting `field`'s record is live in the organization (else 422)."""
    return replace(table.existence_check(org_id, record_id), on_condition_failed=unknown_reference(field, table.noun))


def reference_checks(org_id: str, references: Iterable[tuple[str, TenantTable[Any], str | None]]) -> list[Change]:
    """One check per (field, table, id) that names a record; an empty or null id names none."""
    return [reference_check(table, org_id, record_id, field) for field, table, record_id in references if record_id]
