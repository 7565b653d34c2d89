"""Drive every route of the app as the prod Lambda functions would run, recording their AWS calls.

`python -m tests.infra.iam_scenario RECORDING RESULT` runs in a fresh interpreter (settings are
read once per process) with prod's Chalice stage environment from .chalice/config.json, as Lambda
would see it (AWS_LAMBDA_FUNCTION_NAME set): the signing key comes from Secrets Manager and mail
goes through SES, so those calls are recorded too. AWS is moto, in process.

Then what runs beside the routes: the reminder schedule (`send_reminders`, with one meeting due)
and the stream consumer (`deliver_events`, fed every audit entry the run committed by the local
stream poller, as the event source mapping would), so their calls are recorded too; the consumer
puts the events on prod's bus (EVENT_BUS_NAME as the env root names it).

The requests are tests.benchmarks.dynamodb_calls.SCENARIO (every route, with the status it must
answer); its `measure` reports routes it did not reach, which the coverage check turns into a
failure, so the recording cannot silently miss a route. The scenario reads reset, invitation and
sign-up tokens from the local notifier's log records; here the SES notifier sends the mail and the same
record is written beside it.
"""
from __future__ import annotations

import json
import os
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
SENDER = "no-reply@zebroscrm.com"
SCHEDULED_EVENT = {"version": "0", "id": "iam-scenario", "detail-type": "Scheduled Event", "source": "aws.events",
                   "account": "123456789012", "time": "2026-01-01T00:00:00Z", "region": "us-east-1",
                   "resources": [], "detail": {}}  # fmt: skip


def lambda_environment(stage: str) -> dict[str, str]:
    config = json.loads((REPO / ".chalice" / "config.json").read_text())
    env = {**config.get("environment_variables", {}), **config["stages"][stage].get("environment_variables", {})}
    env.setdefault("NOTIFIER", "ses")
    env.setdefault("NOTIFIER_FROM_ADDRESS", SENDER)
    env.setdefault("EVENT_BUS_NAME", f"zebros-{stage}")  # infra/envs/common: module.event_bus, local.name
    env.update(
        AWS_LAMBDA_FUNCTION_NAME=f"zebros-{stage}",
        # The scenario reads tokens from INFO records of the app's logger.
        POWERTOOLS_LOG_LEVEL="INFO",
        AWS_DEFAULT_REGION="us-east-1",
        AWS_ACCESS_KEY_ID="testing",
        AWS_SECRET_ACCESS_KEY="testing",
        # As Terraform sets it (https://ws.<domain>), but where moto's @connections answers.
        WEBSOCKET_MANAGEMENT_ENDPOINT="https://scenario.execute-api.us-east-1.amazonaws.com",
    )
    return env


def _relay_mailed_tokens() -> None:
    from chalicelib.aws.ses import SesNotifier
    from chalicelib.platform.services.notifications import LogNotifier

    for method in ("send_password_reset", "send_invitation", "send_signup_confirmation", "send_signup_for_existing_login"):
        send = getattr(SesNotifier, method)

        def sent_and_logged(self, email, token, _send=send, _method=method):
            _send(self, email, token)
            getattr(LogNotifier(), _method)(email, token)

        setattr(SesNotifier, method, sent_and_logged)


def _key_cache_per_function() -> None:
    """Each function runs in containers of its own, so each loads the signing key itself."""
    from chalicelib.platform.services import signing_keys
    from tests import aws_calls

    caches: dict[str, dict] = {}

    def enter(function: str) -> None:
        signing_keys._cache = caches.setdefault(function, {"ring": None, "loaded_at": 0.0})

    aws_calls.entry_listeners.append(enter)


def _due_meeting() -> None:
    """A meeting due in five minutes, written as a fixture (outside any function: not recorded)."""
    from datetime import timedelta

    from chalicelib.core import clock
    from chalicelib.crm.contact_management.tables.activities import ActivityModel, activities
    from chalicelib.platform.tables.writes import commit

    meeting = ActivityModel(org_id="org-iam-scenario", activity_id="meeting-1", customer_id="customer-1", type="meeting", subject="Demo",
                            due_at=clock.now() + timedelta(minutes=5), assignee="user-1", status="open")  # fmt: skip
    commit(activities.creation(meeting, "user-1"))


def _beside_the_routes() -> None:
    """The schedule and the stream consumer, as Lambda invokes them."""
    from app import app
    from chalicelib.localdev.streams import event_consumer

    _due_meeting()
    app.handler_map["send_reminders"](SCHEDULED_EVENT, None)
    if not event_consumer().drain():
        raise RuntimeError("the stream consumer was given no record: nothing of it would be recorded")


def main(recording: Path, result: Path) -> None:
    for name in ("AWS_ENDPOINT_URL", "DYNAMODB_ENDPOINT", "AWS_PROFILE", "AWS_SESSION_TOKEN", "LOCAL_SIGNING_KEY_FILE"):
        os.environ.pop(name, None)
    os.environ.update(lambda_environment("prod"))

    from tests import aws_calls

    aws_calls.install()
    from moto import mock_aws

    with mock_aws():
        import botocore.session

        from chalicelib.core.settings import get_settings
        from chalicelib.platform.services.signing_keys import generate_key_document
        from chalicelib.localdev.usage_plans import create_usage_plans
        from chalicelib.tables import create_tables

        settings = get_settings()
        create_tables()
        create_usage_plans()
        session = botocore.session.get_session()
        session.create_client("secretsmanager").create_secret(
            Name=settings.signing_key_secret_id, SecretString=json.dumps(generate_key_document())
        )
        session.create_client("ses").verify_domain_identity(Domain=settings.notifier_from_address.split("@")[1])
        session.create_client("events").create_event_bus(Name=settings.event_bus_name)
        _relay_mailed_tokens()
        _key_cache_per_function()

        from tests.benchmarks.dynamodb_calls import measure

        outcome = measure({})
        from tests.infra.websocket_scenario import drive

        drive()
        _beside_the_routes()
    aws_calls.write(recording)
    result.write_text(json.dumps({k: outcome[k] for k in ("failures", "unexercised_routes", "skipped_steps", "routes_exercised")}))


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]))
