"""CloudWatch's dashboard body structure as a JSON Schema (2020-12), for checking bodies offline.

Source: "Dashboard Body Structure and Syntax", Amazon CloudWatch API Reference
(https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/CloudWatch-Dashboard-Body-Structure.html):
the overall structure, the widgets array (type, x 0-23, y >= 0, width 1-24, height 1-1000,
properties), the properties of metric, text, log, alarm, explorer and custom widgets, and the format
of each metric in a metric widget's `metrics` array. Objects are closed (additionalProperties
false) so a misspelt property fails here instead of being ignored or rejected by PutDashboard.

The metric row is the one part a schema keyword cannot say directly: strings in the order
Namespace, MetricName, then DimensionName/DimensionValue pairs (at most 30 dimensions), optionally
followed by one rendering-properties object. The row schema is therefore written out once per
dimension count.
"""
from __future__ import annotations

from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import best_match

MAX_DIMENSIONS = 30  # CloudWatch's limit on dimensions per metric

STAT = {
    "type": "string",
    # Statistics and extended statistics: SampleCount..Maximum, IQM, percentiles (p99, p99.9),
    # trimmed/winsorized means, trimmed count/sum (tm90, wm99, tc90, ts90) and their range forms.
    "pattern": r"^(SampleCount|Average|Sum|Minimum|Maximum|IQM"
    r"|(p|tm|wm|tc|ts)(\d{1,2}(\.\d{1,10})?|100)"
    r"|(PR|TM|WM|TC|TS)\([^()]*\))$",
}
PERIOD = {"anyOf": [{"enum": [1, 5, 10, 30]}, {"type": "integer", "minimum": 60, "multipleOf": 60}]}
REGION = {"type": "string", "pattern": r"^[a-z]{2}(-[a-z]+)+-\d$"}
METRIC_ID = {"type": "string", "pattern": r"^[a-z][a-zA-Z0-9_]*$"}
NAME = {"type": "string", "minLength": 1, "maxLength": 255}

RENDERING = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "accountId": {"type": "string", "pattern": r"^\d{12}$"},
        "color": {"type": "string", "pattern": r"^#[0-9a-fA-F]{6}$"},
        "id": METRIC_ID,
        "label": {"type": "string"},
        "period": PERIOD,
        "region": REGION,
        "stat": STAT,
        "visible": {"type": "boolean"},
        "yAxis": {"enum": ["left", "right"]},
    },
}
EXPRESSION = {
    "type": "object",
    "additionalProperties": False,
    "required": ["expression"],
    "properties": {**RENDERING["properties"], "expression": {"type": "string", "minLength": 1}},
}


def _metric_row(dimensions: int, rendering: bool) -> dict[str, Any]:
    items = [NAME, NAME] + [NAME, {"type": "string"}] * dimensions + ([RENDERING] if rendering else [])
    return {"type": "array", "prefixItems": items, "items": False, "minItems": len(items)}


METRIC = {
    "anyOf": [
        # [{"expression": "m1 + m2", "id": "e1", ...}]
        {"type": "array", "prefixItems": [EXPRESSION], "items": False, "minItems": 1},
        # ["...", value] and [".", ".", "Dim", value]: strings repeated from the previous row
        {
            "type": "array",
            "minItems": 2,
            "contains": {"enum": ["...", "."]},
            "items": {"anyOf": [{"type": "string"}, RENDERING]},
        },
        *(_metric_row(n, rendering) for n in range(MAX_DIMENSIONS + 1) for rendering in (False, True)),
    ]
}

