"""Each environment's domain lives in a zone its own account holds, and is the host its tokens name.

Every environment plans in an account holding only what the documented layout puts there before
the first apply (tests/infra/env_plans.py: prod's account holds `zebroscrm.com`; dev and staging
hold no zone and create their delegated sub-zones), so a root that reaches for another account's
zone does not plan.
"""
from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import urlparse

import pytest

from tests.infra.env_plans import ACCOUNT_ZONES, ENVIRONMENTS, planned

REPO = Path(__file__).resolve().parents[2]
STAGES = json.loads((REPO / ".chalice" / "config.json").read_text())["stages"]


def _zone_names(plan: dict) -> set[str]:
    """Zones the environment creates, or reads from its account (data sources in the plan's state)."""
    created = {z["name"] for z in planned(plan, "aws_route53_zone")}
    read: set[str] = set()
    modules = [plan.get("prior_state", {}).get("values", {}).get("root_module", {})]
    while modules:
        module = modules.pop()
        modules.extend(module.get("child_modules", []))
        read |= {r["values"]["name"] for r in module.get("resources", []) if r["type"] == "aws_route53_zone"}
    return {name.rstrip(".") for name in created | read}


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_the_api_domain_is_the_token_issuer_host_in_a_zone_of_the_environments_account(env_plan, env):
    plan = env_plan(env)
    (domain,) = [d["domain_name"] for d in planned(plan, "aws_api_gateway_domain_name")]
    assert domain == urlparse(STAGES[env]["environment_variables"]["JWT_ISSUER"]).hostname
    (zone,) = _zone_names(plan)
    assert domain.endswith(f".{zone}"), f"{env}: {domain} is not in its zone {zone}"
    created = {z["name"] for z in planned(plan, "aws_route53_zone")}
    assert zone in created or zone in ACCOUNT_ZONES[env]


def test_environments_sharing_an_account_have_zones_of_their_own(env_plan):
    zones = {env: _zone_names(env_plan(env)) for env in ENVIRONMENTS}
    assert zones["dev"].isdisjoint(zones["staging"]) and zones["dev"].isdisjoint(zones["prod"])
    assert zones["staging"].isdisjoint(zones["prod"])
