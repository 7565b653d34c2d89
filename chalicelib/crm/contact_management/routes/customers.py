"""/v1/customers and their notes and activities."""
from chalice import Blueprint

from chalicelib.core.cursors import parse_page_size
from chalicelib.core.lazy import lazy_module
from chalicelib.core.search import parse_search
from chalicelib.platform.routes.authorizer import jwt_authorizer
from chalicelib.platform.routes.requests import etag
from chalicelib.platform.routes.routing import JSON_TYPES, Routes, json_response, no_content
from chalicelib.platform.services.roles import READ, WRITE, can

customers_blueprint = Blueprint(__name__)
routes = Routes(customers_blueprint, jwt_authorizer)
MERGE_PATCH_TYPES = [*JSON_TYPES, "application/merge-patch+json"]
customers = lazy_module("chalicelib.crm.contact_management.services.customers")
merge = lazy_module("chalicelib.crm.contact_management.services.merge")


def _customer_response(customer, status=200):
    headers = {"ETag": etag(customer["version"])}
    if status == 201:
        headers["Location"] = f"/v1/customers/{customer['id']}"
    return json_response(customer, status=status, headers=headers)


@routes.protected("/v1/customers", methods=["GET"], permission=can("customers", READ))
def list_customers(request):
    spec = parse_search(request.query_params)
    page = customers.list_customers(request.principal, spec, parse_page_size(request.query("limit")), request.query("cursor"))
    return json_response(page)


@routes.protected("/v1/customers", methods=["POST"], permission=can("customers", WRITE), idempotent=True)
def create_customer(request):
    return _customer_response(customers.create_customer(request.principal, request.json()), status=201)


routes.batch(
    "/v1/customers/batch",
    lambda principal, item: customers.create_customer(principal, item),
    permission=can("customers", WRITE),
)


@routes.protected("/v1/customers/merge", methods=["POST"], permission=can("customers", WRITE), idempotent=True)
def merge_customers(request):
    return _customer_response(merge.merge_customers(request.principal, request.json()))


@routes.protected("/v1/customers/{customer_id}", methods=["GET"], permission=can("customers", READ))
def get_customer(request, customer_id):
    return _customer_response(customers.get_customer(request.principal, customer_id))


@routes.protected("/v1/customers/{customer_id}", methods=["PUT"], permission=can("customers", WRITE))
def replace_customer(request, customer_id):
    version = request.expected_version(required=True)
    return _customer_response(customers.replace_customer(request.principal, customer_id, request.json(), version))


@routes.protected(
    "/v1/customers/{customer_id}", methods=["PATCH"], permission=can("customers", WRITE), content_types=MERGE_PATCH_TYPES
)
def patch_customer(request, customer_id):
    version = request.expected_version()
    return _customer_response(customers.patch_customer(request.principal, customer_id, request.json(), version))


@routes.protected("/v1/customers/{customer_id}", methods=["DELETE"], permission=can("customers", WRITE))
def delete_customer(request, customer_id):
    customers.delete_customer(request.principal, customer_id, request.expected_version())
    return no_content()


@routes.protected("/v1/customers/{customer_id}/restore", methods=["POST"], permission=can("customers", WRITE))
def restore_customer(request, customer_id):
    return _customer_response(customers.restore_customer(request.principal, customer_id))


@routes.protected("/v1/customers/{customer_id}/notes", methods=["GET"], permission=can("customers", READ))
def list_notes(request, customer_id):
    limit = parse_page_size(request.query("limit"))
    return json_response(customers.list_notes(request.principal, customer_id, limit, request.query("cursor")))


@routes.protected("/v1/customers/{customer_id}/notes", methods=["POST"], permission=can("customers", WRITE), idempotent=True)
def add_note(request, customer_id):
    return json_response(customers.add_note(request.principal, customer_id, request.json()), status=201)


@routes.protected("/v1/customers/{customer_id}/activities", methods=["GET"], permission=can("customers", READ))
def list_activities(request, customer_id):
    limit = parse_page_size(request.query("limit"))
    return json_response(customers.list_activities(request.principal, customer_id, limit, request.query("cursor")))


@routes.protected(
    "/v1/customers/{customer_id}/activities", methods=["POST"], permission=can("customers", WRITE), idempotent=True
)
def add_activity(request, customer_id):
    return json_response(customers.add_activity(request.principal, customer_id, request.json()), status=201)
