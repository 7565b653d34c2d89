"""The API Gateway usage plans Terraform creates per plan tier (infra/modules/usage_plans), created
in moto for `make run` and the tests, so issuing an API key runs the same calls as in AWS."""
from __future__ import annotations

from chalicelib.core.settings import get_settings

# Throttle and quota of the local plans: dev's values (infra/envs/dev/terraform.tfvars).
LOCAL_TIERS = {
    "basic": {"throttle": {"rateLimit": 2.0, "burstLimit": 5}, "quota": {"limit": 1000, "period": "DAY"}},
    "premium": {"throttle": {"rateLimit": 10.0, "burstLimit": 20}, "quota": {"limit": 20000, "period": "DAY"}},
    "custom": {"throttle": {"rateLimit": 20.0, "burstLimit": 40}, "quota": {"limit": 100000, "period": "DAY"}},
}


def create_usage_plans() -> None:
    """Create each tier's plan that does not exist yet (moto keeps API Gateway in memory only)."""
    from chalicelib.aws.api_gateway import forget_usage_plans
    from chalicelib.aws.sessions import client

    gateway = client("apigateway")
    prefix = get_settings().usage_plan_prefix
    existing = {plan["name"] for page in gateway.get_paginator("get_usage_plans").paginate() for plan in page["items"]}
    for tier, limits in LOCAL_TIERS.items():
        if prefix + tier not in existing:
            gateway.create_usage_plan(name=prefix + tier, description=f"local {tier} tier", **limits)
    forget_usage_plans()
