"""Opportunities: the sales pipeline's records, their stage moves and the per-stage counters.

Every write keeps the dashboard counter `opportunities_stage#<stage>`, and its owner's
(platform/tables/owned_counters.py), in the same transaction: +1 on create (in `lead`), -1 old /
+1 new on a stage move, -1 on delete, +1 on restore; a change of owner moves the owner's.
"""
from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from typing import Any

from chalicelib.core import clock
from chalicelib.core.errors import Conflict, MalformedRequest
from chalicelib.core.documents import NUMBER_LIMITS
from chalicelib.core.ids import new_id
from chalicelib.core.search import list_filters
from chalicelib.core.validation import validate
from chalicelib.crm.contact_management.tables.customers import customers
from chalicelib.crm.sales_pipeline.services.closing import closed_record, commit_while_open
from chalicelib.crm.sales_pipeline.services.pipeline import CLOSED_STAGES, FIRST_STAGE, OPEN_STAGES, check_transition
from chalicelib.crm.sales_pipeline.tables.opportunities import OpportunityModel, StageChange, opportunities, opportunity_counted
from chalicelib.observability import count
from chalicelib.platform.services.org_members import check_active_users
from chalicelib.platform.services.org_settings import STAGES, settings_of
from chalicelib.platform.services.roles import Principal
from chalicelib.platform.tables import lifecycle
from chalicelib.platform.tables.base import query_page
from chalicelib.platform.tables.references import reference_checks
from chalicelib.platform.tables.owned_counters import NOTHING, recount
from chalicelib.platform.tables.writes import Change, commit, plain

_ID = {"type": "string", "minLength": 1, "maxLength": 64}
_FIELDS: dict[str, Any] = {
    "name": {"type": "string", "minLength": 1, "maxLength": 200},
    "amount": {"type": "number", **NUMBER_LIMITS, "minimum": 0, "maximum": 1_000_000_000_000},
    "currency": {"type": "string", "pattern": "^[A-Z]{3}$"},
    "customer_id": {"type": ["string", "null"], "minLength": 1, "maxLength": 64},
    "close_date": {"type": "string", "format": "date"},
    "owner": _ID,
}
OPPORTUNITY_SCHEMA = {
    "type": "object",
    "additionalProperties": False,
    "required": ["name", "amount", "close_date"],
    # A new opportunity starts at `lead`; it moves only through PUT .../stage.
    "properties": {**_FIELDS, "stage": {"const": FIRST_STAGE}},
}
REPLACE_SCHEMA = {
    "type": "object",
    "additionalProperties": False,
    "required": ["name", "amount", "close_date"],
    "properties": _FIELDS,
}
PATCH_SCHEMA = {"type": "object", "additionalProperties": False, "minProperties": 1, "properties": _FIELDS}
STAGE_SCHEMA = {
    "type": "object",
    "additionalProperties": False,
    "required": ["stage"],
    "properties": {
        "stage": {"type": "string", "enum": list(STAGES)},
        "reason": {"type": ["string", "null"], "maxLength": 1000},
    },
}
LIST_FILTERS = ("stage", "owner", "customer_id", "close_from", "close_to")
# The values a list filter takes (the rest: 1 to 200 characters), checked by list_filters and
# declared in the OpenAPI document (routes: RecordSchemas(choices=...)).
LIST_CHOICES = {"stage": STAGES}
# Filters on close_date, a date (YYYY-MM-DD) like it.
DATE_FILTERS = ("close_from", "close_to")
REOPEN_SCHEMA = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "stage": {"type": "string", "enum": list(OPEN_STAGES)},
        "reason": {"type": ["string", "null"], "maxLength": 1000},
    },
}


def create_opportunity(principal: Principal, body: Any) -> dict[str, Any]:
    fields = validate(OPPORTUNITY_SCHEMA, body)
    check_active_users(principal.org_id, {"owner": fields.get("owner")})
    settings = settings_of(principal.org_id)
    now = clock.isoformat(clock.now())
    opportunity = OpportunityModel(
        principal.org_id,
        new_id(),
        name=fields["name"],
        amount=fields["amount"],
        currency=fields.get("currency") or settings.currency,
        customer_id=fields.get("customer_id"),
        close_date=fields["close_date"],
        owner=fields.get("owner", principal.user_id),
        stage=FIRST_STAGE,
        probability=settings.stage_probabilities[FIRST_STAGE],
        stage_history=[StageChange(at=now, by=principal.user_id, from_stage=None, to_stage=FIRST_STAGE)],
    )
    also = [*recount(principal.org_id, NOTHING, opportunity_counted(opportunity)),
            *reference_checks(principal.org_id, [("customer_id", customers, opportunity.customer_id)])]
    opportunities.insert(opportunity, principal.user_id, also=also)
    count("OpportunityCreated")
    return opportunity_view(opportunity)


def get_opportunity(principal: Principal, opportunity_id: str) -> dict[str, Any]:
    return opportunity_view(opportunities.get(principal.org_id, opportunity_id))


