"""Each test gets a fresh in-process AWS (moto) with the app's tables, and an HTTP client for the
app as API Gateway would call it (chalice.test.Client, authorizer included)."""
from __future__ import annotations

import json
import os
import time
from dataclasses import dataclass, field
from typing import Any

# Settings are read once per process, so the environment is fixed before the app is imported.
os.environ.update(
    AWS_DEFAULT_REGION="us-east-1",
    AWS_ACCESS_KEY_ID="testing",
    AWS_SECRET_ACCESS_KEY="testing",
    AWS_SECURITY_TOKEN="testing",
    AWS_SESSION_TOKEN="testing",
    TABLE_PREFIX="zebros-test-",
    LOCAL_API_KEYS="test-api-key",
    JWT_ISSUER="http://127.0.0.1:8000",
    JWT_AUDIENCE="zebros-api",
    POWERTOOLS_METRICS_NAMESPACE="ZebrosTest",
    CORS_ALLOWED_ORIGINS="https://app.example.test,http://localhost:3000",
)
for name in ("DYNAMODB_ENDPOINT", "AWS_LAMBDA_FUNCTION_NAME", "AWS_PROFILE", "LOCAL_SIGNING_KEY_FILE"):
    os.environ.pop(name, None)

import pytest  # noqa: E402

from tests import aws_calls  # noqa: E402

aws_calls.install()  # before the app creates a client: the IAM coverage check reads what it records

from chalice.test import Client  # noqa: E402
from moto import mock_aws  # noqa: E402

from app import app  # noqa: E402
from chalicelib.core import clock  # noqa: E402
from chalicelib.core.ids import new_id  # noqa: E402
from chalicelib.localdev.s3 import create_buckets, enforce_post_policies  # noqa: E402
from chalicelib.platform.services.passwords import hash_password  # noqa: E402
from chalicelib.platform.tables.memberships import MembershipModel  # noqa: E402
from chalicelib.platform.tables.users import UserModel  # noqa: E402
from chalicelib.tables import create_tables  # noqa: E402
from tests.jobs_fixtures import step_functions  # noqa: E402,F401  (jobs on moto's Step Functions interpreter)

PASSWORD = "correct horse battery staple"


def pytest_sessionstart(session):
    session.config.aws_calls_started = time.time()


def pytest_sessionfinish(session):
    """Keep the AWS calls the app's functions made in this session (build/aws-calls/, one file per
    process) for tests/infra/test_iam_coverage.py; the session that records last replaces the files
    of earlier ones."""
    if aws_calls.invocations:
        aws_calls.write(aws_calls.process_file())
    if hasattr(session.config, "workerinput"):
        return  # an xdist worker: the controller tidies up once every worker has written
    recordings = list(aws_calls.RECORDING_DIR.glob("*.jsonl"))
    if any(r.stat().st_mtime >= session.config.aws_calls_started for r in recordings):
        for stale in recordings:
            if stale.stat().st_mtime < session.config.aws_calls_started:
                stale.unlink()


def pytest_terminal_summary(terminalreporter):
    """The figures a test records with `record_property("summary", ...)` (the contract fuzz run's
    requests, checks and failures), shown whether it passed or failed, so CI logs carry them."""
    reports = terminalreporter.stats.get("passed", []) + terminalreporter.stats.get("failed", [])
    lines = [f"{report.nodeid}: {value}" for report in reports
             for name, value in getattr(report, "user_properties", []) if name == "summary"]
    if lines:
        terminalreporter.write_sep("-", "summaries")
        for line in lines:
            terminalreporter.write_line(line)


@dataclass
class Reply:
    status: int
    headers: dict[str, str]
    body: bytes

    @property
    def json(self) -> Any:
        return json.loads(self.body) if self.body else None

    def header(self, name: str) -> str | None:
        return next((value for key, value in self.headers.items() if key.lower() == name.lower()), None)


@dataclass
class Caller:
    """A logged-in user: tokens plus who they are."""

    access_token: str
    refresh_token: str
    user_id: str
    org_id: str
    role: str
    email: str
    extra_headers: dict[str, str] = field(default_factory=dict)


class Api:
    def __init__(self, client: Client) -> None:
        self.client = client

    def call(
        self,
        method: str,
        path: str,
        json_body: Any = None,
        *,
        as_: Caller | None = None,
        headers: dict[str, str] | None = None,
        raw: bytes | None = None,
    ) -> Reply:
        all_headers = {"Content-Type": "application/json"}
        if as_ is not None:
            all_headers["Authorization"] = f"Bearer {as_.access_token}"
        all_headers.update(headers or {})
        body = raw if raw is not None else (json.dumps(json_body).encode() if json_body is not None else b"")
        response = self.client.http.request(method, path, headers=all_headers, body=body)
        return Reply(response.status_code, dict(response.headers), response.body)

    def get(self, path: str, **kwargs: Any) -> Reply:
        return self.call("GET", path, **kwargs)

    def post(self, path: str, json_body: Any = None, **kwargs: Any) -> Reply:
        return self.call("POST", path, json_body, **kwargs)

    def put(self, path: str, json_body: Any = None, **kwargs: Any) -> Reply:
        return self.call("PUT", path, json_body, **kwargs)

    def patch(self, path: str, json_body: Any = None, **kwargs: Any) -> Reply:
        return self.call("PATCH", path, json_body, **kwargs)

    def delete(self, path: str, **kwargs: Any) -> Reply:
        return self.call("DELETE", path, **kwargs)

    def request_signup(self, email: str, organization: str = "Acme", password: str = PASSWORD) -> tuple[Reply, "SignupMail"]:
        """POST /v1/auth/register, and the sign-up mail it sent (what the address's owner reads)."""
        from unittest import mock

        from chalicelib.platform.services import signups

        mailbox = SignupMailbox()
        with mock.patch.object(signups, "get_notifier", lambda: mailbox):
            reply = self.post(
                "/v1/auth/register",
                {"email": email, "password": password, "name": "Owner", "organization": organization},
            )
        return reply, (mailbox.sent[-1] if mailbox.sent else None)

    def register(self, email: str, organization: str = "Acme", password: str = PASSWORD) -> Reply:
        """Sign up and confirm with the mailed code (and, for an email with a login, `password`):
        the confirmation's reply."""
        requested, mail = self.request_signup(email, organization, password)
        assert requested.status == 202 and mail is not None, requested.body
        return self.confirm_signup(mail.token, password if mail.for_existing_login else None)

    def confirm_signup(self, token: str, password: str | None = None) -> Reply:
        return self.post("/v1/auth/register/confirm", {"token": token, **({"password": password} if password is not None else {})})

    def login(self, email: str, password: str = PASSWORD) -> Reply:
        return self.post("/v1/auth/login", {"email": email, "password": password})


