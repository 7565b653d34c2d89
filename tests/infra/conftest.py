from __future__ import annotations

import shutil
from typing import Callable

import pytest

from tests.infra.env_plans import ENVIRONMENTS, EnvironmentRoot


@pytest.fixture(scope="session")
def env_root(tmp_path_factory) -> Callable[[str], EnvironmentRoot]:
    """env_root("dev") -> that environment's root, packaged and initialised once per session."""
    if shutil.which("terraform") is None:
        pytest.skip("terraform is not on PATH")
    roots: dict[str, EnvironmentRoot] = {}

    def root(env: str) -> EnvironmentRoot:
        assert env in ENVIRONMENTS, env
        if env not in roots:
            roots[env] = EnvironmentRoot(env, tmp_path_factory.mktemp(f"{env}-root"))
        return roots[env]

    return root


@pytest.fixture(scope="session")
def env_plan(env_root) -> Callable[[str], dict]:
    """env_plan("dev") -> `terraform show -json` of that environment's plan, made once per session."""
    plans: dict[str, dict | AssertionError] = {}

    def plan(env: str) -> dict:
        if env not in plans:
            try:
                plans[env] = env_root(env).planned_configuration()
            except AssertionError as failure:  # a root that does not plan fails every test that needs it, once
                plans[env] = failure
        if isinstance(plans[env], AssertionError):
            raise plans[env]
        return plans[env]

    return plan
