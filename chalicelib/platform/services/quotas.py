"""Quotas and rate limits: how often a member may use a metered action per day (by the
organization's plan), and how often an address may try an unauthenticated route per minute.

Each metered request is one conditional UpdateItem on its counter (tables/usage.py), never a read
of the counter then a write: exact under any concurrency, and a refusal writes nothing. What a
caller is told follows the IETF httpapi RateLimit header fields draft (structured fields):
`RateLimit-Policy: "daily";q=5;w=86400` (the quota and its window in seconds) and
`RateLimit: "daily";r=2;t=3600` (what is left and the seconds until the window resets).
"""
from __future__ import annotations

import dataclasses
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
# Daily quotas per metered action, by plan: per user, or per organization for an action metered
# `per="organization"`. An organization on the "custom" plan has its
# own (OrganizationModel.custom_quotas, set by a platform operator: chalicelib/platform/plans.py);
# an action it does not name takes the basic plan's. `records.batch` is one POST .../batch of up
# to 100 records (platform/services/batch.py), the costliest write a member can repeat. StoryVerse
# meters a family's generations (storyverse/generation): a story's text (`stories.generate`, the
# tier's "5 stories a day"), a page's illustration and a page's narration.
PLANS: dict[str, dict[str, int]] = {
    "basic": {"stories.generate": 5, "stories.illustrate": 15, "stories.narrate": 15, "records.batch": 50},
    "premium": {"stories.generate": 20, "stories.illustrate": 60, "stories.narrate": 60, "records.batch": 500},
}
# Whose uses a daily quota counts: each user's, or the organization's together (a family's).
PER_USER = "user"
PER_ORGANIZATION = "organization"
ORGANIZATION_SUBJECT = "organization"
DEFAULT_PLAN = "basic"
METERED_ACTIONS = frozenset(action for quotas in PLANS.values() for action in quotas)
# The unauthenticated routes limited per client address, each counted on its own.
# stories.shared: a public story link (storyverse), so its token cannot be guessed by trying.
ADDRESS_LIMITED_ACTIONS = frozenset(
    {"auth.login", "auth.token", "auth.register", "auth.forgot_password", "auth.child_login", "auth.device_login",
     "stories.shared"}
)


@dataclass(frozen=True)
class Usage:
    """Where a subject stands against one limit after a metered request."""

    policy: str
    quota: int
    window_seconds: int
    remaining: int
    reset_seconds: int
    # The counter's key (scope, usage_key): what give_back uncounts.
    counter: tuple[str, str] = ("", "")

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


def plan_quota(org_id: str, action: str) -> int:
    """The per-user daily quota of `action` on the organization's plan (one GetItem)."""
    if action not in METERED_ACTIONS:
        raise ValueError(f"{action} is not a metered action")
    organization = find(OrganizationModel, org_id)
    plan = organization.plan if organization is not None else DEFAULT_PLAN
    if plan == "custom" and organization is not None and organization.custom_quotas is not None:
        custom = organization.custom_quotas.as_dict()
        if action in custom:
            return int(custom[action])
    return PLANS.get(plan, PLANS[DEFAULT_PLAN]).get(action, PLANS[DEFAULT_PLAN][action])


def burst_extra(org_id: str, action: str, now: int) -> int:
    """The extra per-user daily quota of a burst grant still running at `now` (one GetItem): TTL
    deletes an expired grant only eventually, so the expiry is checked here."""
    grant = usage.find_grant(org_scope(org_id), action)
    if grant is None or grant.purge_at is None or grant.purge_at.timestamp() <= now:
        return 0
    return int(grant.count)


def daily_quota(org_id: str, action: str) -> int:
    """The per-user daily quota of `action` now: the plan's, plus a running burst grant's."""
    return plan_quota(org_id, action) + burst_extra(org_id, action, clock.epoch_seconds())


def org_scope(org_id: str) -> str:
    return f"org#{org_id}"


def user_subject(user_id: str) -> str:
    return f"user#{user_id}"


def meter_daily(principal: Principal, action: str, per: str = PER_USER) -> Usage:
    """Count one use of `action` by the caller today (UTC), or refuse it (429 quota-exceeded)
    when the daily quota (the plan's and a running burst grant's) is used up. Counted per user
    within the organization, or for the whole organization (`per=PER_ORGANIZATION`: every
    member's use counts against one quota); two keyed reads and one conditional UpdateItem."""
    quota = daily_quota(principal.org_id, action)
    now = clock.epoch_seconds()
    day_start = now - now % DAY_SECONDS
    return _meter(
        org_scope(principal.org_id), daily_usage_key(day_start, action, principal.user_id, per), quota, "daily",
        DAY_SECONDS, day_start, expires_at=day_start + DAILY_RETENTION_SECONDS,
        refusal=f"The daily quota of {quota} {action} per {per} on this plan is used up.",
    )  # fmt: skip


