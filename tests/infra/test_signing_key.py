"""infra/signing_key.py writes values the app's key ring reads, and rotates without a gap."""
from __future__ import annotations

import json
import sys
from pathlib import Path

import boto3
import pytest
from botocore.exceptions import ClientError
from moto import mock_aws

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "infra"))

import signing_key  # noqa: E402
from chalicelib.platform.services.signing_keys import parse_key_ring  # noqa: E402

SECRET_ID = "zebros-test/jwt-signing-key"


@pytest.fixture
def secretsmanager(monkeypatch):
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    with mock_aws():
        client = boto3.client("secretsmanager", region_name="us-east-1")
        client.create_secret(Name=SECRET_ID)  # what modules/secrets creates: no value
        yield client


def value(client) -> dict:
    return json.loads(client.get_secret_value(SecretId=SECRET_ID)["SecretString"])


def test_first_run_writes_a_key_the_app_can_sign_with(secretsmanager):
    assert signing_key.main(["rotate", "--secret-id", SECRET_ID]) == 0
    document = value(secretsmanager)
    assert document["previous_public_keys"] == []
    ring = parse_key_ring(document)
    assert ring.kid == document["kid"] and ring.private_key.curve.name == "secp256r1"


def test_rotation_keeps_the_replaced_key_verifiable(secretsmanager):
    signing_key.main(["rotate", "--secret-id", SECRET_ID])
    first = value(secretsmanager)
    signing_key.main(["rotate", "--secret-id", SECRET_ID])
    second = value(secretsmanager)
    assert second["kid"] != first["kid"]
    assert [p["kid"] for p in second["previous_public_keys"]] == [first["kid"], first["id_token_kid"]]
    ring = parse_key_ring(second)
    assert set(ring.public_keys) == {first["kid"], first["id_token_kid"], second["kid"], second["id_token_kid"]}
    assert ring.id_token_private_key.key_size == 2048
    old_public = parse_key_ring(first).private_key.public_key().public_numbers()
    assert ring.public_keys[first["kid"]].public_numbers() == old_public


def test_only_keep_previous_keys_stay_published(secretsmanager):
    for _ in range(4):
        signing_key.main(["rotate", "--secret-id", SECRET_ID, "--keep", "2"])
    assert len(value(secretsmanager)["previous_public_keys"]) == 2 * 2  # an access-token and an ID-token key each


def test_a_missing_secret_is_an_error_not_a_new_secret(secretsmanager):
    with pytest.raises(ClientError) as error:
        signing_key.main(["rotate", "--secret-id", "zebros-test/does-not-exist"])
    assert error.value.response["Error"]["Code"] == "ResourceNotFoundException"
