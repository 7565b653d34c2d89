"""Quotas and per-address limits (platform/services/quotas.py): exact under concurrency, told in
the RateLimit fields, refused as 429 quota-exceeded with Retry-After, writing nothing when refused,
and never shared between organizations or taken from a forgeable header."""
from __future__ import annotations

import re
import threading

import pytest

from chalicelib.core import clock
from chalicelib.core.errors import TooManyRequests
from chalicelib.platform.services import quotas
from chalicelib.platform.services.roles import principal
from chalicelib.platform.tables.organizations import OrganizationModel
from chalicelib.platform.tables.usage import UsageModel

# A fixed moment 20 s into a minute and 3,600 s before midnight UTC: windows cannot roll over mid-test.
NOW = 1_780_000_000 - 1_780_000_000 % 86400 + 86400 - 3600 + 20


@pytest.fixture(autouse=True)
def fixed_clock(monkeypatch):
    monkeypatch.setattr(clock, "epoch_seconds", lambda: NOW)


def member(org_id: str, user_id: str = "U1"):
    return principal(user_id, org_id, "owner", "session")


def on_plan(org_id: str, plan: str, custom: dict[str, int] | None = None) -> None:
    OrganizationModel(org_id, name=org_id, plan=plan, custom_quotas=custom, created_at=clock.now()).save()


def test_fifty_concurrent_uses_of_a_quota_of_five_count_exactly_five(aws):
    from chalicelib.localdev.dynamodb import serialize_requests

    serialize_requests()  # moto made linearizable, as DynamoDB is (make run's DynamoDB)
    on_plan("ORG-A", "basic")
    start = threading.Barrier(50)
    outcomes: list[str] = []
    lock = threading.Lock()

    def use() -> None:
        start.wait()
        try:
            quotas.meter_daily(member("ORG-A"), "stories.generate")
            outcome = "counted"
        except quotas.QuotaExceeded:
            outcome = "refused"
        with lock:
            outcomes.append(outcome)

    threads = [threading.Thread(target=use) for _ in range(50)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert outcomes.count("counted") == 5 and outcomes.count("refused") == 45
    [item] = list(UsageModel.query("org#ORG-A"))
    assert item.count == 5


def test_plans_set_the_daily_quota_and_the_fields_say_what_is_left(aws):
    on_plan("ORG-P", "premium")
    on_plan("ORG-C", "custom", {"stories.generate": 2})
    first = quotas.meter_daily(member("ORG-P"), "stories.generate")
    assert first.headers() == {"RateLimit-Policy": '"daily";q=20;w=86400', "RateLimit": '"daily";r=19;t=3580'}
    quotas.meter_daily(member("ORG-C"), "stories.generate")
    assert quotas.meter_daily(member("ORG-C"), "stories.generate").remaining == 0
    with pytest.raises(quotas.QuotaExceeded) as refused:
        quotas.meter_daily(member("ORG-C"), "stories.generate")
    assert isinstance(refused.value, TooManyRequests) and refused.value.status == 429
    assert refused.value.extensions["type"] == "/docs/errors#quota-exceeded"
    assert refused.value.headers == {
        "Retry-After": "3580", "RateLimit-Policy": '"daily";q=2;w=86400', "RateLimit": '"daily";r=0;t=3580',
    }  # fmt: skip
    # The refusal changed nothing: the counter stays at the quota.
    assert [item.count for item in UsageModel.query("org#ORG-C")] == [2]


def test_one_organizations_usage_never_counts_for_another_nor_one_users_for_another(aws):
    on_plan("ORG-A", "basic")
    on_plan("ORG-B", "basic")
    for _ in range(5):
        quotas.meter_daily(member("ORG-A"), "stories.generate")
    with pytest.raises(quotas.QuotaExceeded):
        quotas.meter_daily(member("ORG-A"), "stories.generate")
    assert quotas.meter_daily(member("ORG-B"), "stories.generate").remaining == 4
    assert quotas.meter_daily(member("ORG-A", "U2"), "stories.generate").remaining == 4


def test_the_next_day_starts_afresh(aws, monkeypatch):
    on_plan("ORG-A", "basic")
    for _ in range(5):
        quotas.meter_daily(member("ORG-A"), "stories.generate")
    monkeypatch.setattr(clock, "epoch_seconds", lambda: NOW + 3600)
    assert quotas.meter_daily(member("ORG-A"), "stories.generate").remaining == 4


def _table_items(tables: tuple[type, ...]) -> dict[str, list[dict]]:
    # The test reads the tables whole (a Scan) to prove nothing else was written.
    return {model.Meta.table_name: sorted((item.attribute_values for item in model.scan()), key=repr) for model in tables}


@pytest.mark.parametrize(
    "path, body",
    [
        ("/v1/auth/login", {"email": "nobody@example.test", "password": "wrong password"}),
        ("/v1/auth/password/forgot", {"email": "nobody@example.test"}),
        ("/v1/auth/register", {"email": "new@example.test", "password": "correct horse battery staple", "name": "N", "organization": "O"}),
    ],
)
def test_an_address_gets_30_attempts_a_minute_then_429_with_the_fields(api, path, body):
    for attempt in range(30):
        reply = api.post(path, body)
        assert reply.status != 429
        assert reply.header("RateLimit-Policy") == '"per-minute";q=30;w=60'
        assert reply.header("RateLimit") == f'"per-minute";r={29 - attempt};t=40'
    refused = api.post(path, body, headers={"X-Forwarded-For": "198.51.100.7"})
    assert refused.status == 429
    assert refused.header("Content-Type") == "application/problem+json"
    assert refused.json["type"] == "/docs/errors#quota-exceeded"
    assert refused.header("Retry-After") == "40"
    assert refused.header("RateLimit-Policy") == '"per-minute";q=30;w=60'
    assert refused.header("RateLimit") == '"per-minute";r=0;t=40'


def test_a_refused_login_writes_nothing_not_even_a_failed_attempt(api, owner):
    from chalicelib.platform.models import PLATFORM_MODELS

    # The owner fixture logged in once from the same address: the rest of the minute's 30 fail.
    assert [api.login("nobody@example.test", "wrong password").status for _ in range(29)] == [401] * 29
    before = _table_items(PLATFORM_MODELS)
    for password in ("wrong password", "correct horse battery staple"):
        assert api.login(owner.email, password).status == 429
    assert _table_items(PLATFORM_MODELS) == before


def test_the_limit_is_per_route_and_exposed_to_browsers(api):
    for _ in range(30):
        api.login("nobody@example.test", "wrong")
    assert api.login("nobody@example.test", "wrong").status == 429
    forgot = api.post("/v1/auth/password/forgot", {"email": "nobody@example.test"}, headers={"Origin": "https://app.example.test"})
    assert forgot.status == 202
    exposed = re.split(r",\s*", forgot.header("Access-Control-Expose-Headers") or "")
    assert {"RateLimit-Policy", "RateLimit", "Retry-After"} <= set(exposed)
