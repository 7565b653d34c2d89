"""/v1/opportunities: the sales pipeline (CRUD, stage moves, restore, batch)."""
from chalice import Blueprint

from chalicelib.core.lazy import lazy_module
from chalicelib.platform.routes.authorizer import jwt_authorizer
from chalicelib.platform.routes.records import functions_of, query_parameters, record_response, record_routes
from chalicelib.platform.routes.routing import Routes
from chalicelib.platform.services.roles import WRITE, can

opportunities_blueprint = Blueprint(__name__)
routes = Routes(opportunities_blueprint, jwt_authorizer)
opportunities = lazy_module("chalicelib.crm.sales_pipeline.services.opportunities")

record_routes(
    routes, "opportunities", "/v1/opportunities", "opportunity_id", ("opportunity", "opportunities"),
    functions_of(opportunities, "opportunity", "opportunities"), list_arguments=query_parameters,
)


# If-Match is honoured but optional here: the move itself is checked against the stage read and
# committed on that version, so a concurrent move fails (409/412) rather than being lost.
@routes.protected("/v1/opportunities/{opportunity_id}/stage", methods=["PUT"], permission=can("opportunities", WRITE))
def change_stage(request, opportunity_id):
    version = request.expected_version()
    return record_response(
        "/v1/opportunities", opportunities.change_stage(request.principal, opportunity_id, request.json(), version)
    )
