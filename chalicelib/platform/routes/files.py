"""/v1/files: files attached to records, uploaded to and downloaded from S3 directly through
presigned requests (platform/services/files.py)."""
from dataclasses import replace
from typing import Any

from chalice import Blueprint

from chalicelib.core.lazy import lazy_module
from chalicelib.platform.attachables import attachable_record_types
from chalicelib.platform.routes.authorizer import jwt_authorizer
from chalicelib.platform.routes.records import (
    FILTER_VALUE, RecordSchemas, functions_of, query_parameters, record_contracts, record_routes,
)  # fmt: skip
from chalicelib.platform.routes.routing import Routes

files_blueprint = Blueprint(__name__)
routes = Routes(files_blueprint, jwt_authorizer)
files = lazy_module("chalicelib.platform.services.files")
schemas = RecordSchemas(files, create="FILE_SCHEMA", patch="FILE_SCHEMA")


def record_filters() -> dict[str, Any]:
    """Files are listed per record: its type (a registered one) and id, both required."""
    return {"record_type": {"type": "string", "enum": list(attachable_record_types())}, "record_id": FILTER_VALUE}


contracts = record_contracts("/v1/files/{file_id}", "File", schemas.schema("FILE_SCHEMA"), schemas.schema("FILE_SCHEMA"),
                             filters=record_filters)  # fmt: skip
# A record the caller cannot see (unknown, another tenant's, hidden by team visibility) is 404.
contracts["list"] = replace(contracts["list"], required_query=("record_type", "record_id"),
                            errors=(*contracts["list"].errors, 404))  # fmt: skip

# A file is created (to be uploaded), read and deleted, never edited or restored: its bytes are
# immutable, and a deleted file's object is gone.
record_routes(
    routes, "files", "/v1/files", "file_id", ("file", "files"), functions_of(files, "file", "files"),
    operations=("list", "create", "get", "delete"), list_arguments=query_parameters, contracts=contracts,
)  # fmt: skip
