"""/v1/opportunities: the sales pipeline (CRUD, stage moves, reopen, restore, batch), and
/v1/customers/{id}/opportunities (a customer's opportunities: declared here, with its domain)."""
from chalice import Blueprint

from chalicelib.core.cursors import parse_page_size
from chalicelib.core.lazy import lazy_module
from chalicelib.platform.routes.authorizer import jwt_authorizer
from chalicelib.platform.routes.contracts import Contract, page_of
from chalicelib.platform.routes.records import RecordSchemas, functions_of, query_parameters, record_response, record_routes
from chalicelib.platform.routes.routing import Routes, json_response
from chalicelib.platform.services.roles import READ, WRITE, can

opportunities_blueprint = Blueprint(__name__)
routes = Routes(opportunities_blueprint, jwt_authorizer)
opportunities = lazy_module("chalicelib.crm.sales_pipeline.services.opportunities")

record_routes(
    routes, "opportunities", "/v1/opportunities", "opportunity_id", ("opportunity", "opportunities"),
    functions_of(opportunities, "opportunity", "opportunities"), list_arguments=query_parameters,
    schemas=RecordSchemas(
        opportunities, create="OPPORTUNITY_SCHEMA", replace="REPLACE_SCHEMA", patch="PATCH_SCHEMA",
        filters="LIST_FILTERS", choices="LIST_CHOICES", dates="DATE_FILTERS",
    ),
)


# If-Match is honoured but optional here: the move itself is checked against the stage read and
# committed on that version, so a concurrent move fails (409/412) rather than being lost.
@routes.protected(
    "/v1/opportunities/{opportunity_id}/stage", methods=["PUT"], permission=can("opportunities", WRITE),
    contract=Contract(body=lambda: opportunities.STAGE_SCHEMA, if_match="optional", responses={200: "#Opportunity"}, errors=(409,)),
)  # fmt: skip
def change_stage(request, opportunity_id):
    version = request.expected_version()
    return record_response(
        "/v1/opportunities", opportunities.change_stage(request.principal, opportunity_id, request.json(), version)
    )


# A won or lost opportunity is read-only until reopened; the body may name the open stage to
# return to (by default the one it was closed from).
@routes.protected(
    "/v1/opportunities/{opportunity_id}/reopen", methods=["POST"], permission=can("opportunities", WRITE),
    contract=Contract(
        body=lambda: opportunities.REOPEN_SCHEMA, body_required=False, if_match="optional", responses={200: "#Opportunity"},
        errors=(409,),
    ),
)  # fmt: skip
def reopen_opportunity(request, opportunity_id):
    version = request.expected_version()
    body = request.json(required=False)
    return record_response(
        "/v1/opportunities", opportunities.reopen_opportunity(request.principal, opportunity_id, body, version)
    )


@routes.protected(
    "/v1/customers/{customer_id}/opportunities", methods=["GET"], permission=can("opportunities", READ),
    contract=Contract(pages=True, responses={200: page_of("#Opportunity")}),
)  # fmt: skip
def list_customer_opportunities(request, customer_id):
    limit = parse_page_size(request.query("limit"))
    return json_response(
        opportunities.list_customer_opportunities(request.principal, customer_id, limit, request.query("cursor"))
    )
