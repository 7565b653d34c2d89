"""/v1/automations: marketing automations (trigger, steps, active or paused) and their runs; the
task functions the runs' Step Functions executions call."""
from chalice import Blueprint

from chalicelib.core.cursors import parse_page_size
from chalicelib.core.lazy import lazy_module
from chalicelib.observability import flush_metrics
from chalicelib.platform.routes.authorizer import jwt_authorizer
from chalicelib.platform.routes.contracts import Contract, page_of
from chalicelib.platform.routes.records import RecordSchemas, functions_of, query_parameters, record_response, record_routes
from chalicelib.platform.routes.routing import Routes, json_response
from chalicelib.platform.services.roles import READ, WRITE, can

automations_blueprint = Blueprint(__name__)
routes = Routes(automations_blueprint, jwt_authorizer)
automations = lazy_module("chalicelib.crm.marketing.services.automations")
runs = lazy_module("chalicelib.crm.marketing.services.automation_runs")
COLLECTION = "/v1/automations"
_TEXT = {"type": ["string", "null"]}
# services/automation_runs.run_view, for the OpenAPI document.
RUN = {
    "type": "object",
    "required": ["id", "automation_id", "record_type", "record_id", "event_id", "event_type", "status", "steps",
                 "started_at", "finished_at"],
    "properties": {
        "id": {"type": "string"},
        "automation_id": {"type": "string"},
        "automation_version": {"type": ["integer", "null"]},
        "record_type": {"type": "string"},
        "record_id": {"type": "string"},
        "event_id": {"type": "string"},
        "event_type": {"type": "string"},
        "status": {"type": "string", "enum": ["running", "succeeded", "failed", "cancelled"]},
        "reason": _TEXT,
        "steps": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["index", "type", "status"],
                "properties": {
                    "index": {"type": "integer"},
                    "type": {"type": "string"},
                    "status": {"type": "string", "enum": ["waiting", "succeeded", "failed"]},
                    "reason": {"type": "string"},
                },
                "additionalProperties": True,
            },
        },
        "started_at": {"type": "string"},
        "finished_at": _TEXT,
    },
    "additionalProperties": False,
}

record_routes(
    routes, "automations", COLLECTION, "automation_id", ("automation", "automations"),
    functions_of(automations, "automation", "automations"), list_arguments=query_parameters,
    operations=("list", "create", "get", "replace", "patch", "delete", "restore"),
    schemas=RecordSchemas(automations, create="AUTOMATION_SCHEMA", patch="PATCH_SCHEMA", filters="LIST_FILTERS",
                          choices="LIST_CHOICES"),
)  # fmt: skip


@routes.protected(
    "/v1/automations/{automation_id}/pause", methods=["POST"], permission=can("automations", WRITE),
    contract=Contract(responses={200: "#Automation"}),
)  # fmt: skip
def pause_automation(request, automation_id):
    return record_response(COLLECTION, automations.pause_automation(request.principal, automation_id))


@routes.protected(
    "/v1/automations/{automation_id}/resume", methods=["POST"], permission=can("automations", WRITE),
    contract=Contract(responses={200: "#Automation"}, errors=(409,)),
)  # fmt: skip
def resume_automation(request, automation_id):
    return record_response(COLLECTION, automations.resume_automation(request.principal, automation_id))


@routes.protected(
    "/v1/automations/{automation_id}/runs", methods=["GET"], permission=can("automations", READ),
    contract=Contract(pages=True, responses={200: page_of(RUN)}),
)  # fmt: skip
def list_automation_runs(request, automation_id):
    limit = parse_page_size(request.query("limit"))
    return json_response(runs.list_runs(request.principal, automation_id, limit, request.query("cursor")))


@routes.protected(
    "/v1/automations/{automation_id}/runs/{run_id}", methods=["GET"], permission=can("automations", READ),
    contract=Contract(responses={200: RUN}),
)  # fmt: skip
def get_automation_run(request, automation_id, run_id):
    return json_response(runs.get_run(request.principal, automation_id, run_id))


# The Task states of infra/state-machines/automation-run.asl.json. An exception's class is the
# States error the machine's Retry and Catch match (StepFailed and AutomationPaused are final).
@automations_blueprint.lambda_function(name="automation_step")
def automation_step(event, context):
    try:
        return runs.run_step(event)
    finally:
        flush_metrics()


@automations_blueprint.lambda_function(name="automation_step_waited")
def automation_step_waited(event, context):
    try:
        return runs.step_waited(event)
    finally:
        flush_metrics()


@automations_blueprint.lambda_function(name="automation_run_finished")
def automation_run_finished(event, context):
    try:
        return runs.finish_run(event)
    finally:
        flush_metrics()
