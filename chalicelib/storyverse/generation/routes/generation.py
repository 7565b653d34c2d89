"""POST /v1/generate/text|image|audio (202 with the job, GET /v1/jobs/{id} follows it), each
metered against the family's daily quota of its action (one quota for the whole family, whoever
asks), and the generation machines' task functions (storyverse/generation/services/generation.py)."""
from chalice import Blueprint

from chalicelib.core.lazy import lazy_module
from chalicelib.observability import flush_metrics
from chalicelib.platform.routes.authorizer import jwt_authorizer
from chalicelib.platform.routes.contracts import Contract
from chalicelib.platform.routes.jobs import JOB
from chalicelib.platform.routes.rate_limits import RATE_LIMIT_HEADERS, metered
from chalicelib.platform.routes.routing import Routes, json_response
from chalicelib.platform.services.roles import WRITE, can

generation = lazy_module("chalicelib.storyverse.generation.services.generation")
generation_blueprint = Blueprint(__name__)
routes = Routes(generation_blueprint, jwt_authorizer)


def _contract(schema: str) -> Contract:
    return Contract(body=lambda: getattr(generation, schema), responses={202: JOB}, created="/v1/jobs/{job_id}",
                    errors=(404, 429), response_headers=RATE_LIMIT_HEADERS)  # fmt: skip


def _queued(job: dict) -> object:
    return json_response(job, status=202, headers={"Location": f"/v1/jobs/{job['id']}"})


@routes.protected("/v1/generate/text", methods=["POST"], permission=can("generation", WRITE), idempotent=True,
                  contract=_contract("TEXT_SCHEMA"))  # fmt: skip
@metered("stories.generate", per="organization")
def generate_text(request):
    return _queued(generation.start_text(request.principal, request.json()))


@routes.protected("/v1/generate/image", methods=["POST"], permission=can("generation", WRITE), idempotent=True,
                  contract=_contract("PAGE_SCHEMA"))  # fmt: skip
@metered("stories.illustrate", per="organization")
def generate_image(request):
    return _queued(generation.start_image(request.principal, request.json()))


@routes.protected("/v1/generate/audio", methods=["POST"], permission=can("generation", WRITE), idempotent=True,
                  contract=_contract("PAGE_SCHEMA"))  # fmt: skip
@metered("stories.narrate", per="organization")
def generate_audio(request):
    return _queued(generation.start_audio(request.principal, request.json()))


# Task functions, each packaged as its own Lambda function sized for its work (infra/chalice_package.py).
@generation_blueprint.lambda_function(name="story_write_text")
def story_write_text(event, context):
    try:
        return generation.write_text(event)
    finally:
        flush_metrics()


@generation_blueprint.lambda_function(name="story_draw_image")
def story_draw_image(event, context):
    try:
        return generation.draw_image(event)
    finally:
        flush_metrics()


@generation_blueprint.lambda_function(name="story_narrate")
def story_narrate(event, context):
    try:
        return generation.narrate(event)
    finally:
        flush_metrics()


@generation_blueprint.lambda_function(name="story_give_back")
def story_give_back(event, context):
    try:
        return generation.give_back(event)
    finally:
        flush_metrics()
