"""/v1/reports: custom report definitions (services/reports.py), their runs as jobs and their
results (services/report_runs.py), and the run state machine's task functions."""
from chalice import Blueprint

from chalicelib.core.lazy import lazy_module
from chalicelib.observability import flush_metrics
from chalicelib.platform.routes.authorizer import jwt_authorizer
from chalicelib.platform.routes.contracts import FREE_FORM, Contract
from chalicelib.platform.routes.jobs import JOB
from chalicelib.platform.routes.records import RecordSchemas, functions_of, record_routes
from chalicelib.platform.routes.routing import Routes, json_response
from chalicelib.platform.services.roles import READ, WRITE, can

reports_blueprint = Blueprint(__name__)
routes = Routes(reports_blueprint, jwt_authorizer)
reports = lazy_module("chalicelib.crm.reporting.services.reports")
runs = lazy_module("chalicelib.crm.reporting.services.report_runs")

record_routes(
    routes, "reports", "/v1/reports", "report_id", ("report", "reports"), functions_of(reports, "report", "reports"),
    schemas=RecordSchemas(reports, create="REPORT_SCHEMA", patch="PATCH_SCHEMA"),
)


# Running creates a job, so it takes reports:write (a viewer reads the results of runs).
@routes.protected(
    "/v1/reports/{report_id}/run", methods=["POST"], permission=can("reports", WRITE), idempotent=True,
    contract=Contract(responses={202: JOB}, created="/v1/jobs/{job_id}"),
)  # fmt: skip
def run_report(request, report_id):
    job = runs.start_run(request.principal, report_id)
    return json_response(job, status=202, headers={"Location": f"/v1/jobs/{job['id']}"})


@routes.protected(
    "/v1/reports/{report_id}/results", methods=["GET"], permission=can("reports", READ),
    contract=Contract(query={"job_id": {"type": "string", "minLength": 1, "maxLength": 64}}, responses={200: FREE_FORM}),
)  # fmt: skip
def get_report_results(request, report_id):
    return json_response(runs.results(request.principal, report_id, request.query_params))


# Task functions of infra/state-machines/report_run.asl.json (1 GB / 15 s each, infra/chalice_package.py).
@reports_blueprint.lambda_function(name="report_aggregate")
def report_aggregate(event, context):
    try:
        return runs.aggregate(event)
    finally:
        flush_metrics()


@reports_blueprint.lambda_function(name="report_finish")
def report_finish(event, context):
    try:
        return runs.finish(event)
    finally:
        flush_metrics()


# Invoked by EventBridge Scheduler at a scheduled report's time (aws/schedules.py).
@reports_blueprint.lambda_function(name="run_scheduled_report")
def run_scheduled_report(event, context):
    try:
        return runs.run_on_schedule(event)
    finally:
        flush_metrics()
