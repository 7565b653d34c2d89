"""/v1/dashboard: the figures of the records the caller sees, for a period, from counters kept on write."""
from chalice import Blueprint

from chalicelib.core.lazy import lazy_module
from chalicelib.platform.routes.authorizer import jwt_authorizer
from chalicelib.platform.routes.contracts import FREE_FORM, Contract
from chalicelib.platform.routes.routing import Routes, json_response
from chalicelib.platform.services.roles import READ, can

dashboard_blueprint = Blueprint(__name__)
routes = Routes(dashboard_blueprint, jwt_authorizer)
dashboard = lazy_module("chalicelib.crm.reporting.services.dashboard")


@routes.protected(
    "/v1/dashboard", methods=["GET"], permission=can("dashboard", READ),
    contract=Contract(query=dict.fromkeys(("from", "to"), {"type": "string", "format": "date"}), responses={200: FREE_FORM}),
)  # fmt: skip
def get_dashboard(request):
    return json_response(dashboard.dashboard(request.principal, request.query_params))
