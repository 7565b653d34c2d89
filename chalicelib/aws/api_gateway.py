"""Organization API keys in API Gateway: each key the app issues is also a gateway API key with the
same value, attached to the usage plan of the organization's plan tier, so the gateway's throttle and
quota apply to it. The usage plans are Terraform's (infra/modules/usage_plans), named
`<USAGE_PLAN_PREFIX><tier>`; under `make run` and in the tests they are moto's
(chalicelib/localdev/usage_plans.py), reached through AWS_ENDPOINT_URL_API_GATEWAY (make run) or
moto's in-process mock (tests).
"""
from __future__ import annotations

from functools import lru_cache

from chalicelib.core.settings import get_settings


class UnknownTier(Exception):
    """No usage plan is named after this tier: a deployment without it cannot issue the key."""


def create_gateway_key(name: str, value: str, tier: str, org_id: str) -> str:
    """The new gateway key's id, attached to `tier`'s usage plan. If attaching fails, the key is
    deleted again, so a failure leaves no gateway key behind."""
    from chalicelib.aws.sessions import client

    gateway = client("apigateway")
    created = gateway.create_api_key(
        name=name, value=value, enabled=True, tags={"zebros:org": org_id, "zebros:tier": tier}
    )
    try:
        try:
            _attach(gateway, tier, created["id"])
        except gateway.exceptions.NotFoundException:
            # The plan ids are kept per process; a plan replaced since has a new id.
            _usage_plan_ids.cache_clear()
            _attach(gateway, tier, created["id"])
    except BaseException:
        delete_gateway_key(created["id"])
        raise
    return created["id"]


def _attach(gateway, tier: str, gateway_key_id: str) -> None:
    gateway.create_usage_plan_key(usagePlanId=usage_plan_id(tier), keyId=gateway_key_id, keyType="API_KEY")


def delete_gateway_key(gateway_key_id: str, tier: str | None = None) -> None:
    """Detach the key from `tier`'s usage plan (when it was attached), then delete it; what is gone
    already is fine, so a deletion that stopped halfway can be run again."""
    from chalicelib.aws.sessions import client

    gateway = client("apigateway")
    try:
        if tier is not None:
            gateway.delete_usage_plan_key(usagePlanId=usage_plan_id(tier), keyId=gateway_key_id)
    except (gateway.exceptions.NotFoundException, UnknownTier):
        pass
    try:
        gateway.delete_api_key(apiKey=gateway_key_id)
    except gateway.exceptions.NotFoundException:
        pass


def usage_plan_id(tier: str) -> str:
    plan_id = _usage_plan_ids().get(f"{get_settings().usage_plan_prefix}{tier}")
    if plan_id is None:
        _usage_plan_ids.cache_clear()  # a plan created since (make run's moto restarted) is found next time
        raise UnknownTier(f"no usage plan named {get_settings().usage_plan_prefix}{tier}")
    return plan_id


def forget_usage_plans() -> None:
    """For whoever replaces the plans (the local stand-in, which creates them afresh)."""
    _usage_plan_ids.cache_clear()


@lru_cache(maxsize=1)
def _usage_plan_ids() -> dict[str, str]:
    """Usage plan ids by name, read once per process: the plans' ids cannot be given to the function
    by Terraform (the plans name the API's stage, which depends on the function), their names can."""
    from chalicelib.aws.sessions import client

    pages = client("apigateway").get_paginator("get_usage_plans").paginate()
    return {plan["name"]: plan["id"] for page in pages for plan in page.get("items", [])}
