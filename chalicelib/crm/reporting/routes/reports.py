"""/v1/reports: custom report definitions (services/reports.py)."""
from chalice import Blueprint

from chalicelib.core.lazy import lazy_module
from chalicelib.platform.routes.authorizer import jwt_authorizer
from chalicelib.platform.routes.records import RecordSchemas, functions_of, record_routes
from chalicelib.platform.routes.routing import Routes

reports_blueprint = Blueprint(__name__)
routes = Routes(reports_blueprint, jwt_authorizer)
reports = lazy_module("chalicelib.crm.reporting.services.reports")

record_routes(
    routes, "reports", "/v1/reports", "report_id", ("report", "reports"), functions_of(reports, "report", "reports"),
    schemas=RecordSchemas(reports, create="REPORT_SCHEMA", patch="PATCH_SCHEMA"),
)
