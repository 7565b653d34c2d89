"""A tenant to measure with: tables, an organization with its owner, and customers, created through
the app's own Lambda handler so that what is stored is what the app would store.

`python -m tests.benchmarks.world RESULT_PATH INPUT_PATH` does this in a process of its own, so the
process being measured pays only for what its requests need: creating the tables touches every
model, and PynamoDB gives each model a botocore session of its own.
"""
from __future__ import annotations

import json
import secrets
from dataclasses import asdict, dataclass
from typing import Any

from tests.benchmarks.lambda_runtime import authorizer_context, invoke, proxy_event
from tests.benchmarks.local_aws import child_main

PASSWORD = "correct horse battery staple"


@dataclass(frozen=True)
class Tenant:
    org_id: str
    user_id: str
    email: str

    def caller(self, role: str = "member") -> dict[str, str]:
        return authorizer_context(self.user_id, self.org_id, role)


def call(handler: Any, event: dict[str, Any], expected_status: int) -> Any:
    """Invoke the handler; the decoded body, or an error that says what the app answered."""
    response = invoke(handler, event)
    if response["statusCode"] != expected_status:
        raise RuntimeError(
            f"{event['httpMethod']} {event['path']} answered {response['statusCode']}, expected {expected_status}: "
            f"{response.get('body')!r}"
        )
    body = response.get("body")
    return json.loads(body) if body else None


class SignupCodes:
    """A notifier that keeps the sign-up codes it is given: the set-up's mailbox (in the Lambda
    environment the app would send them through SES)."""

    def __init__(self) -> None:
        self.codes: dict[str, str] = {}

    def send_signup_confirmation(self, email: str, token: str) -> None:
        self.codes[email] = token


def register_tenant(handler: Any) -> Tenant:
    """Sign up and confirm with the mailed code, as a new owner does."""
    from unittest import mock

    from chalicelib.platform.services import signups

    email = f"owner-{secrets.token_hex(4)}@bench.example.com"
    body = {"email": email, "password": PASSWORD, "name": "Bench Owner", "organization": "Bench Ltd"}
    mailbox = SignupCodes()
    with mock.patch.object(signups, "get_notifier", lambda: mailbox):
        call(handler, proxy_event("POST", "/v1/auth/register", body=body), 202)
    confirmation = proxy_event("POST", "/v1/auth/register/confirm", body={"token": mailbox.codes[email]})
    registered = call(handler, confirmation, 201)
    return Tenant(org_id=registered["organization"]["id"], user_id=registered["user"]["id"], email=email)


def customer_body(number: int) -> dict[str, Any]:
    return {
        "name": f"Customer {number}",
        "email": f"customer{number}@example.com",
        "phone": "+44 20 7946 0000",
        "company": "Example Trading",
        "tags": ["vip", "newsletter"],
        "status": "active",
        "custom_fields": {"segment": "enterprise", "seats": 25, "renewal": True},
    }


def create_customer(handler: Any, tenant: Tenant, number: int) -> dict[str, Any]:
    event = proxy_event("POST", "/v1/customers", body=customer_body(number), authorizer=tenant.caller())
    return call(handler, event, 201)


def store_signing_key() -> None:
    """In Lambda the app reads its signing key from Secrets Manager (here, the moto server)."""
    import boto3

    from chalicelib.core.settings import get_settings
    from chalicelib.platform.services.signing_keys import generate_key_document

    secret_id = get_settings().signing_key_secret_id
    boto3.client("secretsmanager").create_secret(Name=secret_id, SecretString=json.dumps(generate_key_document()))


def set_up(inputs: dict[str, Any]) -> dict[str, Any]:
    """Create missing tables; with inputs {"customers": N}, also a tenant and N customers, and where
    their table is (for handlers that read it without the app's code)."""
    import app as zebros
    from chalicelib.core.settings import get_settings
    from chalicelib.crm.contact_management.tables.customers import CustomerModel
    from chalicelib.localdev.s3 import create_buckets
    from chalicelib.localdev.usage_plans import create_usage_plans
    from chalicelib.tables import create_tables

    create_tables()
    create_buckets()
    create_usage_plans()
    if get_settings().running_in_lambda:
        store_signing_key()
    if "customers" not in inputs:
        return {}
    tenant = register_tenant(zebros.app)
    customers = [create_customer(zebros.app, tenant, number)["id"] for number in range(inputs["customers"])]
    meta = CustomerModel.Meta
    table = {"table_name": meta.table_name, "host": getattr(meta, "host", None), "region": meta.region}
    return {"tenant": asdict(tenant), "customers": customers, "customers_table": table}


def tenant_from(world: dict[str, Any]) -> Tenant:
    return Tenant(**world["tenant"])


if __name__ == "__main__":
    child_main(set_up)
