"""Automation runs: enrolment from domain events, the steps a run goes through, and its history.

Enrolment is a consumer of committed domain events (chalicelib/crm/event_consumers.py). For each
`<kind>.created|updated` event it reads the organization's active automations triggered by that
type (one Query of the sparse by_trigger index per organization and type in a batch) and the record
(one GetItem), and enrols the record in each automation whose conditions hold: one transaction
(tables/automation_enrollments.py) that refuses a second run of the same record in the same
automation while one is under way, a second enrolment by the same event, and enrolments beyond
the organization's daily limit. Then it starts the run: one Step Functions execution of
infra/state-machines/automation-run.asl.json, named after the run, so starting it again (the stream
redelivering the batch after a failure in between) is the same execution.

Loops: every write a step makes is made as the automation (actor `automation:<id>`), so its audit
entry and events name it, and an event whose actor is an automation never enrols a record in that
same automation. Another automation may react to it; the daily limit and one-run-per-record bound
what two automations could do to each other.

The execution maps over the plan's steps, one at a time: each is a Task state calling `run_step`
(a wait answers until when, and the machine waits in a Wait state, never polling), then `step_waited`
after a wait; `finish_run` records how the run ended. Each step's outcome is written into the run
before the next starts, so GET /v1/automations/{id}/runs/{run_id} shows where a run is. A step
already recorded as succeeded is not done again when Step Functions retries its task. A paused or
deleted automation stops its runs at their next step (status `cancelled`).
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from chalicelib.core import clock
from chalicelib.core.errors import DomainError, NotFound
from chalicelib.core.events import DomainEvent
from chalicelib.core.ids import new_id
from chalicelib.crm.contact_management.services import activities
from chalicelib.crm.marketing.services import campaigns
from chalicelib.crm.marketing.services.automations import RECORD_TYPES, conditions_met
from chalicelib.crm.marketing.services.email_templates import placeholders_of, render
from chalicelib.crm.marketing.tables.automation_enrollments import (
    AlreadyEnrolled,
    DailyLimitReached,
    EnrollmentModel,
    EventSeen,
    enrollment,
    event_key,
    find_run,
    finished,
    runs_of,
    step_recorded,
)
from chalicelib.crm.marketing.tables.automations import AutomationModel, automations, triggered_by
from chalicelib.crm.marketing.tables.email_templates import email_templates
from chalicelib.observability import count, logger
from chalicelib.platform.services.notifications import get_notifier
from chalicelib.platform.services.roles import BUILT_IN_ROLES, Principal
from chalicelib.platform.tables.base import find, query_page
from chalicelib.platform.tables.memberships import ACTIVE, find_membership
from chalicelib.platform.tables.writes import commit

STATE_MACHINE = "automation-run"
MAX_ENROLLMENTS_PER_DAY = 10_000
ACTOR_PREFIX = "automation:"
RUN_STATUSES = ("running", "succeeded", "failed", "cancelled")


class StepFailed(Exception):
    """A step cannot be done (its template is gone, the record has no email, a value is refused):
    the run fails with this reason; retrying would not help."""


class AutomationPaused(Exception):
    """The automation was paused or deleted while the run waited: the run stops (cancelled)."""


def actor_of(automation_id: str) -> str:
    """Who an automation's writes are made by (audit entries, events, created_by)."""
    return f"{ACTOR_PREFIX}{automation_id}"


# Enrolment


def consume(events: Sequence[DomainEvent]) -> None:
    """Enrol the records these events are about in the automations they trigger (see the module)."""
    triggered: dict[tuple[str, str], list[AutomationModel]] = {}
    for event in events:
        if event.subject_type not in RECORD_TYPES or event.type.partition(".")[2] not in ("created", "updated"):
            continue
        key = (event.org_id, event.type)
        if key not in triggered:
            triggered[key] = triggered_by(event.org_id, event.type)
        candidates = [automation for automation in triggered[key] if event.actor != actor_of(automation.automation_id)]
        if len(candidates) < len(triggered[key]):
            count("AutomationLoopPrevented")
        if candidates:
            _enrol_in(candidates, event)


def _enrol_in(candidates: list[AutomationModel], event: DomainEvent) -> None:
    records = RECORD_TYPES[event.subject_type]
    item = find(records.table.model, event.org_id, event.subject_id)
    if item is None or item.deleted_at is not None:
        return
    record = records.view(item)
    for automation in candidates:
        if conditions_met(automation.trigger.get("conditions", []), record):
            enrol(automation, event)


