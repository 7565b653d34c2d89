"""/v1/audit-logs: read-only; there are no routes that write or delete entries."""
from chalice import Blueprint

from chalicelib.core.cursors import parse_page_size
from chalicelib.core.lazy import lazy_module
from chalicelib.platform.routes.authorizer import jwt_authorizer
from chalicelib.platform.routes.contracts import Contract, page_of
from chalicelib.platform.routes.records import FILTER_VALUE
from chalicelib.platform.routes.routing import Routes, json_response
from chalicelib.platform.services.roles import READ, can

audit = lazy_module("chalicelib.platform.services.audit")
audit_logs_blueprint = Blueprint(__name__)
routes = Routes(audit_logs_blueprint, jwt_authorizer)
# services/audit.entry_view, for the OpenAPI document.
ENTRY = {
    "type": "object",
    "required": ["id", "actor", "action", "target_type", "target_id", "at", "changes"],
    "properties": {
        "id": {"type": "string"},
        "actor": {"type": "string"},
        "action": {"type": "string"},
        "target_type": {"type": "string"},
        "target_id": {"type": "string"},
        "at": {"type": "string"},
        "changes": {"type": "object", "additionalProperties": True},
    },
}


@routes.protected(
    "/v1/audit-logs", methods=["GET"], permission=can("audit_logs", READ),
    contract=Contract(
        pages=True, responses={200: page_of(ENTRY)},
        query={name: {**FILTER_VALUE, "description": "With target_type and target_id both, one record's history."}
               for name in ("target_type", "target_id")},
    ),
)  # fmt: skip
def list_audit_logs(request):
    page = audit.list_entries(
        request.principal,
        request.query("target_type"),
        request.query("target_id"),
        parse_page_size(request.query("limit")),
        request.query("cursor"),
    )
    return json_response(page)