def list_opportunities(principal: Principal, query: Mapping[str, str], limit: int, cursor: str | None) -> dict[str, Any]:
    """One Query per page; which key or index serves which filter: data/opportunities.py."""
    return _page(principal.org_id, _parse_filters(query), limit, cursor)


def list_customer_opportunities(principal: Principal, customer_id: str, limit: int, cursor: str | None) -> dict[str, Any]:
    """GET /v1/customers/{id}/opportunities: a GetItem on the customer (404 across tenants, missing
    or deleted alike) and one Query of by_customer."""
    customers.get(principal.org_id, customer_id)
    return _page(principal.org_id, {"customer_id": customer_id}, limit, cursor)


def _page(org_id: str, filters: dict[str, str], limit: int, cursor: str | None) -> dict[str, Any]:
    model = OpportunityModel
    close_range = _between(model.close_date, filters.get("close_from"), filters.get("close_to"))
    condition = model.deleted_at.does_not_exist()
    key = None
    if "stage" in filters:
        partition_key = f"{org_id}#{filters['stage']}"
        source, partition, cursor_names = model.by_stage, {"org_id": org_id, "org_stage": partition_key}, {"opportunity_id", "close_date"}
        key = close_range
    else:
        if close_range is not None:
            condition &= close_range
        if "customer_id" in filters:
            partition_key = f"{org_id}#{filters['customer_id']}"
            source, partition = model.by_customer, {"org_id": org_id, "org_customer": partition_key}
        elif "owner" in filters:
            partition_key = f"{org_id}#{filters['owner']}"
            source, partition = model.by_owner, {"org_id": org_id, "org_owner": partition_key}
        else:
            partition_key, source, partition = org_id, model, {"org_id": org_id}
        cursor_names = {"opportunity_id"}
    if "customer_id" in filters and source is not model.by_customer:
        condition &= model.customer_id == filters["customer_id"]
    if "owner" in filters and source is not model.by_owner:
        condition &= model.owner == filters["owner"]
    items, next_cursor = query_page(
        source, model, partition, partition_key, frozenset(cursor_names), limit, cursor,
        range_key_condition=key, filter_condition=condition,
    )
    return {"items": [opportunity_view(item) for item in items], "next_cursor": next_cursor}


def replace_opportunity(principal: Principal, opportunity_id: str, body: Any, expected_version: int) -> dict[str, Any]:
    fields = validate(REPLACE_SCHEMA, body)
    complete = {"customer_id": None, "owner": principal.user_id, **fields}
    if "currency" not in complete:
        complete["currency"] = settings_of(principal.org_id).currency
    return _apply(principal, opportunity_id, complete, expected_version)


def patch_opportunity(principal: Principal, opportunity_id: str, body: Any, expected_version: int | None) -> dict[str, Any]:
    return _apply(principal, opportunity_id, validate(PATCH_SCHEMA, body), expected_version)


def change_stage(principal: Principal, opportunity_id: str, body: Any, expected_version: int | None) -> dict[str, Any]:
    """One legal move (services/pipeline.py), recorded in stage_history, the stage's probability
    from the organization's settings, the counters moved: one transaction, conditional on the
    version read, so two concurrent moves cannot both apply."""
    fields = validate(STAGE_SCHEMA, body)
    target, reason = fields["stage"], (fields.get("reason") or "").strip() or None
    org_id = principal.org_id
    current = opportunities.get(org_id, opportunity_id)
    opportunities.check_version(current, expected_version)
    try:
        check_transition(current.stage, target, reason)
    except Conflict:
        _refuse_closed(current)
        raise
    entry = StageChange(at=clock.isoformat(clock.now()), by=principal.user_id, from_stage=current.stage,
                        to_stage=target, reason=reason)
    changes = {
        "stage": target,
        "probability": settings_of(org_id).stage_probabilities[target],
        "stage_history": [*(current.stage_history or []), entry],
    }
    parts, updated = opportunities.modification(current, changes, principal.user_id, action="stage_changed")
    _commit_while_open(org_id, opportunity_id, parts, recount(org_id, opportunity_counted(current), opportunity_counted(updated)))
    count({"closed_won": "OpportunityWon", "closed_lost": "OpportunityLost"}.get(target, "OpportunityAdvanced"))
    return opportunity_view(updated)


