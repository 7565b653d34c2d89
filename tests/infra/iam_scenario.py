"""Drive every route of the app as the prod Lambda functions would run, recording their AWS calls.

`python -m tests.infra.iam_scenario RECORDING RESULT` runs in a fresh interpreter (settings are
read once per process) with prod's Chalice stage environment from .chalice/config.json, as Lambda
would see it (AWS_LAMBDA_FUNCTION_NAME set): the signing key comes from Secrets Manager and mail
goes through SES, so those calls are recorded too. AWS is moto, in process.

Then what runs beside the routes: the reminder schedule (`send_reminders`, with one meeting due),
the scheduled report the scenario left (`run_scheduled_report`, as EventBridge Scheduler invokes it)
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
    # infra/envs/common: module.report_schedules' group and role, named after local.name.
    env.setdefault("SCHEDULE_GROUP", f"zebros-{stage}-reports")
    env.setdefault("SCHEDULER_ROLE_ARN", f"arn:aws:iam::123456789012:role/zebros-{stage}-report-scheduler")
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


def _scheduled_report_run() -> None:
    """What EventBridge Scheduler invokes at a report's time, for the scenario's scheduled report."""
    import boto3

    from app import app
    from chalicelib.core.settings import get_settings

    import botocore.session

    from chalicelib.localdev import stepfunctions

    scheduler, group = boto3.client("scheduler", region_name="us-east-1"), get_settings().schedule_group
    (schedule,) = scheduler.list_schedules(GroupName=group)["Schedules"]
    target = scheduler.get_schedule(Name=schedule["Name"], GroupName=group)["Target"]
    # The run it starts goes to the end on moto's interpreter, its tasks invoked as Step Functions invokes them.
    with stepfunctions.dispatch_tasks(stepfunctions.task_functions(app)):
        stepfunctions.prepare_local_jobs()
        if not app.handler_map["run_scheduled_report"](json.loads(target["Input"]), None)["started"]:
            raise RuntimeError("the scheduled report started no run: nothing of it would be recorded")
        stepfunctions.wait_for_executions(botocore.session.get_session().create_client("stepfunctions"))


def _beside_the_routes() -> None:
    """The schedule, the export job's tasks and the stream consumer, as Lambda invokes them."""
    from app import app
    from chalicelib.localdev.streams import event_consumer

    _due_meeting()
    app.handler_map["send_reminders"](SCHEDULED_EVENT, None)
    _export_job(app)
    _scheduled_report_run()
    if not event_consumer().drain():
        raise RuntimeError("the stream consumer was given no record: nothing of it would be recorded")
    _automation_run(app)
    _story_generation(app)


def _story_generation(app) -> None:
    """A story's text, a page's picture and its narration generated to the end by their machines on
    moto's interpreter (the offline generator, prod's default), the tasks invoked as Step Functions
    invokes them; then a job that fails, whose failure path gives the family's quota use back."""
    import botocore.session

    from chalicelib.core import clock
    from chalicelib.core.ids import new_id
    from chalicelib.localdev import stepfunctions
    from chalicelib.platform.services import quotas
    from chalicelib.platform.services.roles import principal
    from chalicelib.platform.tables.jobs import find_job
    from chalicelib.storyverse.families.tables.children import ChildModel, children
    from chalicelib.storyverse.generation.services import generation
    from chalicelib.storyverse.stories.tables.stories import StoryModel, stories

    parent = principal(new_id(), new_id(), "owner", "scenario")
    child = children.insert(ChildModel(parent.org_id, new_id(), name="Mia", age_band="under_7"), parent.user_id)
    story = stories.insert(StoryModel(parent.org_id, new_id(), title="Scenario story", child_id=child.child_id,
                                      status="draft", sharing="private"), parent.user_id)  # fmt: skip
    sfn = botocore.session.get_session().create_client("stepfunctions")
    with stepfunctions.dispatch_tasks(stepfunctions.task_functions(app)) as handlers:
        stepfunctions.prepare_local_jobs()
        queued = [generation.start_text(parent, {"story_id": story.story_id})]
        stepfunctions.wait_for_executions(sfn)
        for start in (generation.start_image, generation.start_audio):
            queued.append(start(parent, {"story_id": story.story_id, "page": 0}))
            stepfunctions.wait_for_executions(sfn)
    if any(find_job(parent.org_id, job["id"]).status != "succeeded" for job in queued):
        raise RuntimeError("a scenario generation did not succeed: its tasks' calls would be missing")
    # The image job's use, counted as its route counts it (outside any function), then given back
    # as the machine's failure path does.
    used = quotas.meter_daily(parent, generation.IMAGE.action, per=quotas.PER_ORGANIZATION)
    handlers["story_give_back"]({"job": {"org_id": parent.org_id, "job_id": queued[1]["id"]},
                                 "metered_at": clock.epoch_seconds(), "error": {"Error": "States.Timeout"}}, None)  # fmt: skip
    if quotas.meter_daily(parent, generation.IMAGE.action, per=quotas.PER_ORGANIZATION).remaining != used.remaining:
        raise RuntimeError("the failed generation's quota use was not given back")


