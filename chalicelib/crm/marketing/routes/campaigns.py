"""/v1/campaigns: campaigns, their members and conversion analytics."""
from chalice import Blueprint

from chalicelib.core.cursors import parse_page_size
from chalicelib.core.lazy import lazy_module
from chalicelib.platform.routes.authorizer import jwt_authorizer
from chalicelib.platform.routes.contracts import Contract, page_of
from chalicelib.platform.routes.records import RecordSchemas, functions_of, query_parameters, record_routes
from chalicelib.platform.routes.requests import etag
from chalicelib.platform.routes.routing import Routes, json_response, no_content
from chalicelib.platform.services.roles import READ, WRITE, can

campaigns_blueprint = Blueprint(__name__)
routes = Routes(campaigns_blueprint, jwt_authorizer)
campaigns = lazy_module("chalicelib.crm.marketing.services.campaigns")
# services/campaigns.member_view and analytics, for the OpenAPI document.
MEMBER = {
    "type": "object",
    "required": ["id", "campaign_id", "member_type", "member_id", "converted", "converted_at", "added_by", "created_at", "version"],
    "properties": {
        "id": {"type": "string"},
        "campaign_id": {"type": "string"},
        "member_type": {"type": "string"},
        "member_id": {"type": "string"},
        "converted": {"type": "boolean"},
        "converted_at": {"type": ["string", "null"]},
        "added_by": {"type": ["string", "null"]},
        "created_at": {"type": "string"},
        "version": {"type": "integer"},
    },
    "additionalProperties": False,
}
ANALYTICS = {
    "type": "object",
    "required": ["campaign_id", "members", "conversions", "conversion_rate"],
    "properties": {
        "campaign_id": {"type": "string"},
        "members": {"type": "integer"},
        "conversions": {"type": "integer"},
        "conversion_rate": {"type": "number"},
    },
}

record_routes(
    routes, "campaigns", "/v1/campaigns", "campaign_id", ("campaign", "campaigns"),
    functions_of(campaigns, "campaign", "campaigns"), list_arguments=query_parameters,
    schemas=RecordSchemas(campaigns, create="CAMPAIGN_SCHEMA", replace="REPLACE_SCHEMA", patch="PATCH_SCHEMA",
                          filters="LIST_FILTERS", choices="LIST_CHOICES"),
)


@routes.protected(
    "/v1/campaigns/{campaign_id}/members", methods=["GET"], permission=can("campaigns", READ),
    contract=Contract(pages=True, responses={200: page_of(MEMBER)}),
)  # fmt: skip
def list_campaign_members(request, campaign_id):
    limit = parse_page_size(request.query("limit"))
    return json_response(campaigns.list_members(request.principal, campaign_id, limit, request.query("cursor")))


@routes.protected(
    "/v1/campaigns/{campaign_id}/members", methods=["POST"], permission=can("campaigns", WRITE), idempotent=True,
    contract=Contract(
        body=lambda: campaigns.MEMBER_SCHEMA, responses={201: MEMBER}, errors=(409,),
        created="/v1/campaigns/{campaign_id}/members/{member_id}", created_id="member_id",
    ),
)  # fmt: skip
def add_campaign_member(request, campaign_id):
    member = campaigns.add_member(request.principal, campaign_id, request.json())
    # A member is addressed by the lead or contact it is, as its other routes are.
    location = f"/v1/campaigns/{campaign_id}/members/{member['member_id']}"
    return json_response(member, status=201, headers={"Location": location, "ETag": etag(member["version"])})


@routes.protected(
    "/v1/campaigns/{campaign_id}/members/{member_id}", methods=["GET"], permission=can("campaigns", READ),
    contract=Contract(responses={200: MEMBER}),
)
def get_campaign_member(request, campaign_id, member_id):
    member = campaigns.get_member(request.principal, campaign_id, member_id)
    return json_response(member, headers={"ETag": etag(member["version"])})


@routes.protected(
    "/v1/campaigns/{campaign_id}/members/{member_id}", methods=["DELETE"], permission=can("campaigns", WRITE),
    contract=Contract(responses={204: None}, errors=(409,)),
)
def remove_campaign_member(request, campaign_id, member_id):
    campaigns.remove_member(request.principal, campaign_id, member_id)
    return no_content()


@routes.protected(
    "/v1/campaigns/{campaign_id}/members/{member_id}/convert", methods=["POST"], permission=can("campaigns", WRITE),
    contract=Contract(responses={200: MEMBER}, errors=(409,)),
)
def convert_campaign_member(request, campaign_id, member_id):
    return json_response(campaigns.convert_member(request.principal, campaign_id, member_id))


@routes.protected(
    "/v1/campaigns/{campaign_id}/analytics", methods=["GET"], permission=can("campaigns", READ),
    contract=Contract(responses={200: ANALYTICS}),
)  # fmt: skip
def campaign_analytics(request, campaign_id):
    return json_response(campaigns.analytics(request.principal, campaign_id))
