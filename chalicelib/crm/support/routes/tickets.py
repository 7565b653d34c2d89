"""/v1/tickets: support tickets with SLA due times, status lifecycle and list filters."""
from chalice import Blueprint

from chalicelib.core.lazy import lazy_module
from chalicelib.platform.routes.authorizer import jwt_authorizer
from chalicelib.platform.routes.records import RecordSchemas, functions_of, query_parameters, record_routes
from chalicelib.platform.routes.routing import Routes

tickets_blueprint = Blueprint(__name__)
routes = Routes(tickets_blueprint, jwt_authorizer)
tickets = lazy_module("chalicelib.crm.support.services.tickets")

record_routes(
    routes, "tickets", "/v1/tickets", "ticket_id", ("ticket", "tickets"),
    functions_of(tickets, "ticket", "tickets"), list_arguments=query_parameters,
    schemas=RecordSchemas(tickets, create="TICKET_SCHEMA", replace="REPLACE_SCHEMA", patch="PATCH_SCHEMA",
                          filters="LIST_FILTERS", choices="LIST_CHOICES"),
)
