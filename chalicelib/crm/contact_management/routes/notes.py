"""/v1/notes: a customer's notes as records of their own (read, edit, delete, restore; list by
customer or author). They take the customers permissions: a note is part of a customer's history."""
from chalice import Blueprint

from chalicelib.core.lazy import lazy_module
from chalicelib.platform.routes.authorizer import jwt_authorizer
from chalicelib.platform.routes.records import RecordSchemas, functions_of, query_parameters, record_routes
from chalicelib.platform.routes.routing import Routes

notes_blueprint = Blueprint(__name__)
routes = Routes(notes_blueprint, jwt_authorizer)
notes = lazy_module("chalicelib.crm.contact_management.services.notes")

record_routes(
    routes, "customers", "/v1/notes", "note_id", ("note", "notes"), functions_of(notes, "note", "notes"),
    operations=("list", "create", "get", "patch", "delete", "restore"), list_arguments=query_parameters,
    schemas=RecordSchemas(notes, create="NOTE_SCHEMA", patch="PATCH_SCHEMA", filters="LIST_FILTERS"),
)
