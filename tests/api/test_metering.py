"""Metered routes (`@metered`, here every POST .../batch), burst grants from the operator's CLI and
GET /v1/usage: the RateLimit fields on every metered answer, a refusal that writes nothing, grants
that end by themselves, and usage that equals the calls made, per member and per organization."""
from __future__ import annotations

import json
from datetime import datetime, timezone

import pytest

from chalicelib.core import clock
from chalicelib.platform import plans

# 20 s into a minute and 3,600 s before midnight UTC: the day cannot roll over mid-test.
NOW = 1_780_000_000 - 1_780_000_000 % 86400 + 86400 - 3600 + 20
TODAY = datetime.fromtimestamp(NOW, timezone.utc).date().isoformat()
BATCH = {"items": [{"name": "Ada Lovelace", "email": "ada@example.com"}]}


@pytest.fixture(autouse=True)
def fixed_clock(monkeypatch):
    monkeypatch.setattr(clock, "epoch_seconds", lambda: NOW)


def batch(api, caller, body=BATCH, **headers):
    return api.post("/v1/customers/batch", body, as_=caller, headers=headers)


def operator(*argv: str) -> int:
    return plans.main(list(argv))


def every_item() -> dict[str, list[str]]:
    # The test reads the tables whole (a Scan) to prove nothing else was written.
    from chalicelib.crm.models import CRM_MODELS
    from chalicelib.platform.models import PLATFORM_MODELS

    return {
        model.Meta.table_name: sorted(
            json.dumps(item, sort_keys=True) for item in model._get_connection().scan(consistent_read=True)["Items"]
        )
        for model in (*PLATFORM_MODELS, *CRM_MODELS)
    }


def test_every_metered_answer_carries_the_fields_and_a_refused_or_failed_request_writes_nothing(api, owner, capsys):
    assert operator("set-plan", owner.org_id, "custom", "--quota", "records.batch=2") == 0
    first = batch(api, owner)
    assert first.status == 200
    assert first.header("RateLimit-Policy") == '"daily";q=2;w=86400'
    assert first.header("RateLimit") == '"daily";r=1;t=3580'
    before = every_item()
    invalid = batch(api, owner, body={"items": []})  # told, but given back: it changed nothing
    assert invalid.status == 422 and invalid.header("RateLimit") == '"daily";r=1;t=3580'
    assert every_item() == before
    assert batch(api, owner).header("RateLimit") == '"daily";r=0;t=3580'
    before = every_item()
    refused = batch(api, owner, **{"Idempotency-Key": "third"})
    assert refused.status == 429
    assert refused.header("Content-Type") == "application/problem+json"
    assert refused.json["type"] == "/docs/errors#quota-exceeded"
    assert refused.header("Retry-After") == "3580"
    assert refused.header("RateLimit-Policy") == '"daily";q=2;w=86400'
    assert refused.header("RateLimit") == '"daily";r=0;t=3580'
    assert every_item() == before


def test_a_replayed_batch_is_not_counted_again(api, owner):
    first = batch(api, owner, **{"Idempotency-Key": "import-1"})
    replayed = batch(api, owner, **{"Idempotency-Key": "import-1"})
    assert replayed.header("Idempotent-Replayed") == "true" and replayed.json == first.json
    assert batch(api, owner).header("RateLimit") == '"daily";r=48;t=3580'  # basic: 50 a day


def test_plans_set_by_the_operator_only(api, owner, login_as, capsys):
    assert batch(api, owner).header("RateLimit-Policy") == '"daily";q=50;w=86400'
    assert operator("set-plan", owner.org_id, "premium") == 0
    assert batch(api, owner).header("RateLimit-Policy") == '"daily";q=500;w=86400'
    assert operator("set-plan", owner.org_id, "premium", "--quota", "records.batch=9") == 2
    assert operator("set-plan", owner.org_id, "custom", "--quota", "nothing.metered=9") == 2
    assert operator("set-plan", "01ABSENTORGANIZATION000000", "basic") == 2
    assert "only the custom plan" in capsys.readouterr().err
    # The organization's own settings route has no say in its plan.
    settings = api.get("/v1/settings", as_=owner)
    assert "plan" not in (settings.json or {}) and "custom_quotas" not in (settings.json or {})


