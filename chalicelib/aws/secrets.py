"""Secrets Manager reads, once per Lambda container (the key ring caches the result)."""
from __future__ import annotations

import json
from typing import Any


def read_json_secret(secret_id: str) -> dict[str, Any]:
    from chalicelib.aws.sessions import client

    response = client("secretsmanager").get_secret_value(SecretId=secret_id)
    return json.loads(response["SecretString"])
