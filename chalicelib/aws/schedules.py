"""EventBridge Scheduler: one schedule per scheduled report, firing the `run_scheduled_report`
function with the report's ids and schedule (services/report_runs.run_on_schedule checks them
against the report before it runs anything). Locally moto's scheduler keeps the schedules, which
tests and `make run` read back; moto fires nothing (docs/api/reports.md: running one by hand)."""
from __future__ import annotations

import json
from typing import Any

from chalicelib.core.settings import get_settings


def _scheduler() -> Any:
    from chalicelib.aws.sessions import client

    return client("scheduler")


def put_schedule(name: str, expression: str, time_zone: str, payload: dict[str, Any]) -> None:
    """Create the schedule, or update it when it exists (a changed time, zone or frequency)."""
    settings = get_settings()
    scheduler = _scheduler()
    arguments = {
        "Name": name,
        "GroupName": settings.schedule_group,
        "ScheduleExpression": expression,
        "ScheduleExpressionTimezone": time_zone,
        "FlexibleTimeWindow": {"Mode": "OFF"},
        "Target": {
            "Arn": settings.scheduled_report_function_arn,
            "RoleArn": settings.scheduler_role_arn,
            "Input": json.dumps(payload, separators=(",", ":")),
        },
    }
    try:
        scheduler.create_schedule(**arguments)
    except scheduler.exceptions.ConflictException:
        scheduler.update_schedule(**arguments)


def delete_schedule(name: str) -> None:
    scheduler = _scheduler()
    try:
        scheduler.delete_schedule(Name=name, GroupName=get_settings().schedule_group)
    except scheduler.exceptions.ResourceNotFoundException:
        pass  # already gone: what deleting wanted
