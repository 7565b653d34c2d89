"""/v1/customers, their merge, notes and activities."""
from chalice import Blueprint

from chalicelib.core.cursors import parse_page_size
from chalicelib.core.lazy import lazy_module
from chalicelib.core.search import FILTERS
from chalicelib.platform.routes.authorizer import jwt_authorizer
from chalicelib.platform.routes.contracts import Contract, page_of
from chalicelib.platform.routes.records import record_response, searchable_record_routes
from chalicelib.platform.routes.routing import Routes, json_response
from chalicelib.platform.routes.versions import RESHAPED, UNCHANGED, version_path
from chalicelib.platform.services.roles import READ, WRITE, can

customers_blueprint = Blueprint(__name__)
routes = Routes(customers_blueprint, jwt_authorizer)
customers = lazy_module("chalicelib.crm.contact_management.services.customers")
merge = lazy_module("chalicelib.crm.contact_management.services.merge")
notes = lazy_module("chalicelib.crm.contact_management.services.notes")
activities = lazy_module("chalicelib.crm.contact_management.services.activities")

# A customer links at most a company record (company_id); contacts have both links.
CUSTOMER_FILTERS = (*FILTERS, "company_id")
searchable_record_routes(routes, "customers", "customer", lambda: customers.records, CUSTOMER_FILTERS, versioning=RESHAPED)


@routes.protected(
    "/v1/customers/merge", methods=["POST"], permission=can("customers", WRITE), idempotent=True,
    contract=Contract(body=lambda: merge.MERGE_SCHEMA, responses={200: "#Customer"}, errors=(404,)), versioning=RESHAPED,
)  # fmt: skip
def merge_customers(request):
    customer = merge.merge_customers(request.principal, request.json(), request.version)
    return record_response(version_path("/v1/customers", request.version), customer)


# A customer's notes and activities, listed and added under it; each is then its own resource
# (routes/notes.py, routes/activities.py), where the 201's Location points.
@routes.protected(
    "/v1/customers/{customer_id}/notes", methods=["GET"], permission=can("customers", READ),
    contract=Contract(pages=True, responses={200: page_of("#Note")}), versioning=UNCHANGED,
)  # fmt: skip
def list_customer_notes(request, customer_id):
    limit = parse_page_size(request.query("limit"))
    return json_response(notes.list_customer_notes(request.principal, customer_id, limit, request.query("cursor")))


@routes.protected(
    "/v1/customers/{customer_id}/notes", methods=["POST"], permission=can("customers", WRITE), idempotent=True,
    contract=Contract(body=lambda: notes.CUSTOMER_NOTE_SCHEMA, responses={201: "#Note"}, created="/v1/notes/{note_id}"),
    versioning=UNCHANGED,
)  # fmt: skip
def add_customer_note(request, customer_id):
    note = notes.add_customer_note(request.principal, customer_id, request.json())
    return record_response(version_path("/v1/notes", request.version), note, 201)


@routes.protected(
    "/v1/customers/{customer_id}/activities", methods=["GET"], permission=can("customers", READ),
    contract=Contract(pages=True, responses={200: page_of("#Activity")}), versioning=UNCHANGED,
)  # fmt: skip
def list_customer_activities(request, customer_id):
    limit = parse_page_size(request.query("limit"))
    page = activities.list_customer_activities(request.principal, customer_id, limit, request.query("cursor"))
    return json_response(page)


@routes.protected(
    "/v1/customers/{customer_id}/activities", methods=["POST"], permission=can("customers", WRITE), idempotent=True,
    contract=Contract(
        body=lambda: activities.CUSTOMER_ACTIVITY_SCHEMA, responses={201: "#Activity"}, created="/v1/activities/{activity_id}"
    ),
    versioning=UNCHANGED,
)  # fmt: skip
def add_customer_activity(request, customer_id):
    activity = activities.add_customer_activity(request.principal, customer_id, request.json())
    return record_response(version_path("/v1/activities", request.version), activity, 201)