@dataclass(frozen=True)
class SignupMail:
    email: str
    token: str
    for_existing_login: bool


class SignupMailbox:
    """A notifier that keeps the sign-up mails it is given."""

    def __init__(self) -> None:
        self.sent: list[SignupMail] = []

    def send_signup_confirmation(self, email: str, token: str) -> None:
        self.sent.append(SignupMail(email, token, for_existing_login=False))

    def send_signup_for_existing_login(self, email: str, token: str) -> None:
        self.sent.append(SignupMail(email, token, for_existing_login=True))


# Uploads to moto's S3 are refused as S3 refuses them (presigned POST policies).
enforce_post_policies()


@pytest.fixture
def aws():
    from chalicelib.localdev.usage_plans import create_usage_plans

    with mock_aws():
        create_tables()
        create_buckets()
        create_usage_plans()
        yield


@pytest.fixture
def api(aws) -> Api:
    with Client(app) as client:
        yield Api(client)


@pytest.fixture
def event_stream(aws):
    """The app's stream consumer fed from moto's audit_logs stream: `event_stream.drain()` delivers
    every committed entry not yet delivered (chalicelib/localdev/streams.py)."""
    from chalicelib.localdev.streams import event_consumer

    return event_consumer()


@pytest.fixture
def delivered_events(event_stream, monkeypatch):
    """delivered_events() -> every DomainEvent the stream consumer has delivered so far, in order
    (it drains the stream first). The consumers of chalicelib/platform/event_consumers.py still run."""
    from chalicelib.platform import event_consumers

    delivered = []
    consumers = event_consumers.event_consumers
    monkeypatch.setattr(event_consumers, "event_consumers", lambda: [*consumers(), delivered.extend])

    def drain_then_list():
        event_stream.drain()
        return list(delivered)

    return drain_then_list


@pytest.fixture
def login_as(api: Api):
    """login_as(role="viewer", org_of=owner) -> Caller. Without org_of, a new organization is
    registered and its owner logged in; other roles are added to that organization."""
    counter = iter(range(1, 1_000_000))

    def login(role: str = "owner", org_of: Caller | None = None) -> Caller:
        number = next(counter)
        if org_of is None:
            owner_email = f"owner{number}@example.com"
            assert api.register(owner_email, organization=f"Org {number}").status == 201
            owner = _caller(api, owner_email)
            if role == "owner":
                return owner
            org_of = owner
        email = f"{role}{number}@example.com"
        user_id = new_id()
        UserModel(
            email, user_id=user_id, org_id=org_of.org_id, name=role.title(), password_hash=hash_password(PASSWORD), created_at=clock.now()
        ).save()
        MembershipModel(
            org_of.org_id, user_id, account_id=user_id, email=email, name=role.title(), role=role, created_at=clock.now()
        ).save()
        return _caller(api, email)

    return login


def add_users(org_id: str, *user_ids: str, status: str = "active") -> None:
    """Users of an organization with the given ids (and no usable password): what records may name
    as their owner or assignee when the test does not need to log in as them."""
    for user_id in user_ids:
        email = f"{user_id}.{org_id}@example.com".lower()
        UserModel(email, user_id=user_id, org_id=org_id, name=user_id, password_hash="unusable", created_at=clock.now()).save()
        MembershipModel(
            org_id, user_id, account_id=user_id, email=email, name=user_id, role="member", status=status, created_at=clock.now()
        ).save()


def _caller(api: Api, email: str) -> Caller:
    import jwt

    reply = api.login(email)
    assert reply.status == 200, reply.body
    tokens = reply.json
    claims = jwt.decode(tokens["access_token"], options={"verify_signature": False})
    return Caller(
        access_token=tokens["access_token"],
        refresh_token=tokens["refresh_token"],
        user_id=claims["sub"],
        org_id=claims["org"],
        role=claims["role"],
        email=email,
    )


@pytest.fixture
def owner(login_as) -> Caller:
    return login_as("owner")


@pytest.fixture
def customer(api: Api, owner: Caller) -> dict[str, Any]:
    reply = api.post("/v1/customers", {"name": "Ada Lovelace", "email": "ada@example.com", "tags": ["vip"]}, as_=owner)
    assert reply.status == 201, reply.body
    return reply.json
