"""/v1/custom-fields: an organization's field definitions (ids are "<entity>.<key>")."""
from chalice import Blueprint

from chalicelib.core.errors import MalformedRequest
from chalicelib.core.lazy import lazy_module
from chalicelib.platform.routes.authorizer import jwt_authorizer
from chalicelib.platform.routes.records import RecordSchemas, functions_of, record_routes
from chalicelib.platform.routes.requests import ApiRequest
from chalicelib.platform.routes.routing import Routes

custom_fields_blueprint = Blueprint(__name__)
routes = Routes(custom_fields_blueprint, jwt_authorizer)
custom_fields = lazy_module("chalicelib.platform.services.custom_fields")


def entity_filter(request: ApiRequest) -> tuple[str | None]:
    unknown = set(request.query_params) - {"entity", "limit", "cursor"}
    if unknown:
        name = sorted(unknown)[0]
        raise MalformedRequest(f"Unknown query parameter {name!r}; the filter is entity.", field=name)
    return (request.query("entity"),)


record_routes(
    routes, "custom_fields", "/v1/custom-fields", "field_id", ("definition", "definitions"),
    functions_of(custom_fields, "definition", "definitions"),
    operations=("list", "create", "batch", "get", "patch", "delete", "restore"), list_arguments=entity_filter,
    # A definition's id is "<entity>.<key>" (data/custom_fields.py), not a minted id.
    id_pattern=r"[a-z]{1,32}\.[A-Za-z0-9_]{1,64}",
    schemas=RecordSchemas(custom_fields, create="DEFINITION_SCHEMA", patch="DEFINITION_PATCH_SCHEMA",
                          filters="LIST_FILTERS", choices="LIST_CHOICES"),
)
