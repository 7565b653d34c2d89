"""/v1/sla-policies: one policy per ticket priority; the priority is the policy's id."""
from chalice import Blueprint

from chalicelib.core.cursors import parse_page_size
from chalicelib.core.lazy import lazy_module
from chalicelib.platform.routes.authorizer import jwt_authorizer
from chalicelib.platform.routes.requests import etag
from chalicelib.platform.routes.routing import JSON_TYPES, Routes, json_response, no_content
from chalicelib.platform.services.roles import READ, WRITE, can

sla_policies_blueprint = Blueprint(__name__)
routes = Routes(sla_policies_blueprint, jwt_authorizer, path_ids={"priority": "[a-z]{1,16}"})
MERGE_PATCH_TYPES = [*JSON_TYPES, "application/merge-patch+json"]
sla = lazy_module("chalicelib.crm.support.services.sla")


def _policy_response(policy, status=200):
    headers = {"ETag": etag(policy["version"])}
    if status == 201:
        headers["Location"] = f"/v1/sla-policies/{policy['id']}"
    return json_response(policy, status=status, headers=headers)


@routes.protected("/v1/sla-policies", methods=["GET"], permission=can("sla_policies", READ))
def list_sla_policies(request):
    limit = parse_page_size(request.query("limit"))
    return json_response(sla.list_policies(request.principal, limit, request.query("cursor")))


@routes.protected("/v1/sla-policies", methods=["POST"], permission=can("sla_policies", WRITE), idempotent=True)
def create_sla_policy(request):
    return _policy_response(sla.create_policy(request.principal, request.json()), status=201)


@routes.protected("/v1/sla-policies/{priority}", methods=["GET"], permission=can("sla_policies", READ))
def get_sla_policy(request, priority):
    return _policy_response(sla.get_policy(request.principal, priority))


@routes.protected("/v1/sla-policies/{priority}", methods=["PUT"], permission=can("sla_policies", WRITE))
def replace_sla_policy(request, priority):
    version = request.expected_version(required=True)
    return _policy_response(sla.replace_policy(request.principal, priority, request.json(), version))


@routes.protected(
    "/v1/sla-policies/{priority}", methods=["PATCH"], permission=can("sla_policies", WRITE), content_types=MERGE_PATCH_TYPES
)
def patch_sla_policy(request, priority):
    version = request.expected_version()
    return _policy_response(sla.patch_policy(request.principal, priority, request.json(), version))


@routes.protected("/v1/sla-policies/{priority}", methods=["DELETE"], permission=can("sla_policies", WRITE))
def delete_sla_policy(request, priority):
    sla.delete_policy(request.principal, priority, request.expected_version())
    return no_content()
