"""/v1/deals, and /v1/customers/{id}/deals (a customer's deals: declared here, with its domain)."""
from chalice import Blueprint

from chalicelib.core.cursors import parse_page_size
from chalicelib.core.lazy import lazy_module
from chalicelib.platform.routes.authorizer import jwt_authorizer
from chalicelib.platform.routes.requests import etag
from chalicelib.platform.routes.routing import JSON_TYPES, Routes, json_response, no_content
from chalicelib.platform.services.roles import READ, WRITE, can

deals_blueprint = Blueprint(__name__)
routes = Routes(deals_blueprint, jwt_authorizer)
MERGE_PATCH_TYPES = [*JSON_TYPES, "application/merge-patch+json"]
deals = lazy_module("chalicelib.crm.sales_pipeline.services.deals")


def _deal_response(deal, status=200):
    headers = {"ETag": etag(deal["version"])}
    if status == 201:
        headers["Location"] = f"/v1/deals/{deal['id']}"
    return json_response(deal, status=status, headers=headers)


@routes.protected("/v1/deals", methods=["GET"], permission=can("deals", READ))
def list_deals(request):
    limit = parse_page_size(request.query("limit"))
    return json_response(deals.list_deals(request.principal, request.query_params, limit, request.query("cursor")))


@routes.protected("/v1/deals", methods=["POST"], permission=can("deals", WRITE), idempotent=True)
def create_deal(request):
    return _deal_response(deals.create_deal(request.principal, request.json()), status=201)


routes.batch("/v1/deals/batch", lambda principal, item: deals.create_deal(principal, item), permission=can("deals", WRITE))


@routes.protected("/v1/deals/{deal_id}", methods=["GET"], permission=can("deals", READ))
def get_deal(request, deal_id):
    return _deal_response(deals.get_deal(request.principal, deal_id))


@routes.protected("/v1/deals/{deal_id}", methods=["PUT"], permission=can("deals", WRITE))
def replace_deal(request, deal_id):
    version = request.expected_version(required=True)
    return _deal_response(deals.replace_deal(request.principal, deal_id, request.json(), version))


@routes.protected("/v1/deals/{deal_id}", methods=["PATCH"], permission=can("deals", WRITE), content_types=MERGE_PATCH_TYPES)
def patch_deal(request, deal_id):
    version = request.expected_version()
    return _deal_response(deals.patch_deal(request.principal, deal_id, request.json(), version))


@routes.protected("/v1/deals/{deal_id}", methods=["DELETE"], permission=can("deals", WRITE))
def delete_deal(request, deal_id):
    deals.delete_deal(request.principal, deal_id, request.expected_version())
    return no_content()


@routes.protected("/v1/deals/{deal_id}/restore", methods=["POST"], permission=can("deals", WRITE))
def restore_deal(request, deal_id):
    return _deal_response(deals.restore_deal(request.principal, deal_id))


@routes.protected("/v1/customers/{customer_id}/deals", methods=["GET"], permission=can("deals", READ))
def list_customer_deals(request, customer_id):
    limit = parse_page_size(request.query("limit"))
    return json_response(deals.list_customer_deals(request.principal, customer_id, limit, request.query("cursor")))
