"""Custom reports: saved definitions over CRM data (/v1/reports).

A report names a resource (services/sources.py), the filters of its list route, up to two
groupings (a field, or a date field by day, week or month in the organization's time zone),
measures (count; sum, avg, min or max of a numeric field), a date range on one of its date
fields, and optionally a schedule (daily or weekly at a local time): one EventBridge Scheduler
schedule per scheduled report, in the organization's time zone as it is when the schedule is set
(saving the report again moves it to a new zone), invoking the `run_scheduled_report` function.

Everything a definition names is checked when it is written, so a stored report always runs: an
unknown field, a non-numeric measure, a bucket on a field that is no date, a filter its list
route would refuse are 422 naming the field, and nothing is written.

Reading what a report covers needs the resource's read permission as well as reports:read, so a
report never shows more than its reader's list would (403 otherwise).
"""
from __future__ import annotations

from datetime import date
from typing import Any

from chalicelib.core import clock
from chalicelib.core.errors import ValidationFailed
from chalicelib.core.ids import new_id
from chalicelib.core.validation import validate
from chalicelib.crm.reporting.services.aggregation import BUCKETS, FUNCTIONS, Aggregation, DateRange, Grouping, Measure
from chalicelib.crm.reporting.services.sources import SOURCES, Source
from chalicelib.crm.reporting.tables.reports import ReportModel, reports
from chalicelib.observability import count
from chalicelib.platform.services.org_members import check_active_users
from chalicelib.platform.services.org_settings import settings_of
from chalicelib.platform.services.roles import READ, Principal, can
from chalicelib.platform.tables.writes import commit, plain

MAX_GROUPS = 2
MAX_MEASURES = 10
DAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
FREQUENCIES = ("daily", "weekly")
_FIELD = {"type": "string", "minLength": 1, "maxLength": 64}
_FIELDS: dict[str, Any] = {
    "name": {"type": "string", "minLength": 1, "maxLength": 200},
    "resource": {"type": "string", "enum": list(SOURCES)},
    # The list route's query parameters, as they would be written there (core.search.list_filters).
    "filters": {
        "type": "object",
        "maxProperties": 20,
        "propertyNames": {"pattern": "^[a-z_]{1,32}$"},
        "additionalProperties": {"type": "string", "minLength": 1, "maxLength": 200},
    },
    "group_by": {
        "type": "array",
        "maxItems": MAX_GROUPS,
        "items": {
            "type": "object",
            "additionalProperties": False,
            "required": ["field"],
            "properties": {"field": _FIELD, "bucket": {"type": "string", "enum": list(BUCKETS)}},
        },
    },
    "measures": {
        "type": "array",
        "minItems": 1,
        "maxItems": MAX_MEASURES,
        "items": {
            "type": "object",
            "additionalProperties": False,
            "required": ["function"],
            "properties": {"function": {"type": "string", "enum": list(FUNCTIONS)}, "field": _FIELD},
        },
    },
    "date_range": {
        "type": ["object", "null"],
        "additionalProperties": False,
        "required": ["field"],
        "properties": {"field": _FIELD, "from": {"type": "string", "format": "date"}, "to": {"type": "string", "format": "date"}},
    },
    # Runs at `time` (HH:MM) in the organization's time zone, every day or on `day` each week.
    "schedule": {
        "type": ["object", "null"],
        "additionalProperties": False,
        "required": ["frequency", "time"],
        "properties": {
            "frequency": {"type": "string", "enum": list(FREQUENCIES)},
            "day": {"type": "string", "enum": list(DAYS)},
            "time": {"type": "string", "pattern": "^([01][0-9]|2[0-3]):[0-5][0-9]$"},
        },
    },
    # Who is notified when a scheduled run finishes, and whose permissions it runs with.
    "owner": {"type": "string", "minLength": 1, "maxLength": 64},
}
REPORT_SCHEMA = {
    "type": "object",
    "additionalProperties": False,
    "required": ["name", "resource", "measures"],
    "properties": _FIELDS,
}
PATCH_SCHEMA = {"type": "object", "additionalProperties": False, "minProperties": 1, "properties": _FIELDS}
_DEFAULTS: dict[str, Any] = {"filters": {}, "group_by": [], "date_range": None, "schedule": None}


