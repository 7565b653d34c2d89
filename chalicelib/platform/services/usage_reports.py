"""GET /v1/usage: how often the organization's members used each metered action, per day, from the
counters the metering writes (platform/tables/usage.py): one Query on the organization's partition
over the period's key range, never a Scan. For billing, and for members to see where they stand.

Whoever manages the organization's settings (owners and admins: `settings:write`) sees every
member's usage and may narrow it to one (`user_id`); anyone else sees their own only.
"""
from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any

from chalicelib.core.errors import Forbidden, ValidationFailed
from chalicelib.platform.services.quotas import ORGANIZATION_SUBJECT, org_scope, user_subject
from chalicelib.platform.services.roles import Principal
from chalicelib.platform.tables import usage

# A billing month at most per request; a longer period is several requests.
MAX_DAYS = 31
ORGANIZATION_WIDE = "settings:write"
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def usage_report(principal: Principal, first: str | None, last: str | None, user_id: str | None) -> dict[str, Any]:
    first_day, last_day = _period(first, last)
    whole_organization = ORGANIZATION_WIDE in principal.permissions
    if user_id is not None and user_id != principal.user_id and not whole_organization:
        raise Forbidden(f"The {principal.role} role sees its own usage only; ask an owner or admin for others'.")
    subject = None if whole_organization and user_id is None else user_subject(user_id or principal.user_id)
    counts = [
        count
        for count in usage.daily_counts(org_scope(principal.org_id), first_day.isoformat(), last_day.isoformat())
        if (count.subject.startswith("user#") and (subject is None or count.subject == subject))
        # An action metered per organization (a family's stories) is everyone's: shown organization-wide.
        or (count.subject == ORGANIZATION_SUBJECT and subject is None)
    ]
    totals: dict[tuple[str, str], int] = {}
    for count in counts:
        totals[(count.day, count.action)] = totals.get((count.day, count.action), 0) + count.count
    return {
        "organization_id": principal.org_id,
        "from": first_day.isoformat(),
        "to": last_day.isoformat(),
        "user_id": None if subject is None else subject.removeprefix("user#"),
        "totals": [{"date": day, "action": action, "count": total} for (day, action), total in totals.items()],
        "items": [
            {"date": count.day, "action": count.action,
             "user_id": None if count.subject == ORGANIZATION_SUBJECT else count.subject.removeprefix("user#"),
             "count": count.count}
            for count in counts
        ],
    }


def _period(first: str | None, last: str | None) -> tuple[date, date]:
    errors = []
    days: dict[str, date] = {}
    for name, text in (("from", first), ("to", last)):
        if text is None:
            errors.append({"field": name, "message": "required: a date, YYYY-MM-DD (UTC)"})
            continue
        try:
            if not _DATE.fullmatch(text):
                raise ValueError(text)
            days[name] = date.fromisoformat(text)
        except ValueError:
            errors.append({"field": name, "message": "not a date: YYYY-MM-DD (UTC)"})
    if not errors and days["to"] < days["from"]:
        errors.append({"field": "to", "message": "before from"})
    if not errors and days["to"] - days["from"] >= timedelta(days=MAX_DAYS):
        errors.append({"field": "to", "message": f"at most {MAX_DAYS} days from from, both included"})
    if errors:
        raise ValidationFailed("The period of usage is not valid.", errors)
    return days["from"], days["to"]
