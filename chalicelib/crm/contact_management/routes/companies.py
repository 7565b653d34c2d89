"""/v1/companies and their contacts."""
from chalice import Blueprint

from chalicelib.core.cursors import parse_page_size
from chalicelib.core.lazy import lazy_module
from chalicelib.core.search import FILTERS
from chalicelib.platform.routes.authorizer import jwt_authorizer
from chalicelib.platform.routes.contracts import Contract, page_of
from chalicelib.platform.routes.records import searchable_record_routes
from chalicelib.platform.routes.routing import Routes, json_response
from chalicelib.platform.services.roles import READ, can

companies_blueprint = Blueprint(__name__)
routes = Routes(companies_blueprint, jwt_authorizer)
# Companies have no email, hence no email_prefix.
COMPANY_FILTERS = tuple(name for name in FILTERS if name != "email_prefix")
companies = lazy_module("chalicelib.crm.contact_management.services.companies")
contacts = lazy_module("chalicelib.crm.contact_management.services.contacts")

searchable_record_routes(routes, "companies", "company", lambda: companies.records, COMPANY_FILTERS)


@routes.protected(
    "/v1/companies/{company_id}/contacts", methods=["GET"], permission=can("contacts", READ),
    contract=Contract(pages=True, responses={200: page_of("#Contact")}),
)  # fmt: skip
def list_company_contacts(request, company_id):
    limit = parse_page_size(request.query("limit"))
    return json_response(contacts.records.linked_to(request.principal, "company_id", company_id, limit, request.query("cursor")))
