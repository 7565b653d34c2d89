"""Create or rotate the JWT signing key in Secrets Manager, without Terraform ever seeing it.

    .venv/bin/python infra/signing_key.py rotate --secret-id zebros-prod/jwt-signing-key \
        --recycle zebros-prod --recycle zebros-prod-jwt_authorizer

Terraform (modules/secrets) creates the empty secret; this puts its value. The first run writes
a fresh ES256 (EC P-256) key for access tokens and an RS256 (RSA 2048) key for OpenID Connect ID
tokens; later runs write new keys and keep the replaced keys' public halves in `previous_public_keys`, so tokens signed before the rotation still verify until they expire
(access tokens live at most 15 minutes). `--keep` bounds how many previous rotations' keys stay published.

The functions cache the key ring for the life of an execution environment, so `--recycle` updates
each function's description, which retires its warm environments: from then on every invocation
signs with the new key and still knows the previous one. Run it with credentials of a role in
`signing_key_operator_role_arns`: the secret's policy denies GetSecretValue to everyone else.
"""
from __future__ import annotations

import argparse
import json
import secrets
import sys
from datetime import datetime, timezone
from typing import Any


def new_key_document() -> dict[str, Any]:
    from cryptography.hazmat.primitives.asymmetric import ec, rsa

    return {
        "kid": _new_kid(),
        "private_key_pem": _private_pem(ec.generate_private_key(ec.SECP256R1())),
        "id_token_kid": _new_kid(),
        "id_token_private_key_pem": _private_pem(rsa.generate_private_key(public_exponent=65537, key_size=2048)),
        "previous_public_keys": [],
    }


def _new_kid() -> str:
    return f"{datetime.now(timezone.utc):%Y%m%d}-{secrets.token_hex(4)}"


def _private_pem(key: Any) -> str:
    from cryptography.hazmat.primitives import serialization

    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()


def public_key_pem(private_key_pem: str) -> str:
    from cryptography.hazmat.primitives import serialization

    key = serialization.load_pem_private_key(private_key_pem.encode(), password=None)
    return key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    ).decode()


def rotated(current: dict[str, Any] | None, keep: int) -> dict[str, Any]:
    """The next secret value: new keys, the current ones demoted to previous, those of at most `keep` rotations kept."""
    document = new_key_document()
    if current:
        previous = [{"kid": current["kid"], "public_key_pem": public_key_pem(current["private_key_pem"])}]
        if current.get("id_token_kid"):
            previous.append(
                {"kid": current["id_token_kid"], "public_key_pem": public_key_pem(current["id_token_private_key_pem"])}
            )
        previous += current.get("previous_public_keys", [])
        document["previous_public_keys"] = previous[: keep * 2]
    return document


def read_current(client, secret_id: str) -> dict[str, Any] | None:
    try:
        return json.loads(client.get_secret_value(SecretId=secret_id)["SecretString"])
    except client.exceptions.ResourceNotFoundException:
        client.describe_secret(SecretId=secret_id)  # the secret itself must exist (Terraform)
        return None  # exists, but has no value yet


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Create or rotate the JWT signing key.")
    sub = parser.add_subparsers(dest="command", required=True)
    rotate = sub.add_parser("rotate", help="write a new key (the first one, or the next one)")
    rotate.add_argument("--secret-id", required=True, help="e.g. zebros-prod/jwt-signing-key")
    rotate.add_argument("--keep", type=int, default=1, help="previous rotations whose public keys stay published (default 1)")
    rotate.add_argument("--recycle", action="append", default=[], metavar="FUNCTION",
                        help="function whose warm environments must pick up the new key (repeat)")  # fmt: skip
    rotate.add_argument("--region", default=None)
    args = parser.parse_args(argv)
    if args.keep < 0:
        parser.error("--keep must be >= 0")

    import boto3

    session = boto3.session.Session(region_name=args.region)
    client = session.client("secretsmanager")
    document = rotated(read_current(client, args.secret_id), args.keep)
    client.put_secret_value(SecretId=args.secret_id, SecretString=json.dumps(document))
    print(f"{args.secret_id}: signing with kid {document['kid']}; "
          f"still verifying {[p['kid'] for p in document['previous_public_keys']]}")  # fmt: skip
    lambda_client = session.client("lambda")
    for function in args.recycle:
        lambda_client.update_function_configuration(FunctionName=function, Description=f"JWT signing key {document['kid']}")
        print(f"{function}: new execution environments will load kid {document['kid']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
