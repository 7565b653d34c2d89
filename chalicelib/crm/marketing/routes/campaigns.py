"""/v1/campaigns: campaigns, their members and conversion analytics."""
from chalice import Blueprint

from chalicelib.core.cursors import parse_page_size
from chalicelib.core.lazy import lazy_module
from chalicelib.platform.routes.authorizer import jwt_authorizer
from chalicelib.platform.routes.requests import etag
from chalicelib.platform.routes.routing import JSON_TYPES, Routes, json_response, no_content
from chalicelib.platform.services.roles import READ, WRITE, can

campaigns_blueprint = Blueprint(__name__)
routes = Routes(campaigns_blueprint, jwt_authorizer)
MERGE_PATCH_TYPES = [*JSON_TYPES, "application/merge-patch+json"]
campaigns = lazy_module("chalicelib.crm.marketing.services.campaigns")


def _campaign_response(campaign, status=200):
    headers = {"ETag": etag(campaign["version"])}
    if status == 201:
        headers["Location"] = f"/v1/campaigns/{campaign['id']}"
    return json_response(campaign, status=status, headers=headers)


@routes.protected("/v1/campaigns", methods=["GET"], permission=can("campaigns", READ))
def list_campaigns(request):
    limit = parse_page_size(request.query("limit"))
    return json_response(campaigns.list_campaigns(request.principal, request.query_params, limit, request.query("cursor")))


@routes.protected("/v1/campaigns", methods=["POST"], permission=can("campaigns", WRITE), idempotent=True)
def create_campaign(request):
    return _campaign_response(campaigns.create_campaign(request.principal, request.json()), status=201)


routes.batch(
    "/v1/campaigns/batch",
    lambda principal, item: campaigns.create_campaign(principal, item),
    permission=can("campaigns", WRITE),
)


@routes.protected("/v1/campaigns/{campaign_id}", methods=["GET"], permission=can("campaigns", READ))
def get_campaign(request, campaign_id):
    return _campaign_response(campaigns.get_campaign(request.principal, campaign_id))


@routes.protected("/v1/campaigns/{campaign_id}", methods=["PUT"], permission=can("campaigns", WRITE))
def replace_campaign(request, campaign_id):
    version = request.expected_version(required=True)
    return _campaign_response(campaigns.replace_campaign(request.principal, campaign_id, request.json(), version))


@routes.protected(
    "/v1/campaigns/{campaign_id}", methods=["PATCH"], permission=can("campaigns", WRITE), content_types=MERGE_PATCH_TYPES
)
def patch_campaign(request, campaign_id):
    version = request.expected_version()
    return _campaign_response(campaigns.patch_campaign(request.principal, campaign_id, request.json(), version))


@routes.protected("/v1/campaigns/{campaign_id}", methods=["DELETE"], permission=can("campaigns", WRITE))
def delete_campaign(request, campaign_id):
    campaigns.delete_campaign(request.principal, campaign_id, request.expected_version())
    return no_content()


@routes.protected("/v1/campaigns/{campaign_id}/restore", methods=["POST"], permission=can("campaigns", WRITE))
def restore_campaign(request, campaign_id):
    return _campaign_response(campaigns.restore_campaign(request.principal, campaign_id))


@routes.protected("/v1/campaigns/{campaign_id}/members", methods=["GET"], permission=can("campaigns", READ))
def list_campaign_members(request, campaign_id):
    limit = parse_page_size(request.query("limit"))
    return json_response(campaigns.list_members(request.principal, campaign_id, limit, request.query("cursor")))


@routes.protected(
    "/v1/campaigns/{campaign_id}/members", methods=["POST"], permission=can("campaigns", WRITE), idempotent=True
)
def add_campaign_member(request, campaign_id):
    return json_response(campaigns.add_member(request.principal, campaign_id, request.json()), status=201)


@routes.protected(
    "/v1/campaigns/{campaign_id}/members/{member_id}", methods=["DELETE"], permission=can("campaigns", WRITE)
)
def remove_campaign_member(request, campaign_id, member_id):
    campaigns.remove_member(request.principal, campaign_id, member_id)
    return no_content()


@routes.protected(
    "/v1/campaigns/{campaign_id}/members/{member_id}/convert", methods=["POST"], permission=can("campaigns", WRITE)
)
def convert_campaign_member(request, campaign_id, member_id):
    return json_response(campaigns.convert_member(request.principal, campaign_id, member_id))


@routes.protected("/v1/campaigns/{campaign_id}/analytics", methods=["GET"], permission=can("campaigns", READ))
def campaign_analytics(request, campaign_id):
    return json_response(campaigns.analytics(request.principal, campaign_id))
