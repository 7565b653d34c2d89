"""Every environment's dashboard is a body CloudWatch's PutDashboard accepts.

The body is the one each environment root plans (tests/infra/env_plans.py), validated against the
documented dashboard body structure (tests/infra/cloudwatch_dashboard.py), every widget and every
metric row: a malformed widget fails here, not at the first apply.
"""
from __future__ import annotations

import json

import pytest

from tests.infra.cloudwatch_dashboard import dashboard_body_errors
from tests.infra.env_plans import ENVIRONMENTS, planned


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_the_planned_dashboard_has_cloudwatchs_body_structure(env_plan, env):
    dashboards = planned(env_plan(env), "aws_cloudwatch_dashboard")
    assert dashboards, f"{env} plans no dashboard"
    for dashboard in dashboards:
        errors = dashboard_body_errors(json.loads(dashboard["dashboard_body"]))
        assert errors == [], f"{env} dashboard {dashboard['dashboard_name']}:\n" + "\n".join(errors)


DOCUMENTED_EXAMPLE = {
    "start": "-PT6H",
    "periodOverride": "inherit",
    "widgets": [
        {"type": "metric", "x": 0, "y": 0, "width": 12, "height": 6, "properties": {
            "metrics": [["AWS/EC2", "CPUUtilization", "InstanceId", "i-012345"]],
            "period": 300, "stat": "Average", "region": "us-east-1", "title": "EC2 Instance CPU",
            "liveData": False, "legend": {"position": "right"}}},
        {"type": "text", "x": 0, "y": 7, "width": 3, "height": 3, "properties": {"markdown": "Hello world"}},
    ],
}  # fmt: skip


def _with_widget(**changes) -> dict:
    body = json.loads(json.dumps(DOCUMENTED_EXAMPLE))
    body["widgets"][0].update(changes)
    return body


def _with_properties(**changes) -> dict:
    body = json.loads(json.dumps(DOCUMENTED_EXAMPLE))
    body["widgets"][0]["properties"].update(changes)
    return body


def test_the_structure_accepts_the_documented_example():
    assert dashboard_body_errors(DOCUMENTED_EXAMPLE) == []


@pytest.mark.parametrize("body, where", [
    (_with_properties(metrics=["AWS/EC2", "CPUUtilization", "InstanceId", "i-012345"]), "widgets/0/properties/metrics/0"),
    (_with_properties(metrics=[["AWS/EC2", "CPUUtilization", "InstanceId"]]), "widgets/0/properties/metrics/0"),
    (_with_properties(metrics=[["AWS/EC2", "CPUUtilization", {"stat": "p99"}, "InstanceId", "i-1"]]), "widgets/0/properties/metrics/0"),
    (_with_properties(stat="avg"), "widgets/0/properties/stat"),
    (_with_properties(period=90), "widgets/0/properties/period"),
    (_with_properties(region=None), "widgets/0/properties/region"),
    (_with_properties(titel="typo"), "widgets/0/properties"),
    (_with_widget(x=24), "widgets/0/x"),
    (_with_widget(width=0), "widgets/0/width"),
    (_with_widget(type="graph"), "widgets/0/type"),
    ({"widgets": [{"type": "text", "properties": {}}]}, "widgets/0/properties"),
    ({"widgets": [{"type": "alarm", "properties": {"alarms": []}}]}, "widgets/0/properties/alarms"),
    ({"dashboard": []}, "<body>"),
])  # fmt: skip
def test_the_structure_rejects_what_putdashboard_rejects(body, where):
    errors = dashboard_body_errors(body)
    assert any(e.startswith(f"{where}:") for e in errors), errors