def enrol(automation: AutomationModel, event: DomainEvent) -> EnrollmentModel | None:
    """One run of `automation` for the event's record, started; None when the record is in a run of
    it already or the organization reached its daily limit."""
    now = clock.now()
    run = EnrollmentModel(
        automation.org_id, "", run_id=new_id(), automation_id=automation.automation_id,
        automation_version=automation.version, record_type=event.subject_type, record_id=event.subject_id,
        event_id=event.id, event_type=event.type, status="running", plan=automation.steps, steps=[], started_at=now,
    )  # fmt: skip
    try:
        commit(enrollment(run, now.date().isoformat(), MAX_ENROLLMENTS_PER_DAY))
    except EventSeen:
        # Enrolled by an earlier delivery of this event: make sure its run was started.
        run = _run_enrolled_by(automation, event.id)
        if run is not None and run.status == "running":
            _start(run)
        return None
    except AlreadyEnrolled:
        count("AutomationAlreadyEnrolled")
        return None
    except DailyLimitReached:
        logger.warning("Automation enrolment refused: daily limit", extra={"automation_id": automation.automation_id})
        count("AutomationEnrollmentLimited")
        return None
    _start(run)
    count("AutomationEnrolled")
    return run


def _run_enrolled_by(automation: AutomationModel, event_id: str) -> EnrollmentModel | None:
    marker = find(EnrollmentModel, automation.org_id, event_key(automation.automation_id, event_id), consistent=True)
    return find_run(automation.org_id, automation.automation_id, marker.run_id, consistent=True) if marker else None


def _start(run: EnrollmentModel) -> None:
    from chalicelib.aws import stepfunctions

    stepfunctions.start_execution(STATE_MACHINE, run.run_id, execution_input(run))


def execution_input(run: EnrollmentModel) -> dict[str, Any]:
    """What the execution is started with: the same for every start of one run."""
    return {
        "org_id": run.org_id,
        "automation_id": run.automation_id,
        "run_id": run.run_id,
        "steps": [{"index": index, "type": step["type"]} for index, step in enumerate(run.plan)],
    }


# The steps (Task states of the execution)


@dataclass(frozen=True)
class StepContext:
    automation: AutomationModel
    run: EnrollmentModel
    principal: Principal
    record: dict[str, Any]


def run_step(task: dict[str, Any]) -> dict[str, Any]:
    """Do step `task["index"]` of the run. What the machine's Choice reads: {"wait": "none"}, or for
    a wait {"wait": "seconds", "wait_seconds": n} or {"wait": "until", "wait_until": <UTC time>}.
    Raises StepFailed or AutomationPaused."""
    run, automation = _run_and_automation(task)
    index = int(task["index"])
    outcomes = list(run.steps or [])
    done = outcomes[index] if index < len(outcomes) else None
    if done is not None and done["status"] in ("succeeded", "waiting"):
        return done.get("result", {})
    step = run.plan[index]
    outcome: dict[str, Any] = {"index": index, "type": step["type"], "started_at": clock.isoformat(clock.now())}
    try:
        context = StepContext(automation, run, _principal_of(automation, run), _record_of(automation, run))
        result, detail = STEPS[step["type"]](context, step)
    except StepFailed as failure:
        _record(run, outcomes, index, {**outcome, "status": "failed", "reason": str(failure)})
        raise
    status = "waiting" if step["type"] == "wait" else "succeeded"
    result = {"wait": "none", **result}
    _record(run, outcomes, index, {**outcome, "status": status, **detail, "result": result})
    return result


def step_waited(task: dict[str, Any]) -> dict[str, Any]:
    """The wait of step `task["index"]` is over."""
    run, _ = _run_and_automation(task)
    index = int(task["index"])
    outcomes = list(run.steps or [])
    _record(run, outcomes, index, {**outcomes[index], "status": "succeeded", "finished_at": clock.isoformat(clock.now())})
    return {}


def finish_run(task: dict[str, Any]) -> dict[str, Any]:
    """How the run ended: `status` succeeded, or the error the execution caught (`error`: Error and
    Cause as Step Functions gives them): AutomationPaused cancels, anything else fails."""
    run = find_run(task["org_id"], task["automation_id"], task["run_id"], consistent=True)
    if run is None or run.finished_at is not None:
        return {}
    error = task.get("error")
    status, reason = "succeeded", None
    if error:
        status = "cancelled" if error.get("Error") == AutomationPaused.__name__ else "failed"
        reason = _reason(error)
    commit(finished(run, status, reason))
    count(f"AutomationRun{status.title()}")
    return {"status": status}