def daily_usage_key(epoch_seconds: int, action: str, user_id: str, per: str = PER_USER) -> str:
    """The counter of `action` on the UTC day of `epoch_seconds`: the user's, or the organization's."""
    if per not in (PER_USER, PER_ORGANIZATION):
        raise ValueError(f"a daily quota is per {PER_USER} or per {PER_ORGANIZATION}, not {per!r}")
    day = datetime.fromtimestamp(epoch_seconds - epoch_seconds % DAY_SECONDS, timezone.utc).date().isoformat()
    subject = ORGANIZATION_SUBJECT if per == PER_ORGANIZATION else user_subject(user_id)
    return f"{day}#{action}#{subject}"


def give_back_daily(org_id: str, action: str, used_at: int, user_id: str, per: str = PER_USER) -> None:
    """Uncount a use of `action` counted at `used_at` (epoch seconds) whose work then failed after
    the request was answered (an asynchronous job): the counter of that day, as `give_back` does
    for a failed request."""
    usage.give_back(org_scope(org_id), daily_usage_key(used_at, action, user_id, per))


def give_back(counted: Usage) -> Usage:
    """Uncount a use `meter_daily` counted, for a request that then failed (4xx or 5xx): a request
    that changes nothing is not charged. Where the caller stands after it."""
    usage.give_back(*counted.counter)
    return dataclasses.replace(counted, remaining=counted.remaining + 1)


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
    return Usage(policy, quota, window, quota - used, reset, (scope, usage_key))


# A burst grant is for an occasion, not a plan change: at most this far ahead, and this much more.
MAX_GRANT_SECONDS = 90 * DAY_SECONDS
MAX_GRANT_EXTRA = 100_000


def grant_burst(org_id: str, action: str, extra: int, expires_at: int, granted_by: str, reason: str) -> None:
    """Give every member of the organization `extra` more uses of `action` a day until `expires_at`
    (epoch seconds), replacing an earlier grant of that action. A platform operator's act
    (chalicelib/platform/plans.py), never the organization's own: the quota is what it pays for."""
    if action not in METERED_ACTIONS:
        raise ValueError(f"{action} is not a metered action (one of {', '.join(sorted(METERED_ACTIONS))})")
    if not 0 < extra <= MAX_GRANT_EXTRA:
        raise ValueError(f"the extra quota must be 1 to {MAX_GRANT_EXTRA}")
    now = clock.epoch_seconds()
    if not now < expires_at <= now + MAX_GRANT_SECONDS:
        raise ValueError(f"a grant must end in the future and within {MAX_GRANT_SECONDS // DAY_SECONDS} days")
    if not reason.strip() or not granted_by.strip():
        raise ValueError("say who grants it and why")
    if find(OrganizationModel, org_id) is None:
        raise ValueError(f"no organization {org_id}")
    usage.grant(org_scope(org_id), action, extra, expires_at, granted_by, reason)


PLAN_NAMES = ("basic", "premium", "custom")
MAX_CUSTOM_QUOTA = 1_000_000


def set_plan(org_id: str, plan: str, custom_quotas: dict[str, int] | None = None) -> None:
    """Put the organization on `plan`; a custom plan names its own per-user daily quotas (an action
    it leaves out keeps the basic plan's). A platform operator's act, as a burst grant is."""
    if plan not in PLAN_NAMES:
        raise ValueError(f"no plan {plan} (one of {', '.join(PLAN_NAMES)})")
    if plan != "custom" and custom_quotas:
        raise ValueError("only the custom plan sets its own quotas")
    unknown = sorted(set(custom_quotas or {}) - METERED_ACTIONS)
    if unknown:
        raise ValueError(f"not metered actions: {', '.join(unknown)}")
    if any(not 0 <= limit <= MAX_CUSTOM_QUOTA for limit in (custom_quotas or {}).values()):
        raise ValueError(f"a quota is 0 to {MAX_CUSTOM_QUOTA}")
    organization = find(OrganizationModel, org_id)
    if organization is None:
        raise ValueError(f"no organization {org_id}")
    organization.update(
        actions=[OrganizationModel.plan.set(plan), OrganizationModel.custom_quotas.set(custom_quotas or None)]
    )


def describe_plan(org_id: str) -> dict[str, object]:
    """The organization's plan, its quotas today and its burst grants (running or not yet purged)."""
    organization = find(OrganizationModel, org_id)
    if organization is None:
        raise ValueError(f"no organization {org_id}")
    return {
        "organization_id": org_id,
        "plan": organization.plan,
        "daily_quotas": {action: daily_quota(org_id, action) for action in sorted(METERED_ACTIONS)},
        "grants": [
            {"action": grant.usage_key.removeprefix(usage.GRANT_PREFIX), "extra": int(grant.count),
             "expires_at": grant.purge_at.isoformat(), "granted_by": grant.granted_by, "reason": grant.reason}
            for grant in usage.grants(org_scope(org_id))
        ],
    }  # fmt: skip