def test_a_burst_grant_raises_the_quota_until_it_expires_by_itself(api, owner, monkeypatch, capsys):
    assert operator("set-plan", owner.org_id, "custom", "--quota", "records.batch=1") == 0
    until = datetime.fromtimestamp(NOW + 600, timezone.utc).isoformat()
    assert operator("grant", owner.org_id, "records.batch", "--extra", "2", "--until", until,
                    "--by", "ops: jane", "--reason", "launch day") == 0  # fmt: skip
    assert '"granted_by": "ops: jane"' in capsys.readouterr().out
    assert [batch(api, owner).status for _ in range(4)] == [200, 200, 200, 429]
    assert batch(api, owner).header("RateLimit-Policy") == '"daily";q=3;w=86400'
    # Ten minutes later, the same day: the grant has ended although TTL has not removed it yet.
    monkeypatch.setattr(clock, "epoch_seconds", lambda: NOW + 601)
    refused = batch(api, owner)
    assert refused.status == 429 and refused.header("RateLimit-Policy") == '"daily";q=1;w=86400'


@pytest.mark.parametrize(
    "argv, message",
    [
        (["--extra", "2", "--until", "2020-01-01T00:00:00Z"], "must end in the future"),
        (["--extra", "0", "--until", "+600"], "the extra quota must be"),
        (["--extra", "2", "--until", "+99999999"], "within 90 days"),
        (["--extra", "2", "--until", "+600", "--by", " "], "say who grants it"),
    ],
)
def test_a_grant_is_bounded_and_accountable(api, owner, capsys, argv, message):
    argv = [datetime.fromtimestamp(NOW + int(arg[1:]), timezone.utc).isoformat() if arg.startswith("+") else arg for arg in argv]
    by = [] if "--by" in argv else ["--by", "ops: jane"]
    assert operator("grant", owner.org_id, "records.batch", *argv, *by, "--reason", "why") == 2
    assert message in capsys.readouterr().err
    assert batch(api, owner).header("RateLimit-Policy") == '"daily";q=50;w=86400'


def usage(api, caller, first=TODAY, last=TODAY, **params):
    query = "&".join(f"{name}={value}" for name, value in {"from": first, "to": last, **params}.items() if value is not None)
    return api.get(f"/v1/usage?{query}", as_=caller)


def test_usage_equals_the_calls_made_per_member_and_for_the_organization(api, owner, login_as):
    member = login_as("member", org_of=owner)
    viewer = login_as("viewer", org_of=owner)
    other = login_as("owner")
    for caller, calls in ((owner, 3), (member, 2), (other, 1)):
        for _ in range(calls):
            assert batch(api, caller).status == 200
    whole = usage(api, owner)
    assert whole.status == 200
    assert whole.json["totals"] == [{"date": TODAY, "action": "records.batch", "count": 5}]
    assert sorted((item["user_id"], item["count"]) for item in whole.json["items"]) == sorted(
        [(owner.user_id, 3), (member.user_id, 2)]
    )
    assert usage(api, owner, user_id=member.user_id).json["totals"][0]["count"] == 2
    mine = usage(api, member)
    assert mine.json["user_id"] == member.user_id
    assert mine.json["items"] == [{"date": TODAY, "action": "records.batch", "user_id": member.user_id, "count": 2}]
    assert usage(api, viewer).json["items"] == []
    # A member sees no one else's; another organization's owner sees none of this one's.
    assert usage(api, member, user_id=owner.user_id).status == 403
    assert usage(api, viewer, user_id=owner.user_id).status == 403
    theirs = usage(api, other, user_id=owner.user_id)
    assert theirs.status == 200 and theirs.json["items"] == []
    assert usage(api, other).json["totals"] == [{"date": TODAY, "action": "records.batch", "count": 1}]


@pytest.mark.parametrize(
    "first, last, field",
    [
        (None, TODAY, "from"),
        (TODAY, None, "to"),
        ("2026-13-01", TODAY, "from"),
        ("yesterday", TODAY, "from"),
        ("2026-01-01T00:00:00", TODAY, "from"),
        ("2026-02-01", "2026-01-31", "to"),
        ("2026-01-01", "2026-02-01", "to"),
    ],
)
def test_a_bad_or_too_long_period_is_422(api, owner, first, last, field):
    reply = usage(api, owner, first, last)
    assert reply.status == 422 and reply.header("Content-Type") == "application/problem+json"
    assert [error["field"] for error in reply.json["errors"]] == [field]


def test_a_month_is_the_longest_period_and_usage_needs_a_token(api, owner):
    assert usage(api, owner, "2026-01-01", "2026-01-31").status == 200
    assert api.get(f"/v1/usage?from={TODAY}&to={TODAY}").status == 401


def test_the_first_use_of_the_day_given_back_leaves_no_counter(api, owner):
    from chalicelib.platform.tables.usage import UsageModel

    assert batch(api, owner, body={"items": "not a list"}).status == 422
    assert list(UsageModel.query(f"org#{owner.org_id}")) == []
