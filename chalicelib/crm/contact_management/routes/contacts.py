"""/v1/contacts (a company's contacts: GET /v1/companies/{id}/contacts, in routes/companies.py)."""
from chalice import Blueprint

from chalicelib.core.lazy import lazy_module
from chalicelib.platform.routes.authorizer import jwt_authorizer
from chalicelib.platform.routes.records import searchable_record_routes
from chalicelib.platform.routes.routing import Routes

contacts_blueprint = Blueprint(__name__)
routes = Routes(contacts_blueprint, jwt_authorizer)
contacts = lazy_module("chalicelib.crm.contact_management.services.contacts")

searchable_record_routes(routes, "contacts", "contact", lambda: contacts.records)