def create_report(principal: Principal, body: Any) -> dict[str, Any]:
    fields = {**_DEFAULTS, "owner": principal.user_id, **validate(REPORT_SCHEMA, body)}
    check_definition(principal, fields)
    check_active_users(principal.org_id, {"owner": fields["owner"]})
    report = ReportModel(principal.org_id, new_id(), **fields)
    _schedule(report)
    reports.insert(report, principal.user_id)
    count("ReportCreated")
    return report_view(report)


def get_report(principal: Principal, report_id: str) -> dict[str, Any]:
    return report_view(readable_report(principal, report_id))


def list_reports(principal: Principal, limit: int, cursor: str | None) -> dict[str, Any]:
    items, next_cursor = reports.page(principal.org_id, limit, cursor)
    return {"items": [report_view(item) for item in items], "next_cursor": next_cursor}


def replace_report(principal: Principal, report_id: str, body: Any, expected_version: int) -> dict[str, Any]:
    fields = validate(REPORT_SCHEMA, body)
    return _apply(principal, report_id, lambda current: {**_DEFAULTS, "owner": current.owner, **fields}, expected_version)


def patch_report(principal: Principal, report_id: str, body: Any, expected_version: int | None) -> dict[str, Any]:
    changes = validate(PATCH_SCHEMA, body)
    return _apply(principal, report_id, lambda current: changes, expected_version)


def delete_report(principal: Principal, report_id: str, expected_version: int | None) -> None:
    deleted = reports.soft_delete(principal.org_id, report_id, expected_version, principal.user_id)
    _unschedule(deleted)
    count("ReportDeleted")


def restore_report(principal: Principal, report_id: str) -> dict[str, Any]:
    report = reports.restore(principal.org_id, report_id, principal.user_id)
    _schedule(report)
    count("ReportRestored")
    return report_view(report)


def readable_report(principal: Principal, report_id: str) -> ReportModel:
    """The report, if the caller may also read the records it covers (403 otherwise)."""
    report = reports.get(principal.org_id, report_id)
    principal.require(can(SOURCES[report.resource].permission, READ))
    return report


def check_definition(principal: Principal, fields: dict[str, Any]) -> None:
    """Every reference of a definition to its resource's fields and filters; every error at once."""
    source = SOURCES[fields["resource"]]
    principal.require(can(source.permission, READ))
    errors = _field_errors(source, fields)
    if fields["filters"] and not errors:
        source.check_filters(fields["filters"])
    if errors:
        raise ValidationFailed("The report definition is invalid: " + errors[0]["message"], errors)


def aggregation_of(report: ReportModel, time_zone: str | None = None) -> Aggregation:
    """The engine's view of a stored definition, in the organization's time zone."""
    from zoneinfo import ZoneInfo

    date_range = plain(report.date_range)
    return Aggregation(
        groups=tuple(Grouping(group["field"], group.get("bucket")) for group in plain(report.group_by)),
        measures=tuple(Measure(measure["function"], measure.get("field")) for measure in plain(report.measures)),
        time_zone=ZoneInfo(time_zone or settings_of(report.org_id).time_zone),
        date_range=DateRange(date_range["field"], _day(date_range.get("from")), _day(date_range.get("to")))
        if date_range
        else None,
    )


def report_view(report: ReportModel) -> dict[str, Any]:
    aggregation_columns = [
        *(Grouping(group["field"], group.get("bucket")).column for group in plain(report.group_by)),
        *(Measure(measure["function"], measure.get("field")).column for measure in plain(report.measures)),
    ]
    return {
        "id": report.report_id,
        "name": report.name,
        "resource": report.resource,
        "filters": plain(report.filters) or {},
        "group_by": plain(report.group_by) or [],
        "measures": plain(report.measures),
        "date_range": plain(report.date_range),
        "schedule": plain(report.schedule),
        "owner": report.owner,
        "columns": aggregation_columns,
        # The latest successful run: its job, when it finished, its row counts (rows: /results).
        "last_run": plain(report.last_run),
        "created_by": report.created_by,
        "created_at": clock.isoformat(report.created_at),
        "updated_at": clock.isoformat(report.updated_at),
        "version": report.version,
    }


