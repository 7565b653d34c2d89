"""/v1/usage: the metered actions' daily counts, per member and for the organization."""
from chalice import Blueprint

from chalicelib.core.lazy import lazy_module
from chalicelib.platform.routes.authorizer import jwt_authorizer
from chalicelib.platform.routes.contracts import STRING, Contract
from chalicelib.platform.routes.routing import Routes, json_response
from chalicelib.platform.services.roles import SESSION

usage_reports = lazy_module("chalicelib.platform.services.usage_reports")
usage_blueprint = Blueprint(__name__)
routes = Routes(usage_blueprint, jwt_authorizer)
_DATE = {"type": "string", "format": "date"}
_COUNT = {"type": "integer", "minimum": 0}
# services/usage_reports.usage_report, for the OpenAPI document.
USAGE = {
    "type": "object",
    "required": ["organization_id", "from", "to", "user_id", "totals", "items"],
    "properties": {
        "organization_id": STRING,
        "from": _DATE,
        "to": _DATE,
        "user_id": {"type": ["string", "null"]},
        "totals": {"type": "array", "items": {"type": "object", "required": ["date", "action", "count"],
                                               "properties": {"date": _DATE, "action": STRING, "count": _COUNT}}},
        "items": {"type": "array", "items": {"type": "object", "required": ["date", "action", "user_id", "count"],
                                              "properties": {"date": _DATE, "action": STRING, "count": _COUNT,
                                                             # null: an action metered per organization
                                                             "user_id": {"type": ["string", "null"]}}}},
    },
}  # fmt: skip


# Every member may ask (for their own usage); the service widens it for owners and admins.
@routes.protected(
    "/v1/usage", methods=["GET"], permission=SESSION,
    contract=Contract(
        responses={200: USAGE}, errors=(403, 422),
        query={
            "from": {**_DATE, "description": "First day (UTC), included."},
            "to": {**_DATE, "description": "Last day (UTC), included; at most 31 days after from."},
            "user_id": {"type": "string", "description": "One member's usage (owners and admins; others only their own)."},
        },
    ),
)  # fmt: skip
def get_usage(request):
    return json_response(
        usage_reports.usage_report(request.principal, request.query("from"), request.query("to"), request.query("user_id"))
    )
