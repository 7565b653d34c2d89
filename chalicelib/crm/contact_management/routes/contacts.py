"""/v1/contacts and a customer's contacts (a company's: GET /v1/companies/{id}/contacts, in
routes/companies.py)."""
from chalice import Blueprint

from chalicelib.core.cursors import parse_page_size
from chalicelib.core.lazy import lazy_module
from chalicelib.core.search import FILTERS, LINK_FILTERS
from chalicelib.platform.routes.authorizer import jwt_authorizer
from chalicelib.platform.routes.contracts import Contract, page_of
from chalicelib.platform.routes.records import searchable_record_routes
from chalicelib.platform.routes.routing import Routes, json_response
from chalicelib.platform.services.roles import READ, can

contacts_blueprint = Blueprint(__name__)
routes = Routes(contacts_blueprint, jwt_authorizer)
contacts = lazy_module("chalicelib.crm.contact_management.services.contacts")

searchable_record_routes(routes, "contacts", "contact", lambda: contacts.records, (*FILTERS, *LINK_FILTERS))


@routes.protected(
    "/v1/customers/{customer_id}/contacts", methods=["GET"], permission=can("contacts", READ),
    contract=Contract(pages=True, responses={200: page_of("#Contact")}),
)  # fmt: skip
def list_customer_contacts(request, customer_id):
    limit = parse_page_size(request.query("limit"))
    return json_response(contacts.records.linked_to(request.principal, "customer_id", customer_id, limit, request.query("cursor")))
