"""Quotas and rate limits: how often a member may use a metered action per day (by the
organization's plan), and how often an address may try an unauthenticated route per minute.

Each metered request is one conditional UpdateItem on its counter (tables/usage.py), never a read
of the counter then a write: exact under any concurrency, and a refusal writes nothing. What a
caller is told follows the IETF httpapi RateLimit header fields draft (structured fields):
`RateLimit-Policy: "daily";q=5;w=86400` (the quota and its window in seconds) and
`RateLimit: "daily";r=2;t=3600` (what is left and the seconds until the window resets).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone

from chalicelib.core import clock
from chalicelib.core.errors import TooManyRequests
from chalicelib.core.settings import get_settings
from chalicelib.platform.services.roles import Principal
from chalicelib.platform.tables import usage
from chalicelib.platform.tables.base import find
from chalicelib.platform.tables.organizations import OrganizationModel

QUOTA_EXCEEDED = "/docs/errors#quota-exceeded"
DAY_SECONDS = 86400
MINUTE_SECONDS = 60
# Daily counters stay for billing (a year and a month of usage); per-minute ones only as long as
# their window lasts.
DAILY_RETENTION_SECONDS = 400 * DAY_SECONDS
# Per-user daily quotas per metered action, by plan. An organization on the "custom" plan has its
# own (OrganizationModel.custom_quotas); an action it does not name takes the basic plan's.
PLANS: dict[str, dict[str, int]] = {
    "basic": {"stories.generate": 5},
    "premium": {"stories.generate": 20},
}
DEFAULT_PLAN = "basic"
METERED_ACTIONS = frozenset(action for quotas in PLANS.values() for action in quotas)
# The unauthenticated routes limited per client address, each counted on its own.
ADDRESS_LIMITED_ACTIONS = frozenset({"auth.login", "auth.token", "auth.register", "auth.forgot_password"})


@dataclass(frozen=True)
class Usage:
    """Where a subject stands against one limit after a metered request."""

    policy: str
    quota: int
    window_seconds: int
    remaining: int
    reset_seconds: int

    def headers(self) -> dict[str, str]:
        return {
            "RateLimit-Policy": f'"{self.policy}";q={self.quota};w={self.window_seconds}',
            "RateLimit": f'"{self.policy}";r={self.remaining};t={self.reset_seconds}',
        }


class QuotaExceeded(TooManyRequests):
    def __init__(self, detail: str, exhausted: Usage) -> None:
        super().__init__(detail, exhausted.reset_seconds)
        self.extensions["type"] = QUOTA_EXCEEDED
        self.headers.update(exhausted.headers())


def daily_quota(org_id: str, action: str) -> int:
    """The per-user daily quota of `action` on the organization's plan."""
    if action not in METERED_ACTIONS:
        raise ValueError(f"{action} is not a metered action")
    organization = find(OrganizationModel, org_id)
    plan = organization.plan if organization is not None else DEFAULT_PLAN
    if plan == "custom" and organization is not None and organization.custom_quotas is not None:
        custom = organization.custom_quotas.as_dict()
        if action in custom:
            return int(custom[action])
    return PLANS.get(plan, PLANS[DEFAULT_PLAN]).get(action, PLANS[DEFAULT_PLAN][action])


def meter_daily(principal: Principal, action: str) -> Usage:
    """Count one use of `action` by the caller today (UTC), or refuse it (429 quota-exceeded)
    when the plan's daily quota is used up. Counted per user within the organization."""
    quota = daily_quota(principal.org_id, action)
    now = clock.epoch_seconds()
    day_start = now - now % DAY_SECONDS
    day = datetime.fromtimestamp(day_start, timezone.utc).date().isoformat()
    return _meter(
        f"org#{principal.org_id}", f"{day}#{action}#user#{principal.user_id}", quota, "daily", DAY_SECONDS,
        day_start, expires_at=day_start + DAILY_RETENTION_SECONDS,
        refusal=f"The daily quota of {quota} {action} per user on this plan is used up.",
    )  # fmt: skip


def meter_address(address: str, action: str) -> Usage:
    """Count one attempt at an unauthenticated route from `address` this minute, or refuse it
    (429) past the setting AUTH_ATTEMPTS_PER_IP_PER_MINUTE."""
    if action not in ADDRESS_LIMITED_ACTIONS:
        raise ValueError(f"{action} is not limited per address")
    quota = get_settings().auth_attempts_per_ip_per_minute
    now = clock.epoch_seconds()
    minute_start = now - now % MINUTE_SECONDS
    return _meter(
        f"ip#{address}", f"{minute_start}#{action}", quota, "per-minute", MINUTE_SECONDS, minute_start,
        expires_at=minute_start + 2 * MINUTE_SECONDS,
        refusal=f"Too many attempts from this address: at most {quota} a minute.",
    )  # fmt: skip


def meter_per_minute(principal: Principal, action: str, quota: int) -> Usage:
    """Count one use of `action` by the caller this minute, or refuse it (429) past `quota`: a
    rate on something costly that every plan allows (GraphQL introspection)."""
    now = clock.epoch_seconds()
    minute_start = now - now % MINUTE_SECONDS
    return _meter(
        f"org#{principal.org_id}", f"{minute_start}#{action}#user#{principal.user_id}", quota, "per-minute",
        MINUTE_SECONDS, minute_start, expires_at=minute_start + 2 * MINUTE_SECONDS,
        refusal=f"Too many {action} requests: at most {quota} a minute.",
    )  # fmt: skip


def _meter(
    scope: str, usage_key: str, quota: int, policy: str, window: int, window_start: int, expires_at: int, refusal: str
) -> Usage:
    reset = max(1, window_start + window - clock.epoch_seconds())
    used = usage.consume(scope, usage_key, quota, expires_at)
    if used is None:
        raise QuotaExceeded(refusal, Usage(policy, quota, window, 0, reset))
    return Usage(policy, quota, window, quota - used, reset)
