"""/v1/graphql: the GraphQL API over the record types REST declares (docs/api/graphql.md).

POST runs any query or mutation; GET runs a persisted query by its SHA-256 (persisted_queries.py).
Every field checks its own permission (a field the role cannot read is an error for that field
only), so the route itself admits every signed-in caller. graphql-core and the generated schema
load on the first GraphQL request (graphql_execution.py), never with the app (cold start)."""
from chalice import Blueprint

from chalicelib.core.lazy import lazy_module
from chalicelib.platform.routes.authorizer import jwt_authorizer
from chalicelib.platform.routes.contracts import FREE_FORM, Contract
from chalicelib.platform.routes.persisted_queries import persisted_documents
from chalicelib.platform.routes.problems import GRAPHQL_RESPONSE_JSON
from chalicelib.platform.routes.routing import Routes, json_response
from chalicelib.platform.services.roles import SESSION

graphql_blueprint = Blueprint(__name__)
routes = Routes(graphql_blueprint, jwt_authorizer)
execution = lazy_module("chalicelib.platform.routes.graphql_execution")

# GraphQL-over-HTTP: {"data", "errors"}; a request that did not run (unparseable, invalid, over a
# limit) is a 400 with `errors` only.
GRAPHQL_RESPONSE = {
    "type": "object",
    "properties": {
        "data": {"type": ["object", "null"], "additionalProperties": True},
        "errors": {"type": "array", "items": FREE_FORM},
    },
    "additionalProperties": False,
}
REQUEST = {
    "type": "object",
    "required": ["query"],
    "properties": {
        "query": {"type": "string", "minLength": 1, "description": "A GraphQL document (docs/schema.graphql)."},
        "variables": {"type": ["object", "null"], "additionalProperties": {"$ref": "#/components/schemas/JsonValue"}},
        "operationName": {"type": ["string", "null"]},
        "extensions": {"type": ["object", "null"], "additionalProperties": {"$ref": "#/components/schemas/JsonValue"}},
    },
    "additionalProperties": False,
}
# What did not run: unparseable, invalid, variables of the wrong type, over a limit, an unknown persisted query.
GRAPHQL_REQUEST_ERRORS = {
    "type": "object",
    "required": ["errors"],
    "properties": {"errors": {"type": "array", "minItems": 1, "items": FREE_FORM}},
    "additionalProperties": False,
}
PERSISTED_QUERY = {
    "extensions": {
        "type": "string",
        "description": 'JSON: {"persistedQuery": {"version": 1, "sha256Hash": "<hex SHA-256 of a persisted document>"}}',
    },
    "variables": {"type": "string", "description": "JSON: the operation's variables."},
    "operationName": {"type": "string"},
}


def _answer(outcome):
    return json_response(outcome.body, status=outcome.status, headers={"Content-Type": GRAPHQL_RESPONSE_JSON})


@routes.protected(
    "/v1/graphql", methods=["POST"], permission=SESSION, idempotent=True,
    contract=Contract(body=REQUEST, responses={200: GRAPHQL_RESPONSE, 400: GRAPHQL_REQUEST_ERRORS}, errors=(429,), tag="graphql",
                      media_types=(GRAPHQL_RESPONSE_JSON,), summary="Run a GraphQL query or mutation (docs/api/graphql.md)."),
)  # fmt: skip
def graphql_post(request):
    return _answer(execution.run(request.principal, request.json()))


@routes.protected(
    "/v1/graphql", methods=["GET"], permission=SESSION,
    contract=Contract(query=PERSISTED_QUERY, responses={200: GRAPHQL_RESPONSE, 400: GRAPHQL_REQUEST_ERRORS}, errors=(429,), tag="graphql",
                      media_types=(GRAPHQL_RESPONSE_JSON,), summary="Run a persisted query by its SHA-256 (docs/api/graphql.md)."),
)  # fmt: skip
def graphql_get(request):
    parameters = execution.parse_get_parameters(request.query_params)
    persisted = (parameters.get("extensions") or {}).get("persistedQuery") if isinstance(parameters.get("extensions"), dict) else None
    digest = persisted.get("sha256Hash") if isinstance(persisted, dict) else None
    document = persisted_documents().get(digest) if isinstance(digest, str) else None
    if document is None:
        return _answer(execution.refused(
            "GET runs a persisted query: name its SHA-256 in extensions.persistedQuery.sha256Hash.", code="PERSISTED_QUERY_NOT_FOUND",
        ))  # fmt: skip
    return _answer(execution.run(request.principal, {**parameters, "query": document}))
