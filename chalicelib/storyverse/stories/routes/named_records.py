"""/v1/characters and /v1/universes: list and read (the built-in catalogue with the family's own),
create, replace, merge-patch, delete and restore the family's own. A built-in id
(`builtin-...`) reads like any other and refuses writes (403)."""
from chalice import Blueprint

from chalicelib.core.ids import ID_PATTERN
from chalicelib.core.lazy import lazy_module
from chalicelib.platform.routes.authorizer import jwt_authorizer
from chalicelib.platform.routes.records import OPERATIONS, RecordSchemas, query_parameters, record_routes
from chalicelib.platform.routes.routing import Routes

named_records_blueprint = Blueprint(__name__)
routes = Routes(named_records_blueprint, jwt_authorizer)
schemas = lazy_module("chalicelib.storyverse.stories.services.named_records")
# A family's own (minted) or a built-in one's.
NAMED_ID = f"{ID_PATTERN}|builtin-[a-z0-9-]{{1,56}}"

for one, many in (("character", "characters"), ("universe", "universes")):
    service = lazy_module(f"chalicelib.storyverse.stories.services.{many}")
    record_routes(
        routes, many, f"/v1/{many}", f"{one}_id", (one, many),
        lambda operation, service=service: getattr(service.records, operation),
        operations=tuple(operation for operation in OPERATIONS if operation != "batch"),
        list_arguments=query_parameters, id_pattern=NAMED_ID,
        schemas=RecordSchemas(schemas, create="SCHEMA", patch="PATCH_SCHEMA", filters="LIST_FILTERS", choices="LIST_CHOICES"),
    )  # fmt: skip
