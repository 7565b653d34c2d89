"""/v1/leads and their conversion into customers."""
from chalice import Blueprint

from chalicelib.core.lazy import lazy_module
from chalicelib.platform.routes.authorizer import jwt_authorizer
from chalicelib.platform.routes.records import searchable_record_routes
from chalicelib.platform.routes.routing import Routes, json_response
from chalicelib.platform.routes.versions import RESHAPED, UNCHANGED, version_path
from chalicelib.platform.services.roles import WRITE, can

leads_blueprint = Blueprint(__name__)
routes = Routes(leads_blueprint, jwt_authorizer)
leads = lazy_module("chalicelib.crm.contact_management.services.leads")

searchable_record_routes(routes, "leads", "lead", lambda: leads.records, versioning=RESHAPED)


# The conversion answers ids only: the same in both versions.
@routes.protected(
    "/v1/leads/{lead_id}/convert", methods=["POST"], permission=can("leads", WRITE), idempotent=True, versioning=UNCHANGED
)
def convert_lead(request, lead_id):
    result = leads.convert_lead(request.principal, lead_id, request.json(required=False))
    location = version_path(f"/v1/customers/{result['customer_id']}", request.version)
    return json_response(result, status=201, headers={"Location": location})