def _reason(error: dict[str, Any]) -> str:
    """The message a handler's exception carried (Lambda's Cause is a JSON error document)."""
    import json

    cause = error.get("Cause") or ""
    try:
        message = json.loads(cause).get("errorMessage")
    except (ValueError, AttributeError):
        message = None
    return str(message or cause or error.get("Error") or "failed")[:1000]


def _run_and_automation(task: dict[str, Any]) -> tuple[EnrollmentModel, AutomationModel]:
    org_id, automation_id = task["org_id"], task["automation_id"]
    run = find_run(org_id, automation_id, task["run_id"], consistent=True)
    if run is None:
        raise StepFailed("The run no longer exists.")
    automation = find(AutomationModel, org_id, automation_id, consistent=True)
    if automation is None or automation.deleted_at is not None:
        raise AutomationPaused("The automation was deleted.")
    if automation.status != "active":
        raise AutomationPaused("The automation was paused.")
    return run, automation


def _principal_of(automation: AutomationModel, run: EnrollmentModel) -> Principal:
    # A member's permissions: an automation edits CRM records, never users, roles or settings.
    return Principal(
        user_id=actor_of(automation.automation_id), org_id=automation.org_id, role="automation",
        session_id=f"run:{run.run_id}", permissions=BUILT_IN_ROLES["member"],
    )  # fmt: skip


def _record_of(automation: AutomationModel, run: EnrollmentModel) -> dict[str, Any]:
    try:
        return RECORD_TYPES[run.record_type].get(_principal_of(automation, run), run.record_id)
    except NotFound:
        raise StepFailed(f"The {run.record_type} no longer exists.") from None


def _record(run: EnrollmentModel, outcomes: list[dict[str, Any]], index: int, outcome: dict[str, Any]) -> None:
    outcomes = outcomes + [{}] * (index + 1 - len(outcomes))
    outcomes[index] = outcome
    commit([step_recorded(run, outcomes)])


Step = Callable[[StepContext, dict[str, Any]], tuple[dict[str, Any], dict[str, Any]]]