def _apply(principal: Principal, report_id: str, changes_to: Any, expected_version: int | None) -> dict[str, Any]:
    current = readable_report(principal, report_id)
    reports.check_version(current, expected_version)
    changes = changes_to(current)
    definition = {name: changes.get(name, plain(getattr(current, name))) for name in ("resource", *_DEFAULTS, "measures")}
    check_definition(principal, definition)
    check_active_users(principal.org_id, {"owner": changes.get("owner")}, current)
    parts, updated = reports.modification(current, changes, principal.user_id)
    if parts:
        _schedule(updated)
        commit(parts)
        if updated.schedule is None:
            _unschedule(current)
        count("ReportUpdated")
    return report_view(updated)


def schedule_name(report: ReportModel) -> str:
    return f"report-{report.org_id}-{report.report_id}"


def cron_of(schedule: dict[str, Any]) -> str:
    """EventBridge Scheduler's cron (minutes hours day-of-month month day-of-week year)."""
    hours, minutes = (int(part) for part in schedule["time"].split(":"))
    if schedule["frequency"] == "weekly":
        return f"cron({minutes} {hours} ? * {schedule['day'][:3].upper()} *)"
    return f"cron({minutes} {hours} * * ? *)"


def _schedule(report: ReportModel) -> None:
    """The report's schedule in EventBridge Scheduler, written before the report: a schedule whose
    report write then fails fires for nothing (run_on_schedule finds no such schedule on the report)."""
    schedule = plain(report.schedule)
    if not schedule:
        return
    from chalicelib.aws import schedules

    payload = {"org_id": report.org_id, "report_id": report.report_id, "schedule": schedule}
    schedules.put_schedule(schedule_name(report), cron_of(schedule), settings_of(report.org_id).time_zone, payload)


def _unschedule(report: ReportModel) -> None:
    """Removed after the report's write, for the same reason."""
    if report.schedule is None:
        return
    from chalicelib.aws import schedules

    schedules.delete_schedule(schedule_name(report))


def _field_errors(source: Source, fields: dict[str, Any]) -> list[dict[str, str]]:
    resource = source.resource
    errors = []

    def refuse(name: str, message: str) -> None:
        errors.append({"field": name, "message": f"{name}: {message}"})

    columns: set[str] = set()
    for index, group in enumerate(fields["group_by"]):
        name, bucket = f"group_by[{index}].field", group.get("bucket")
        if group["field"] in source.times and bucket is None:
            refuse(f"group_by[{index}].bucket", f"{group['field']} is a date: group it by day, week or month")
        elif group["field"] in source.categories and bucket is not None:
            refuse(f"group_by[{index}].bucket", f"{group['field']} is not a date: it takes no bucket")
        elif group["field"] not in source.categories + source.times:
            refuse(name, f"{resource} cannot be grouped by {group['field']!r}; fields: {', '.join(source.categories + source.times)}")
        column = Grouping(group["field"], bucket).column
        if column in columns:
            refuse(name, f"{column} is grouped by twice")
        columns.add(column)
    for index, measure in enumerate(fields["measures"]):
        name, field = f"measures[{index}].field", measure.get("field")
        if measure["function"] == "count":
            if field is not None:
                refuse(name, "count counts records: it takes no field")
        elif field is None:
            refuse(name, f"{measure['function']} needs a numeric field")
        elif field not in source.numbers:
            numeric = ", ".join(source.numbers) or "none"
            refuse(name, f"{field!r} is not a numeric field of {resource} (numeric fields: {numeric})")
        column = Measure(measure["function"], field).column
        if column in columns:
            refuse(f"measures[{index}]", f"{column} is measured twice")
        columns.add(column)
    date_range = fields.get("date_range")
    if date_range:
        if date_range["field"] not in source.times:
            refuse("date_range.field", f"{date_range['field']!r} is not a date of {resource} (dates: {', '.join(source.times)})")
        if date_range.get("from") and date_range.get("to") and date_range["from"] > date_range["to"]:
            refuse("date_range.from", "must not be after to")
    schedule = fields.get("schedule")
    if schedule:
        if schedule["frequency"] == "weekly" and "day" not in schedule:
            refuse("schedule.day", "a weekly schedule names its day")
        if schedule["frequency"] == "daily" and "day" in schedule:
            refuse("schedule.day", "a daily schedule runs every day: it takes no day")
    return errors


def _day(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None
