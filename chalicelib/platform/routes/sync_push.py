"""POST /v1/sync: an offline client pushes its changes (protocol: docs/sync.md), each applied
through its kind's REST service functions (platform/services/sync_push.py; the kinds are the
registry's, platform/kinds.py).

Any signed-in caller may push; each change needs its kind's <resource>:write, checked per change,
so a change the role may not make is rejected (403) alone, as its REST route would answer.
Services load on a push's first use of a kind (cold start)."""
from __future__ import annotations

import copy
from typing import Any

from chalice import Blueprint

from chalicelib.core.lazy import lazy_module
from chalicelib.platform.routes.authorizer import jwt_authorizer
from chalicelib.platform.routes.contracts import FREE_FORM, Contract, resolve
from chalicelib.platform.routes.problems import problem_body
from chalicelib.platform.routes.routing import Routes, json_response
from chalicelib.platform.services.roles import SESSION

sync_push = lazy_module("chalicelib.platform.services.sync_push")
sync_push_blueprint = Blueprint(__name__)
routes = Routes(sync_push_blueprint, jwt_authorizer)


RESULT = {
    "type": "object",
    "required": ["change_id", "status"],
    "properties": {
        "change_id": {"type": "string"},
        "status": {"enum": ["applied", "conflict", "rejected"]},
        "reason": {"type": "string", "description": "Why a conflict: both_changed, exists, deleted, changed_since_base."},
        "version": {"type": "integer"},
        "record": {"oneOf": [FREE_FORM, {"type": "null"}]},
        "merged": FREE_FORM,
        "conflicts": {"type": "array", "items": FREE_FORM},
        "problem": {"$ref": "#/components/schemas/Problem"},
    },
}


def push_body() -> dict[str, Any]:
    """PUSH_SCHEMA as the document states it: a change's `fields` hold JSON values whose numbers
    DynamoDB can store (core.documents.parse_json refuses the others for the whole body)."""
    schema = copy.deepcopy(sync_push.PUSH_SCHEMA)
    change = schema["properties"]["changes"]["items"]
    change["properties"]["fields"] = {**change["properties"]["fields"], "additionalProperties": resolve("#JsonValue")}
    return schema


PUSHED = {"type": "object", "required": ["results"], "properties": {"results": {"type": "array", "items": RESULT}}}


@routes.protected(
    "/v1/sync", methods=["POST"], permission=SESSION,
    contract=Contract(body=push_body, responses={200: PUSHED}),
)  # fmt: skip
def push_changes(request):
    outcome = sync_push.push(request.principal, request.json())
    return json_response({"results": [_shown(result) for result in outcome["results"]]})


def _shown(result: dict[str, Any]) -> dict[str, Any]:
    """A rejected change carries the problem document its REST route would have answered."""
    if result["status"] != "rejected":
        return result
    shown = {name: value for name, value in result.items() if name != "error"}
    return {**shown, "problem": problem_body(result["error"])}
