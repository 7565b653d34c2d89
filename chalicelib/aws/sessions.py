"""botocore sessions that share one data loader.

Every botocore session loads and keeps its own copy of the service models and endpoint data,
about 10 MiB each, and PynamoDB opens a session per table (per thread). With a dozen tables that
alone outgrows a 128 MB function. Sessions here stay separate (client creation is not thread-safe
across threads) but share the loader, so those models exist once per process.
"""
from __future__ import annotations

from functools import lru_cache
from typing import Any

import botocore.session
from botocore.loaders import create_loader


@lru_cache(maxsize=1)
def _shared_loader() -> Any:
    return create_loader()


def new_session() -> botocore.session.Session:
    session = botocore.session.get_session()
    session.register_component("data_loader", _shared_loader())
    return session


@lru_cache(maxsize=None)
def client(service_name: str) -> Any:
    """A client for services other than DynamoDB (Secrets Manager, SES, EventBridge): botocore
    directly, since boto3 would only add import time and another session.

    botocore's defaults (legacy retries, 60 s timeouts) would outlast a 3 s function; these calls
    get bounded adaptive retries as DynamoDB's do (chalicelib/platform/tables/base.py), with a longer
    read timeout since Secrets Manager and EventBridge answer in hundreds of milliseconds."""
    from botocore.config import Config

    config = Config(**CLIENT_BUDGETS.get(service_name, DEFAULT_BUDGET))
    return new_session().create_client(service_name, config=config)


DEFAULT_BUDGET = {"connect_timeout": 0.5, "read_timeout": 2, "retries": {"mode": "adaptive", "total_max_attempts": 2}}
CLIENT_BUDGETS = {
    # Story generation tasks (storyverse/generation): a model writes a story or paints a page in
    # tens of seconds; the task functions have minutes (infra/chalice_package.py).
    "bedrock-runtime": {"connect_timeout": 2, "read_timeout": 120, "retries": {"mode": "adaptive", "total_max_attempts": 3}},
    "polly": {"connect_timeout": 2, "read_timeout": 30, "retries": {"mode": "standard", "total_max_attempts": 3}},
    # Mail goes out inside forgot-password's fixed answer time (FORGOT_PASSWORD_RESPONSE_SECONDS,
    # 1 s): one attempt that ends well within it, so a slow SES cannot make an existing account
    # answer later than an unknown one. A mail that misses it is logged and counted as undelivered.
    "ses": {"connect_timeout": 0.3, "read_timeout": 0.5, "retries": {"mode": "standard", "total_max_attempts": 1}},
}


def share_loader_with_pynamodb() -> None:
    import pynamodb.connection.base

    pynamodb.connection.base.get_session = new_session
