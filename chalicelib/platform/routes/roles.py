"""/v1/roles: the built-in roles (read-only) and the organization's custom roles."""
from chalice import Blueprint

from chalicelib.core.ids import ID_PATTERN
from chalicelib.core.lazy import lazy_module
from chalicelib.platform.routes.authorizer import jwt_authorizer
from chalicelib.platform.routes.records import RecordSchemas, functions_of, record_routes
from chalicelib.platform.routes.routing import Routes
from chalicelib.platform.services.roles import BUILT_IN_ROLES

roles_blueprint = Blueprint(__name__)
routes = Routes(roles_blueprint, jwt_authorizer)
roles_admin = lazy_module("chalicelib.platform.services.roles_admin")

record_routes(
    routes, "roles", "/v1/roles", "role_id", ("role", "roles"),
    functions_of(roles_admin, "role", "roles"), operations=("list", "create", "get", "replace", "patch", "delete"),
    # A built-in role's id is its name; a custom role's is minted.
    id_pattern="|".join([*BUILT_IN_ROLES, ID_PATTERN]),
    schemas=RecordSchemas(roles_admin, create="ROLE_SCHEMA", patch="ROLE_PATCH_SCHEMA"),
)
