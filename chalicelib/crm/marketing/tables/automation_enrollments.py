"""Table `automation_enrollments`: one partition per organization (`org_id`), sort `entry_key`,
holding three kinds of item:

| entry_key                                   | what                                                     |
|---------------------------------------------|----------------------------------------------------------|
| `run#<automation_id>#<run_id>`              | a run (one enrollment = one Step Functions execution) and its step history |
| `enrolled#<automation_id>#<record_id>`      | the record is in a run of the automation now (deleted when the run ends) |
| `event#<automation_id>#<event_id>`          | the event already enrolled its record (kept 48 h, past the stream's 24 h)   |

An enrollment is one transaction: the run put, the `enrolled#` and `event#` puts on condition
they do not exist, and the organization's daily enrollment counter raised on condition it is
under the limit. So a record is never in two runs of one automation at once, a redelivered event
enrols nothing twice (whatever failed between the commit and the stream's receipt), and a day's
limit is exact. GET /v1/automations/{id}/runs is one Query (begins_with `run#<automation_id>#`,
newest first); GET .../runs/{run_id} one GetItem.
"""
from __future__ import annotations

from datetime import timedelta

from pynamodb.attributes import JSONAttribute, NumberAttribute, TTLAttribute, UnicodeAttribute, UTCDateTimeAttribute
from pynamodb.expressions.condition import Condition
from pynamodb.models import Model

from chalicelib.core import clock
from chalicelib.core.errors import Conflict, DomainError
from chalicelib.platform.tables.base import find, table_meta
from chalicelib.platform.tables.counters import CounterModel
from chalicelib.platform.tables.writes import Change

EVENT_RETENTION = timedelta(hours=48)
# Runs are history: kept a year, then DynamoDB's TTL removes them.
RUN_RETENTION = timedelta(days=365)
DAILY_COUNTER = "automation_enrollments"


class AlreadyEnrolled(Conflict):
    """The record is in a run of this automation now."""


class EventSeen(AlreadyEnrolled):
    """This event enrolled its record in this automation already (a redelivery)."""


class DailyLimitReached(DomainError):
    """The organization enrolled its limit of records today."""


class EnrollmentModel(Model):
    Meta = table_meta("automation_enrollments")

    org_id = UnicodeAttribute(hash_key=True)
    entry_key = UnicodeAttribute(range_key=True)
    run_id = UnicodeAttribute()
    automation_id = UnicodeAttribute()
    # Runs only (the markers carry the keys above and run_id).
    automation_version = NumberAttribute(null=True)
    record_type = UnicodeAttribute(null=True)
    record_id = UnicodeAttribute(null=True)
    event_id = UnicodeAttribute(null=True)
    event_type = UnicodeAttribute(null=True)
    status = UnicodeAttribute(null=True)
    reason = UnicodeAttribute(null=True)
    # The automation's steps when the record was enrolled (a later edit does not change a run),
    # and each one's outcome so far, by position.
    plan = JSONAttribute(null=True)
    steps = JSONAttribute(null=True)
    started_at = UTCDateTimeAttribute(null=True)
    finished_at = UTCDateTimeAttribute(null=True)
    purge_at = TTLAttribute(null=True)


def run_key(automation_id: str, run_id: str) -> str:
    return f"run#{automation_id}#{run_id}"


def enrolled_key(automation_id: str, record_id: str) -> str:
    return f"enrolled#{automation_id}#{record_id}"


def event_key(automation_id: str, event_id: str) -> str:
    return f"event#{automation_id}#{event_id}"


def runs_of(automation_id: str) -> Condition:
    return EnrollmentModel.entry_key.startswith(f"run#{automation_id}#")


def enrollment(run: EnrollmentModel, day: str, daily_limit: int) -> list[Change]:
    """The changes that enrol `run`'s record: see the module's docstring."""
    org_id, automation_id = run.org_id, run.automation_id
    now = clock.now()
    run.entry_key = run_key(automation_id, run.run_id)
    run.purge_at = now + RUN_RETENTION
    marker = EnrollmentModel(org_id, enrolled_key(automation_id, run.record_id), run_id=run.run_id,
                             automation_id=automation_id)
    seen = EnrollmentModel(org_id, event_key(automation_id, run.event_id), run_id=run.run_id,
                           automation_id=automation_id, purge_at=now + EVENT_RETENTION)
    counter = CounterModel(org_id, f"{DAILY_COUNTER}#{day}")
    free = EnrollmentModel.entry_key.does_not_exist()
    return [
        Change("put", seen, condition=free, on_condition_failed=EventSeen("This event enrolled its record already.")),
        Change("put", marker, condition=free,
               on_condition_failed=AlreadyEnrolled("The record is in a run of this automation now.")),
        Change("put", run, condition=free),
        Change("update", counter, actions=[CounterModel.value.add(1)],
               condition=CounterModel.value.does_not_exist() | (CounterModel.value < daily_limit),
               on_condition_failed=DailyLimitReached(f"The organization enrolled {daily_limit} records today.")),
    ]  # fmt: skip


def find_run(org_id: str, automation_id: str, run_id: str, consistent: bool = False) -> EnrollmentModel | None:
    return find(EnrollmentModel, org_id, run_key(automation_id, run_id), consistent)


def step_recorded(run: EnrollmentModel, steps: list[dict]) -> Change:
    """The run's history becomes `steps` (the run's outcomes so far, the new one last)."""
    return Change("update", EnrollmentModel(run.org_id, run.entry_key), actions=[EnrollmentModel.steps.set(steps)],
                  condition=EnrollmentModel.entry_key.exists())


def finished(run: EnrollmentModel, status: str, reason: str | None) -> list[Change]:
    """The run ends (`status`, and why when it did not succeed) and its record may be enrolled again."""
    actions = [EnrollmentModel.status.set(status), EnrollmentModel.finished_at.set(clock.now())]
    if reason:
        actions.append(EnrollmentModel.reason.set(reason))
    return [
        Change("update", EnrollmentModel(run.org_id, run.entry_key), actions=actions,
               condition=EnrollmentModel.entry_key.exists()),
        # Only this run's marker: a later run's must stay.
        Change("delete", EnrollmentModel(run.org_id, enrolled_key(run.automation_id, run.record_id)),
               condition=EnrollmentModel.entry_key.does_not_exist() | (EnrollmentModel.run_id == run.run_id)),
    ]  # fmt: skip