def reopen_opportunity(principal: Principal, opportunity_id: str, body: Any, expected_version: int | None) -> dict[str, Any]:
    """A closed opportunity back to an open stage (by default the one it was closed from), audited
    as "reopened" (event opportunity.reopened), the stage counters moved, conditional on it being
    still closed at the version read."""
    fields = validate(REOPEN_SCHEMA, body or {})
    org_id = principal.org_id
    current = opportunities.get(org_id, opportunity_id)
    opportunities.check_version(current, expected_version)
    if current.stage not in CLOSED_STAGES:
        raise Conflict(f"The opportunity is {current.stage}, not closed; there is nothing to reopen.",
                       current_stage=current.stage)
    closed_from = next((change.from_stage for change in reversed(current.stage_history or [])
                        if change.to_stage == current.stage and change.from_stage in OPEN_STAGES), FIRST_STAGE)
    target = fields.get("stage", closed_from)
    reason = (fields.get("reason") or "").strip() or None
    entry = StageChange(at=clock.isoformat(clock.now()), by=principal.user_id, from_stage=current.stage,
                        to_stage=target, reason=reason)
    changes = {"stage": target, "probability": settings_of(org_id).stage_probabilities[target],
               "stage_history": [*(current.stage_history or []), entry]}
    parts, updated = opportunities.modification(current, changes, principal.user_id, action="reopened")
    parts[0].condition &= OpportunityModel.stage.is_in(*CLOSED_STAGES)
    commit([*parts, *recount(org_id, opportunity_counted(current), opportunity_counted(updated))])
    count("OpportunityReopened")
    return opportunity_view(updated)


def delete_opportunity(principal: Principal, opportunity_id: str, expected_version: int | None) -> None:
    lifecycle.soft_delete(
        opportunities, principal.org_id, opportunity_id, expected_version, principal.user_id,
        also=lambda current: recount(principal.org_id, opportunity_counted(current), NOTHING),
        guard=_refuse_closed,
    )
    count("OpportunityDeleted")


def restore_opportunity(principal: Principal, opportunity_id: str) -> dict[str, Any]:
    restored = lifecycle.restore(
        opportunities, principal.org_id, opportunity_id, principal.user_id,
        also=lambda item: recount(principal.org_id, NOTHING, opportunity_counted(item)),
    )
    count("OpportunityRestored")
    return opportunity_view(restored)


def opportunity_view(item: OpportunityModel) -> dict[str, Any]:
    return {
        "id": item.opportunity_id,
        "name": item.name,
        "amount": plain(item.amount),
        "currency": item.currency,
        "customer_id": item.customer_id,
        "close_date": item.close_date,
        "owner": item.owner,
        "stage": item.stage,
        "probability": plain(item.probability),
        "stage_history": [
            {"at": change.at, "by": change.by, "from_stage": change.from_stage, "to_stage": change.to_stage,
             "reason": change.reason}
            for change in item.stage_history or []
        ],
        "created_at": clock.isoformat(item.created_at),
        "updated_at": clock.isoformat(item.updated_at),
        "version": item.version,
    }


def _apply(principal: Principal, opportunity_id: str, changes: dict[str, Any], expected_version: int | None) -> dict[str, Any]:
    org_id = principal.org_id
    current = _open(org_id, opportunity_id)
    opportunities.check_version(current, expected_version)
    check_active_users(org_id, {"owner": changes.get("owner")}, current)
    parts, updated = opportunities.modification(current, changes, principal.user_id)
    if parts:
        moved = changes.get("customer_id") != current.customer_id
        also = reference_checks(org_id, [("customer_id", customers, changes.get("customer_id"))]) if moved else []
        also += recount(org_id, opportunity_counted(current), opportunity_counted(updated))
        _commit_while_open(org_id, opportunity_id, parts, also)
        count("OpportunityUpdated")
    return opportunity_view(updated)


def _open(org_id: str, opportunity_id: str) -> OpportunityModel:
    """The opportunity, read to be changed: a closed one is 409 (reopen it first)."""
    current = opportunities.get(org_id, opportunity_id)
    _refuse_closed(current)
    return current


def _refuse_closed(current: OpportunityModel) -> None:
    if current.stage in CLOSED_STAGES:
        raise closed_record("opportunity", "/v1/opportunities", current.opportunity_id, current.stage)


def _commit_while_open(org_id: str, opportunity_id: str, parts: list[Change], also: list[Change]) -> None:
    def closed_now() -> Conflict | None:
        latest = opportunities.get(org_id, opportunity_id)
        if latest.stage in CLOSED_STAGES:
            return closed_record("opportunity", "/v1/opportunities", opportunity_id, latest.stage)
        return None

    commit_while_open(parts, ~OpportunityModel.stage.is_in(*CLOSED_STAGES), closed_now, also)


def _is_date(value: str) -> bool:
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        return False
    try:
        date.fromisoformat(value)
    except ValueError:
        return False
    return True


def _parse_filters(query: Mapping[str, str]) -> dict[str, str]:
    filters = list_filters(query, LIST_FILTERS, LIST_CHOICES)
    for name in DATE_FILTERS:
        if name in filters and not _is_date(filters[name]):
            raise MalformedRequest(f"{name} must be a date (YYYY-MM-DD).", field=name)
    return filters


def _between(attribute: Any, low: str | None, high: str | None) -> Any:
    if low and high:
        return attribute.between(low, high)
    if low:
        return attribute >= low
    if high:
        return attribute <= high
    return None
