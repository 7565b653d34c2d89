"""Liveness, for load balancers and uptime checks: no auth, no database call."""
from chalice import Blueprint

from chalicelib.core.settings import get_settings
from chalicelib.platform.routes.contracts import STRING, Contract, object_of
from chalicelib.platform.routes.routing import Routes, json_response

health_blueprint = Blueprint(__name__)
routes = Routes(health_blueprint)


@routes.public("/v1/health", contract=Contract(responses={200: object_of(status={"const": "ok"}, stage=STRING)}))
def health(request):
    return json_response({"status": "ok", "stage": get_settings().stage}, headers={"Cache-Control": "no-store"})
