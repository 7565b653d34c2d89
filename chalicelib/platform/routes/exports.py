"""POST /v1/exports (202 with the job) and the export state machine's task functions
(infra/state-machines/export.asl.json; platform/services/exports.py)."""
from chalice import Blueprint

from chalicelib.core.lazy import lazy_module
from chalicelib.observability import flush_metrics
from chalicelib.platform.routes.authorizer import jwt_authorizer
from chalicelib.platform.routes.contracts import Contract
from chalicelib.platform.routes.jobs import JOB
from chalicelib.platform.routes.routing import Routes, json_response
from chalicelib.platform.services.roles import WRITE, can

exports = lazy_module("chalicelib.platform.services.exports")
exports_blueprint = Blueprint(__name__)
routes = Routes(exports_blueprint, jwt_authorizer)


@routes.protected(
    "/v1/exports", methods=["POST"], permission=can("exports", WRITE), idempotent=True,
    contract=Contract(body=lambda: exports.EXPORT_SCHEMA, responses={202: JOB}, created="/v1/jobs/{job_id}"),
)  # fmt: skip
def start_export(request):
    job = exports.start_export(request.principal, request.json())
    return json_response(job, status=202, headers={"Location": f"/v1/jobs/{job['id']}"})


# Task functions: Chalice packages each as its own Lambda function (1 GB / 15 s, infra/chalice_package.py).
@exports_blueprint.lambda_function(name="export_count")
def export_count(event, context):
    try:
        return exports.count(event)
    finally:
        flush_metrics()


@exports_blueprint.lambda_function(name="export_chunk")
def export_chunk(event, context):
    try:
        return exports.chunk(event)
    finally:
        flush_metrics()


@exports_blueprint.lambda_function(name="export_finish")
def export_finish(event, context):
    try:
        return exports.finish(event)
    finally:
        flush_metrics()