def _wait(context: StepContext, step: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    if "seconds" in step:
        until = clock.now() + timedelta(seconds=step["seconds"])
        return {"wait": "seconds", "wait_seconds": step["seconds"]}, {"until": clock.isoformat(until)}
    until = _date_of(context.record, step["until_field"]) + timedelta(seconds=step.get("offset_seconds", 0))
    # Whole seconds, rounded up: never earlier than asked. A time in the past is "go on now".
    until = until.replace(microsecond=0) + timedelta(seconds=1 if until.microsecond else 0)
    until_text = until.strftime("%Y-%m-%dT%H:%M:%SZ")
    return {"wait": "until", "wait_until": until_text}, {"until": until_text}


def _date_of(record: dict[str, Any], field: str) -> datetime:
    value = record.get("custom_fields", {}).get(field.split(".", 1)[1]) if field.startswith("custom_fields.") else record.get(field)
    if not isinstance(value, str) or not value:
        raise StepFailed(f"The record has no date in {field}.")
    try:
        return clock.parse(value if "T" in value else f"{value}T00:00:00Z")
    except ValueError:
        raise StepFailed(f"The record's {field} is not a date: {value!r}.") from None


def _send_email(context: StepContext, step: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    address = context.record.get("email")
    if not address:
        raise StepFailed(f"The {context.run.record_type} has no email address.")
    template = find(email_templates.model, context.automation.org_id, step["template_id"])
    if template is None or template.deleted_at is not None:
        raise StepFailed("The email template no longer exists.")
    values = _template_values(context.record)
    missing = [name for name in placeholders_of(template.subject, template.body) if name not in values]
    if missing:
        raise StepFailed(f"The record has no value for the template's placeholders: {', '.join(missing)}.")
    subject = render(template.subject, values)
    get_notifier().send_message(address, subject, render(template.body, values))
    return {}, {"to": address, "subject": subject, "template_id": template.template_id}


def _template_values(record: dict[str, Any]) -> dict[str, Any]:
    """A template's placeholders name the record's fields (`{{name}}`) and custom fields
    (`{{custom_fields.plan}}`); an empty one has no value."""
    values = {name: value for name, value in record.items() if isinstance(value, (str, int, float, bool)) and value != ""}
    values.update({f"custom_fields.{key}": value for key, value in (record.get("custom_fields") or {}).items()
                   if value is not None and value != ""})
    return values


def _create_task(context: StepContext, step: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    assignee = step.get("assignee") or context.record.get("owner")
    due_at = clock.now() + timedelta(seconds=step["due_in_seconds"])
    run = context.run
    try:
        if run.record_type == "lead":
            task = activities.create_lead_task(context.principal, run.record_id, step["subject"], due_at, assignee)
        else:
            customer_id = run.record_id if run.record_type == "customer" else context.record.get("customer_id")
            if not customer_id:
                raise StepFailed("The contact belongs to no customer to hold its task.")
            task = activities.add_customer_activity(
                context.principal, customer_id,
                {"type": "task", "subject": step["subject"], "due_at": clock.isoformat(due_at), "assignee": assignee},
            )  # fmt: skip
    except DomainError as refused:
        raise StepFailed(f"The task was refused: {refused.detail}") from None
    return {}, {"activity_id": task["id"], "assignee": task["assignee"]}


def _set_field(context: StepContext, step: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    records = RECORD_TYPES[context.run.record_type]
    try:
        records.patch(context.principal, context.run.record_id, {step["field"]: step["value"]}, None)
    except DomainError as refused:
        raise StepFailed(f"The {step['field']} was refused: {refused.detail}") from None
    return {}, {"field": step["field"], "value": step["value"]}


def _add_to_campaign(context: StepContext, step: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    run = context.run
    body = {"member_type": run.record_type, "member_id": run.record_id}
    try:
        campaigns.add_member(context.principal, step["campaign_id"], body)
    except DomainError as refused:
        if refused.extensions.get("field") == "member_id" and refused.status == 409:
            return {}, {"campaign_id": step["campaign_id"], "already_member": True}
        raise StepFailed(f"The campaign refused the member: {refused.detail}") from None
    return {}, {"campaign_id": step["campaign_id"]}


def _notify_users(context: StepContext, step: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Mail the users named (those still active) about the record."""
    automation, run = context.automation, context.run
    subject = f"{automation.name}: {context.record.get('name') or run.record_type}"
    text = f"{step['message']}\n\n{run.record_type} {run.record_id}, automation {automation.automation_id}."
    notified = []
    for user_id in step["user_ids"]:
        membership = find_membership(automation.org_id, user_id)
        if membership is not None and membership.status == ACTIVE:
            get_notifier().send_message(membership.email, subject, text)
            notified.append(user_id)
    return {}, {"notified": notified}


STEPS: dict[str, Step] = {
    "wait": _wait, "send_email": _send_email, "create_task": _create_task, "set_field": _set_field,
    "add_to_campaign": _add_to_campaign, "notify_users": _notify_users,
}  # fmt: skip


# History


def list_runs(principal: Principal, automation_id: str, limit: int, cursor: str | None) -> dict[str, Any]:
    """Newest first. The GetItem of the automation makes another tenant's (or an unknown) one 404."""
    automations.get_including_deleted(principal.org_id, automation_id)
    items, next_cursor = query_page(
        EnrollmentModel, EnrollmentModel, {"org_id": principal.org_id}, principal.org_id, frozenset({"entry_key"}),
        limit, cursor, range_key_condition=runs_of(automation_id), newest_first=True,
    )  # fmt: skip
    return {"items": [run_view(item) for item in items], "next_cursor": next_cursor}


def get_run(principal: Principal, automation_id: str, run_id: str) -> dict[str, Any]:
    run = find_run(principal.org_id, automation_id, run_id)
    if run is None:
        raise NotFound("No run of this automation with this id.")
    return run_view(run)


def run_view(run: EnrollmentModel) -> dict[str, Any]:
    return {
        "id": run.run_id,
        "automation_id": run.automation_id,
        "automation_version": run.automation_version,
        "record_type": run.record_type,
        "record_id": run.record_id,
        "event_id": run.event_id,
        "event_type": run.event_type,
        "status": run.status,
        "reason": run.reason,
        "steps": [
            {name: value for name, value in outcome.items() if name != "result"} for outcome in run.steps or []
        ],
        "started_at": clock.isoformat(run.started_at),
        "finished_at": clock.isoformat(run.finished_at) if run.finished_at else None,
    }

