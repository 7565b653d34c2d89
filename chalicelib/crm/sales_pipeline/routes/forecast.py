"""/v1/forecast: the weighted sales pipeline (read-only)."""
from chalice import Blueprint

from chalicelib.core.lazy import lazy_module
from chalicelib.platform.routes.authorizer import jwt_authorizer
from chalicelib.platform.routes.contracts import FREE_FORM, Contract
from chalicelib.platform.routes.routing import Routes, json_response
from chalicelib.platform.services.roles import READ, can

forecast_blueprint = Blueprint(__name__)
routes = Routes(forecast_blueprint, jwt_authorizer)
forecasts = lazy_module("chalicelib.crm.sales_pipeline.services.forecast")


@routes.protected(
    "/v1/forecast", methods=["GET"], permission=can("forecast", READ),
    contract=Contract(
        query={**dict.fromkeys(("from", "to"), {"type": "string", "format": "date"}), "currency": {"type": "string"}},
        responses={200: FREE_FORM},
    ),
)  # fmt: skip
def get_forecast(request):
    return json_response(forecasts.forecast(request.principal, request.query_params))
