"""/v1/files: files attached to records, uploaded to and downloaded from S3 directly through
presigned requests (platform/services/files.py)."""
from chalice import Blueprint

from chalicelib.core.lazy import lazy_module
from chalicelib.platform.routes.authorizer import jwt_authorizer
from chalicelib.platform.routes.records import RecordSchemas, functions_of, query_parameters, record_routes
from chalicelib.platform.routes.routing import Routes

files_blueprint = Blueprint(__name__)
routes = Routes(files_blueprint, jwt_authorizer)
files = lazy_module("chalicelib.platform.services.files")

# A file is created (to be uploaded), read and deleted, never edited or restored: its bytes are
# immutable, and a deleted file's object is gone.
record_routes(
    routes, "files", "/v1/files", "file_id", ("file", "files"), functions_of(files, "file", "files"),
    operations=("list", "create", "get", "delete"), list_arguments=query_parameters,
    schemas=RecordSchemas(files, create="FILE_SCHEMA", patch="FILE_SCHEMA", filters="LIST_FILTERS"),
)  # fmt: skip
