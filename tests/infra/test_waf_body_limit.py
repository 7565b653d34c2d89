"""WAF lets through every body the app accepts, and still refuses what is larger.

The app's limit is found by asking the app (binary search over body sizes through HTTP: the largest
body not answered 413), not read from a constant. Each environment's planned web ACL is then
evaluated for bodies up to that size and one byte beyond it (tests/infra/waf_rules.py).
"""
from __future__ import annotations

import pytest
from chalice.test import Client
from moto import mock_aws

from app import app
from chalicelib.tables import create_tables
from tests.conftest import Api
from tests.infra.env_plans import ENVIRONMENTS, planned
from tests.infra.waf_rules import MANAGED_BODY_SIZE_RULES, body_verdict, inspection_limit

API_GATEWAY_PAYLOAD_LIMIT = 10 * 1024 * 1024  # what API Gateway itself accepts


def _refused_for_size(api, size: int) -> bool:
    # Padding inside a JSON string: a well-formed body of exactly `size` bytes (the route answers
    # 4xx for the content; only 413 is about size).
    envelope = b'{"email": "nobody@example.com", "password": ""}'
    body = envelope[:-2] + b"x" * (size - len(envelope)) + envelope[-2:] if size >= len(envelope) else b" " * size
    return api.post("/v1/auth/login", raw=body).status == 413


@pytest.fixture(scope="module")
def largest_accepted_body() -> int:
    # Its own in-process AWS, closed before any plan runs (plans talk to a moto server).
    with mock_aws():
        create_tables()
        with Client(app) as client:
            api = Api(client)
            if not _refused_for_size(api, API_GATEWAY_PAYLOAD_LIMIT):
                return API_GATEWAY_PAYLOAD_LIMIT
            low, high = 0, API_GATEWAY_PAYLOAD_LIMIT  # low is accepted, high is refused
            while high - low > 1:
                middle = (low + high) // 2
                low, high = (low, middle) if _refused_for_size(api, middle) else (middle, high)
            return low


def test_the_app_accepts_bodies_larger_than_wafs_default_limits(largest_accepted_body):
    # The check below only means something if the app's limit is above what WAF blocks by default.
    assert largest_accepted_body > max(max(rules.values()) for rules in MANAGED_BODY_SIZE_RULES.values())


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_waf_passes_every_body_the_app_accepts_and_blocks_larger(env_plan, env, largest_accepted_body):
    (web_acl,) = planned(env_plan(env), "aws_wafv2_web_acl")
    limit = largest_accepted_body
    sizes = sorted({0, 1, 8 * 1024, 8 * 1024 + 1, 16 * 1024, 16 * 1024 + 1, inspection_limit(web_acl), limit} - {limit + 1})
    verdicts = {size: body_verdict(web_acl, size) for size in sizes if size <= limit}
    assert all(action == "allow" for action, _ in verdicts.values()), (
        f"{env}: WAF blocks bodies the app accepts (largest {limit} bytes): "
        + ", ".join(f"{size} B by {rule}" for size, (action, rule) in verdicts.items() if action != "allow")
    )
    assert body_verdict(web_acl, limit + 1)[0] == "block", f"{env}: WAF lets bodies over the app's {limit} bytes through"
