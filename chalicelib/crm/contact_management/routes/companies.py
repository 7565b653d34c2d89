"""/v1/companies and their contacts."""
from chalice import Blueprint

from chalicelib.core.cursors import parse_page_size
from chalicelib.core.lazy import lazy_module
from chalicelib.core.search import FILTERS, parse_search
from chalicelib.platform.routes.authorizer import jwt_authorizer
from chalicelib.platform.routes.requests import etag
from chalicelib.platform.routes.routing import JSON_TYPES, Routes, json_response, no_content
from chalicelib.platform.services.roles import READ, WRITE, can

companies_blueprint = Blueprint(__name__)
routes = Routes(companies_blueprint, jwt_authorizer)
MERGE_PATCH_TYPES = [*JSON_TYPES, "application/merge-patch+json"]
# Companies have no email, hence no email_prefix.
COMPANY_FILTERS = tuple(name for name in FILTERS if name != "email_prefix")
companies = lazy_module("chalicelib.crm.contact_management.services.companies")
contacts = lazy_module("chalicelib.crm.contact_management.services.contacts")


def _company_response(company, status=200):
    headers = {"ETag": etag(company["version"])}
    if status == 201:
        headers["Location"] = f"/v1/companies/{company['id']}"
    return json_response(company, status=status, headers=headers)


@routes.protected("/v1/companies", methods=["GET"], permission=can("companies", READ))
def list_companies(request):
    spec = parse_search(request.query_params, COMPANY_FILTERS)
    limit = parse_page_size(request.query("limit"))
    return json_response(companies.list_companies(request.principal, spec, limit, request.query("cursor")))


@routes.protected("/v1/companies", methods=["POST"], permission=can("companies", WRITE), idempotent=True)
def create_company(request):
    return _company_response(companies.create_company(request.principal, request.json()), status=201)


routes.batch(
    "/v1/companies/batch", lambda principal, item: companies.create_company(principal, item), permission=can("companies", WRITE)
)


@routes.protected("/v1/companies/{company_id}", methods=["GET"], permission=can("companies", READ))
def get_company(request, company_id):
    return _company_response(companies.get_company(request.principal, company_id))


@routes.protected("/v1/companies/{company_id}", methods=["PUT"], permission=can("companies", WRITE))
def replace_company(request, company_id):
    version = request.expected_version(required=True)
    return _company_response(companies.replace_company(request.principal, company_id, request.json(), version))


@routes.protected(
    "/v1/companies/{company_id}", methods=["PATCH"], permission=can("companies", WRITE), content_types=MERGE_PATCH_TYPES
)
def patch_company(request, company_id):
    version = request.expected_version()
    return _company_response(companies.patch_company(request.principal, company_id, request.json(), version))


@routes.protected("/v1/companies/{company_id}", methods=["DELETE"], permission=can("companies", WRITE))
def delete_company(request, company_id):
    companies.delete_company(request.principal, company_id, request.expected_version())
    return no_content()


@routes.protected("/v1/companies/{company_id}/restore", methods=["POST"], permission=can("companies", WRITE))
def restore_company(request, company_id):
    return _company_response(companies.restore_company(request.principal, company_id))


@routes.protected("/v1/companies/{company_id}/contacts", methods=["GET"], permission=can("contacts", READ))
def list_company_contacts(request, company_id):
    limit = parse_page_size(request.query("limit"))
    return json_response(contacts.list_company_contacts(request.principal, company_id, limit, request.query("cursor")))
