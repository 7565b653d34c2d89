"""/v1/jobs: the organization's long-running jobs (exports, report runs), and `job_failed`, the
task every job's state machine catches failures into (platform/services/jobs.py)."""
from chalice import Blueprint

from chalicelib.core.cursors import parse_page_size
from chalicelib.core.lazy import lazy_module
from chalicelib.observability import flush_metrics, logger
from chalicelib.platform.routes.authorizer import jwt_authorizer
from chalicelib.platform.routes.contracts import Contract, page_of
from chalicelib.platform.routes.routing import Routes, json_response
from chalicelib.platform.services.roles import READ, WRITE, can

jobs = lazy_module("chalicelib.platform.services.jobs")
jobs_blueprint = Blueprint(__name__)
routes = Routes(jobs_blueprint, jwt_authorizer)
# services/jobs.job_view, for the OpenAPI document.
JOB = {
    "type": "object",
    "required": ["id", "kind", "status", "progress", "created_by", "created_at"],
    "properties": {
        "id": {"type": "string"},
        "kind": {"type": "string"},
        "status": {"type": "string", "enum": ["queued", "running", "succeeded", "failed", "cancelled"]},
        "progress": {
            "type": "object",
            "required": ["percent", "rows_done", "rows_total"],
            "properties": {
                "percent": {"type": "integer", "minimum": 0, "maximum": 100},
                "rows_done": {"type": "integer", "minimum": 0},
                "rows_total": {"type": ["integer", "null"]},
            },
        },
        "parameters": {"type": "object", "additionalProperties": True},
        "created_by": {"type": "string"},
        "created_at": {"type": "string"},
        "started_at": {"type": ["string", "null"]},
        "finished_at": {"type": ["string", "null"]},
        "result": {"type": ["object", "null"], "additionalProperties": True},
        "reason": {"type": ["string", "null"]},
    },
}


@routes.protected("/v1/jobs", methods=["GET"], permission=can("jobs", READ),
                  contract=Contract(pages=True, responses={200: page_of(JOB)}))  # fmt: skip
def list_jobs(request):
    page = jobs.list_page(request.principal, parse_page_size(request.query("limit")), request.query("cursor"))
    return json_response(page)


@routes.protected("/v1/jobs/{job_id}", methods=["GET"], permission=can("jobs", READ),
                  contract=Contract(responses={200: JOB}))  # fmt: skip
def get_job(request, job_id):
    return json_response(jobs.get(request.principal, job_id))


@routes.protected("/v1/jobs/{job_id}/cancel", methods=["POST"], permission=can("jobs", WRITE),
                  contract=Contract(responses={200: JOB}, errors=(409,)))  # fmt: skip
def cancel_job(request, job_id):
    return json_response(jobs.cancel(request.principal, job_id))


@jobs_blueprint.lambda_function(name="job_failed")
def job_failed(event, context):
    """Catch target of every job's state machine: {"job": ..., "error": {"Error", "Cause"}}."""
    try:
        ended = jobs.fail(event)
        logger.info("job failed", extra={"job_id": event["job"]["job_id"], "newly_ended": ended})
        return {"ended": ended}
    finally:
        flush_metrics()
