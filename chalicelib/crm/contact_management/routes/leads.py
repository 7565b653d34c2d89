"""/v1/leads and their conversion into customers."""
from chalice import Blueprint

from chalicelib.core.cursors import parse_page_size
from chalicelib.core.lazy import lazy_module
from chalicelib.core.search import parse_search
from chalicelib.platform.routes.authorizer import jwt_authorizer
from chalicelib.platform.routes.requests import etag
from chalicelib.platform.routes.routing import JSON_TYPES, Routes, json_response, no_content
from chalicelib.platform.services.roles import READ, WRITE, can

leads_blueprint = Blueprint(__name__)
routes = Routes(leads_blueprint, jwt_authorizer)
MERGE_PATCH_TYPES = [*JSON_TYPES, "application/merge-patch+json"]
leads = lazy_module("chalicelib.crm.contact_management.services.leads")


def _lead_response(lead, status=200):
    headers = {"ETag": etag(lead["version"])}
    if status == 201:
        headers["Location"] = f"/v1/leads/{lead['id']}"
    return json_response(lead, status=status, headers=headers)


@routes.protected("/v1/leads", methods=["GET"], permission=can("leads", READ))
def list_leads(request):
    spec = parse_search(request.query_params)
    return json_response(leads.list_leads(request.principal, spec, parse_page_size(request.query("limit")), request.query("cursor")))


@routes.protected("/v1/leads", methods=["POST"], permission=can("leads", WRITE), idempotent=True)
def create_lead(request):
    return _lead_response(leads.create_lead(request.principal, request.json()), status=201)


routes.batch("/v1/leads/batch", lambda principal, item: leads.create_lead(principal, item), permission=can("leads", WRITE))


@routes.protected("/v1/leads/{lead_id}", methods=["GET"], permission=can("leads", READ))
def get_lead(request, lead_id):
    return _lead_response(leads.get_lead(request.principal, lead_id))


@routes.protected("/v1/leads/{lead_id}", methods=["PUT"], permission=can("leads", WRITE))
def replace_lead(request, lead_id):
    version = request.expected_version(required=True)
    return _lead_response(leads.replace_lead(request.principal, lead_id, request.json(), version))


@routes.protected("/v1/leads/{lead_id}", methods=["PATCH"], permission=can("leads", WRITE), content_types=MERGE_PATCH_TYPES)
def patch_lead(request, lead_id):
    version = request.expected_version()
    return _lead_response(leads.patch_lead(request.principal, lead_id, request.json(), version))


@routes.protected("/v1/leads/{lead_id}", methods=["DELETE"], permission=can("leads", WRITE))
def delete_lead(request, lead_id):
    leads.delete_lead(request.principal, lead_id, request.expected_version())
    return no_content()


@routes.protected("/v1/leads/{lead_id}/restore", methods=["POST"], permission=can("leads", WRITE))
def restore_lead(request, lead_id):
    return _lead_response(leads.restore_lead(request.principal, lead_id))


@routes.protected("/v1/leads/{lead_id}/convert", methods=["POST"], permission=can("leads", WRITE), idempotent=True)
def convert_lead(request, lead_id):
    result = leads.convert_lead(request.principal, lead_id, request.json(required=False))
    return json_response(result, status=201, headers={"Location": f"/v1/customers/{result['customer_id']}"})
