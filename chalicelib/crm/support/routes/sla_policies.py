"""/v1/sla-policies: one policy per ticket priority; the priority is the policy's id."""
from chalice import Blueprint

from chalicelib.core.lazy import lazy_module
from chalicelib.platform.routes.authorizer import jwt_authorizer
from chalicelib.platform.routes.records import RecordSchemas, functions_of, record_routes
from chalicelib.platform.routes.routing import Routes

sla_policies_blueprint = Blueprint(__name__)
routes = Routes(sla_policies_blueprint, jwt_authorizer)
sla = lazy_module("chalicelib.crm.support.services.sla")

record_routes(
    routes, "sla_policies", "/v1/sla-policies", "priority", ("sla_policy", "sla_policies"),
    functions_of(sla, "policy", "policies"), operations=("list", "create", "get", "replace", "patch", "delete"),
    id_pattern="[a-z]{1,16}",
    schemas=RecordSchemas(sla, create="POLICY_SCHEMA", replace="REPLACE_SCHEMA", patch="PATCH_SCHEMA"),
)
