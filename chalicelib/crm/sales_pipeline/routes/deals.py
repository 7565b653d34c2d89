"""/v1/deals (with the reopen of a won or lost deal), and /v1/customers/{id}/deals (a customer's deals: declared here, with its domain)."""
from chalice import Blueprint

from chalicelib.core.cursors import parse_page_size
from chalicelib.core.lazy import lazy_module
from chalicelib.platform.routes.authorizer import jwt_authorizer
from chalicelib.platform.routes.contracts import Contract, page_of
from chalicelib.platform.routes.records import RecordSchemas, functions_of, query_parameters, record_response, record_routes
from chalicelib.platform.routes.routing import Routes, json_response
from chalicelib.platform.services.roles import READ, WRITE, can

deals_blueprint = Blueprint(__name__)
routes = Routes(deals_blueprint, jwt_authorizer)
deals = lazy_module("chalicelib.crm.sales_pipeline.services.deals")

record_routes(
    routes, "deals", "/v1/deals", "deal_id", ("deal", "deals"),
    functions_of(deals, "deal", "deals"), list_arguments=query_parameters,
    schemas=RecordSchemas(deals, create="DEAL_SCHEMA", patch="PATCH_SCHEMA", filters="LIST_FILTERS", choices="LIST_CHOICES"),
)


@routes.protected(
    "/v1/customers/{customer_id}/deals", methods=["GET"], permission=can("deals", READ),
    contract=Contract(pages=True, responses={200: page_of("#Deal")}),
)  # fmt: skip
def list_customer_deals(request, customer_id):
    limit = parse_page_size(request.query("limit"))
    return json_response(deals.list_customer_deals(request.principal, customer_id, limit, request.query("cursor")))


@routes.protected(
    "/v1/deals/{deal_id}/reopen", methods=["POST"], permission=can("deals", WRITE),
    contract=Contract(if_match="optional", responses={200: "#Deal"}, errors=(409,)),
)  # fmt: skip
def reopen_deal(request, deal_id):
    version = request.expected_version()
    return record_response("/v1/deals", deals.reopen_deal(request.principal, deal_id, version))