def _automation_run(app) -> None:
    """A web lead enrolled by an automation with every kind of step (written as fixtures, outside any
    function), its enrolment by the stream consumer and its run taken to the end by the
    automation-run machine on moto's interpreter, the tasks invoked as Step Functions invokes them."""
    import botocore.session

    from chalicelib.core import clock
    from chalicelib.core.ids import new_id
    from chalicelib.crm.contact_management.services import leads
    from chalicelib.crm.marketing.services import automation_runs, automations, campaigns, email_templates
    from chalicelib.localdev import stepfunctions
    from chalicelib.localdev.streams import event_consumer
    from chalicelib.platform.services.roles import principal
    from chalicelib.platform.tables.memberships import MembershipModel

    owner = principal(new_id(), new_id(), "owner", "scenario")
    MembershipModel(owner.org_id, owner.user_id, account_id=owner.user_id, email="owner@scenario.example.com",
                    name="Owner", role="owner", created_at=clock.now()).save()  # fmt: skip
    template = email_templates.create_template(owner, {"name": "Welcome", "subject": "Hi {{name}}", "body": "Hello {{name}}"})
    campaign = campaigns.create_campaign(owner, {"name": "Scenario", "channel": "email"})
    automation = automations.create_automation(owner, {
        "name": "Every step", "status": "active", "trigger": {"event": "lead.created"},
        "steps": [{"type": "wait", "seconds": 1}, {"type": "send_email", "template_id": template["id"]},
                  {"type": "create_task", "subject": "Call", "due_in_seconds": 3600},
                  {"type": "set_field", "field": "status", "value": "contacted"},
                  {"type": "add_to_campaign", "campaign_id": campaign["id"]},
                  {"type": "notify_users", "user_ids": [owner.user_id], "message": "A new web lead"}],
    })  # fmt: skip
    leads.records.create(owner, {"name": "Ada", "email": "ada@scenario.example.com", "source": "web"})
    with stepfunctions.dispatch_tasks(stepfunctions.task_functions(app)):
        if not event_consumer().drain():
            raise RuntimeError("the lead's event did not reach the stream consumer: its enrolment would be missing")
        stepfunctions.wait_for_executions(botocore.session.get_session().create_client("stepfunctions"))
    runs = automation_runs.list_runs(owner, automation["id"], 10, None)["items"]
    if [run["status"] for run in runs] != ["succeeded"]:
        raise RuntimeError(f"the scenario's automation run did not succeed: its tasks' calls would be missing: {runs}")


def _export_job(app) -> None:
    """An export run to the end by the export machine on moto's interpreter, its tasks invoked as
    Step Functions invokes them (chalicelib/localdev/stepfunctions.py); then the failure task on it."""
    import botocore.session

    from chalicelib.core.ids import new_id
    from chalicelib.localdev import stepfunctions
    from chalicelib.platform.services import exports
    from chalicelib.platform.services.roles import principal
    from chalicelib.platform.tables.jobs import find_job

    owner = principal(new_id(), new_id(), "owner", "scenario")
    with stepfunctions.dispatch_tasks(stepfunctions.task_functions(app)) as handlers:
        # moto keeps executed machines in a backend of their own: the scenario's are not there.
        stepfunctions.prepare_local_jobs()
        job = exports.start_export(owner, {"resource": "customers", "format": "csv"})
        stepfunctions.wait_for_executions(botocore.session.get_session().create_client("stepfunctions"))
    if find_job(owner.org_id, job["id"]).status != "succeeded":
        raise RuntimeError("the scenario's export did not succeed: its tasks' calls would be missing")
    handlers["job_failed"]({"job": {"org_id": owner.org_id, "job_id": job["id"]},
                            "error": {"Error": "States.Timeout", "Cause": ""}}, None)  # fmt: skip


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
        from chalicelib.localdev.s3 import create_buckets
        from chalicelib.localdev.usage_plans import create_usage_plans
        from chalicelib.tables import create_tables

        settings = get_settings()
        create_tables()
        create_buckets()
        create_usage_plans()
        session = botocore.session.get_session()
        session.create_client("secretsmanager").create_secret(
            Name=settings.signing_key_secret_id, SecretString=json.dumps(generate_key_document())
        )
        session.create_client("ses").verify_domain_identity(Domain=settings.notifier_from_address.split("@")[1])
        session.create_client("events").create_event_bus(Name=settings.event_bus_name)
        session.create_client("scheduler").create_schedule_group(Name=settings.schedule_group)
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