Y_AXIS_SIDE = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "min": {"type": "number"},
        "max": {"type": "number"},
        "label": {"type": "string"},
        "showUnits": {"type": "boolean"},
    },
}
METRIC_PROPERTIES = {
    "type": "object",
    "additionalProperties": False,
    "required": ["region"],
    "anyOf": [
        {"required": ["metrics"]},
        {"required": ["annotations"], "properties": {"annotations": {"required": ["alarms"]}}},
    ],
    "properties": {
        "accountId": {"type": "string", "pattern": r"^\d{12}$"},
        "annotations": {
            "type": "object",
            "additionalProperties": False,
            "properties": {
                "alarms": {"type": "array", "maxItems": 1, "items": {"type": "string", "pattern": "^arn:aws[a-z-]*:cloudwatch:"}},
                "horizontal": {"type": "array", "items": {"type": "object", "required": ["value"]}},
                "vertical": {"type": "array", "items": {"type": "object", "required": ["value"]}},
            },
        },
        "end": {"type": "string"},
        "labels": {"type": "object"},
        "legend": {
            "type": "object",
            "additionalProperties": False,
            "properties": {"position": {"enum": ["right", "bottom", "hidden"]}},
        },
        "liveData": {"type": "boolean"},
        "metrics": {"type": "array", "maxItems": 500, "items": METRIC},
        "period": PERIOD,
        "region": REGION,
        "setPeriodToTimeRange": {"type": "boolean"},
        "singleValueFullPrecision": {"type": "boolean"},
        "sparkline": {"type": "boolean"},
        "stacked": {"type": "boolean"},
        "start": {"type": "string"},
        "stat": STAT,
        "table": {"type": "object"},
        "timezone": {"type": "string", "pattern": r"^[+-]\d{4}$|^LOCAL$"},
        "title": {"type": "string"},
        "trend": {"type": "boolean"},
        "view": {"enum": ["timeSeries", "singleValue", "gauge", "bar", "pie", "table"]},
        "yAxis": {
            "type": "object",
            "additionalProperties": False,
            "properties": {"left": Y_AXIS_SIDE, "right": Y_AXIS_SIDE},
        },
    },
}
TEXT_PROPERTIES = {
    "type": "object",
    "additionalProperties": False,
    "required": ["markdown"],
    "properties": {"markdown": {"type": "string"}, "background": {"enum": ["transparent", "solid"]}},
}
LOG_PROPERTIES = {
    "type": "object",
    "additionalProperties": False,
    "required": ["query", "region"],
    "properties": {
        "accountId": {"type": "string", "pattern": r"^\d{12}$"},
        "query": {"type": "string", "minLength": 1},
        "region": REGION,
        "stacked": {"type": "boolean"},
        "title": {"type": "string"},
        "view": {"enum": ["table", "timeSeries", "bar", "pie"]},
    },
}
ALARM_PROPERTIES = {
    "type": "object",
    "additionalProperties": False,
    "required": ["alarms"],
    "properties": {
        "alarms": {
            "type": "array",
            "minItems": 1,
            "maxItems": 100,
            "items": {"type": "string", "pattern": "^arn:aws[a-z-]*:cloudwatch:"},
        },
        "sortBy": {"enum": ["default", "stateUpdatedTimestamp", "timestamp"]},
        "states": {"type": "array", "items": {"enum": ["ALARM", "INSUFFICIENT_DATA", "OK"]}},
        "title": {"type": "string"},
    },
}
EXPLORER_PROPERTIES = {
    "type": "object",
    "additionalProperties": False,
    "required": ["metrics"],
    "properties": {
        "aggregateBy": {
            "type": "object",
            "required": ["key", "func"],
            "properties": {"key": {"type": "string"}, "func": {"enum": ["AVG", "MIN", "MAX", "SUM"]}},
        },
        "labels": {
            "type": "array",
            "items": {"type": "object", "required": ["key"], "properties": {"key": {"type": "string"}, "value": {"type": "string"}}},
        },
        "metrics": {
            "type": "array",
            "minItems": 1,
            "items": {
                "type": "object",
                "additionalProperties": False,
                "required": ["metricName", "resourceType", "stat"],
                "properties": {"metricName": NAME, "resourceType": {"type": "string"}, "stat": STAT},
            },
        },
        "period": PERIOD,
        "region": REGION,
        "splitBy": {"type": "string"},
        "title": {"type": "string"},
        "widgetOptions": {"type": "object"},
    },
}
CUSTOM_PROPERTIES = {
    "type": "object",
    "additionalProperties": False,
    "required": ["endpoint"],
    "properties": {
        "endpoint": {"type": "string", "pattern": "^arn:aws[a-z-]*:lambda:"},
        "params": {},
        "title": {"type": "string"},
        "updateOn": {"type": "object"},
    },
}
WIDGET_PROPERTIES = {
    "metric": METRIC_PROPERTIES,
    "text": TEXT_PROPERTIES,
    "log": LOG_PROPERTIES,
    "alarm": ALARM_PROPERTIES,
    "explorer": EXPLORER_PROPERTIES,
    "custom": CUSTOM_PROPERTIES,
}
WIDGET = {
    "type": "object",
    "additionalProperties": False,
    "required": ["type", "properties"],
    "properties": {
        "type": {"enum": sorted(WIDGET_PROPERTIES)},
        "x": {"type": "integer", "minimum": 0, "maximum": 23},
        "y": {"type": "integer", "minimum": 0},
        "width": {"type": "integer", "minimum": 1, "maximum": 24},
        "height": {"type": "integer", "minimum": 1, "maximum": 1000},
        "properties": {"type": "object"},
    },
    "allOf": [
        {"if": {"properties": {"type": {"const": kind}}}, "then": {"properties": {"properties": schema}}}
        for kind, schema in WIDGET_PROPERTIES.items()
    ],
}
VARIABLE = {
    "type": "object",
    "required": ["type", "property", "inputType", "id"],
    "properties": {
        "type": {"enum": ["property", "pattern"]},
        "property": {"type": "string", "minLength": 1},
        "inputType": {"enum": ["input", "select", "radio"]},
        "id": {"type": "string", "minLength": 1},
        "label": {"type": "string"},
        "defaultValue": {"type": "string"},
        "visible": {"type": "boolean"},
        "search": {"type": "string"},
        "populateFrom": {"type": "string"},
        "values": {"type": "array", "items": {"type": "object", "required": ["value"]}},
    },
}
DASHBOARD_BODY_SCHEMA = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "CloudWatch DashboardBody",
    "type": "object",
    "additionalProperties": False,
    "required": ["widgets"],
    "properties": {
        "widgets": {"type": "array", "maxItems": 500, "items": WIDGET},
        "variables": {"type": "array", "items": VARIABLE},
        "start": {"type": "string"},
        "end": {"type": "string"},
        "periodOverride": {"enum": ["auto", "inherit"]},
    },
}

_VALIDATOR = Draft202012Validator(DASHBOARD_BODY_SCHEMA)


def dashboard_body_errors(body: Any) -> list[str]:
    """Every place `body` departs from CloudWatch's structure, as `path: message` (empty when valid)."""
    errors = []
    for error in _VALIDATOR.iter_errors(body):
        path = "/".join(str(p) for p in error.absolute_path) or "<body>"
        # An anyOf failure names no branch; the most relevant branch's error says what is wrong.
        detail = f" ({best_match(error.context).message})" if error.context else ""
        errors.append(f"{path}: {error.message}{detail}")
    return errors
