"""/v1/leads and their conversion into customers."""
from chalice import Blueprint

from chalicelib.core.lazy import lazy_module
from chalicelib.platform.routes.authorizer import jwt_authorizer
from chalicelib.platform.routes.contracts import FREE_FORM, Contract
from chalicelib.platform.routes.records import searchable_record_routes
from chalicelib.platform.routes.routing import Routes, json_response
from chalicelib.platform.services.roles import WRITE, can

leads_blueprint = Blueprint(__name__)
routes = Routes(leads_blueprint, jwt_authorizer)
leads = lazy_module("chalicelib.crm.contact_management.services.leads")
# What a conversion made: the customer's id (always) and the contact's, company's and opportunity's.
CONVERSION = {**FREE_FORM, "required": ["customer_id"], "properties": {"customer_id": {"type": "string"}}}

searchable_record_routes(routes, "leads", "lead", lambda: leads.records)


@routes.protected(
    "/v1/leads/{lead_id}/convert", methods=["POST"], permission=can("leads", WRITE), idempotent=True,
    contract=Contract(
        body=lambda: leads.CONVERT_SCHEMA, body_required=False, responses={201: CONVERSION}, errors=(409,),
        created="/v1/customers/{customer_id}", created_id="customer_id",
    ),
)  # fmt: skip
def convert_lead(request, lead_id):
    result = leads.convert_lead(request.principal, lead_id, request.json(required=False))
    return json_response(result, status=201, headers={"Location": f"/v1/customers/{result['customer_id']}"})
