"""An organization's settings, with the defaults every organization starts from."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from chalicelib.platform.tables.org_settings import find_settings
from chalicelib.platform.tables.writes import plain

STAGES = ("lead", "qualified", "proposal", "negotiation", "closed_won", "closed_lost")
DEFAULT_CURRENCY = "USD"
# An IANA zone name: the days of reports and their schedules are this zone's.
DEFAULT_TIME_ZONE = "UTC"
DEFAULT_STAGE_PROBABILITIES = {
    "lead": 10,
    "qualified": 25,
    "proposal": 50,
    "negotiation": 75,
    "closed_won": 100,
    "closed_lost": 0,
}
PRIORITIES = ("low", "normal", "high", "urgent")
# Who sees the organization's team-owned records (platform/tables/visibility.py): everyone with the
# read permission, or, under "team", owners and admins all, everyone else their own and their teams'.
EVERYONE = "everyone"
TEAM = "team"
RECORD_VISIBILITIES = (EVERYONE, TEAM)
# Minutes to first response and to resolution, per ticket priority.
DEFAULT_SLA_TARGETS = {
    "low": {"first_response_minutes": 2880, "resolution_minutes": 10080},
    "normal": {"first_response_minutes": 480, "resolution_minutes": 2880},
    "high": {"first_response_minutes": 120, "resolution_minutes": 1440},
    "urgent": {"first_response_minutes": 30, "resolution_minutes": 240},
}


@dataclass(frozen=True)
class OrgSettings:
    currency: str
    stage_probabilities: dict[str, int]
    sla_targets: dict[str, dict[str, int]]
    version: int
    record_visibility: str = EVERYONE
    time_zone: str = DEFAULT_TIME_ZONE

    def view(self) -> dict[str, Any]:
        return {
            "currency": self.currency,
            "stage_probabilities": self.stage_probabilities,
            "sla_targets": self.sla_targets,
            "record_visibility": self.record_visibility,
            "time_zone": self.time_zone,
            "version": self.version,
        }


def settings_of(org_id: str) -> OrgSettings:
    """One GetItem; whatever the organization has not set comes from the defaults."""
    stored = find_settings(org_id)
    if stored is None:
        return OrgSettings(DEFAULT_CURRENCY, dict(DEFAULT_STAGE_PROBABILITIES), dict(DEFAULT_SLA_TARGETS), 0)
    return OrgSettings(
        currency=stored.currency or DEFAULT_CURRENCY,
        stage_probabilities={**DEFAULT_STAGE_PROBABILITIES, **(plain(stored.stage_probabilities) or {})},
        sla_targets={**DEFAULT_SLA_TARGETS, **(plain(stored.sla_targets) or {})},
        version=stored.version,
        record_visibility=stored.record_visibility or EVERYONE,
        time_zone=stored.time_zone or DEFAULT_TIME_ZONE,
    )


def is_time_zone(name: str) -> bool:
    """Whether the zone database (the system's, else the tzdata package's) knows the name."""
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True
