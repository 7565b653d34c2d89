"""POST /api/abc/hello: the API-key-protected endpoint of design note 001. In AWS, API Gateway
checks the key and applies the key's usage plan; locally the gateway emulation does."""
from chalice import Blueprint

from chalicelib.platform.routes.contracts import STRING, Contract, object_of
from chalicelib.platform.routes.routing import Routes, json_response
from chalicelib.platform.services.greetings import HELLO_SCHEMA, greet

hello_blueprint = Blueprint(__name__)
routes = Routes(hello_blueprint)


@routes.public(
    "/api/abc/hello", methods=["POST"], api_key_required=True,
    contract=Contract(
        body=lambda: HELLO_SCHEMA, body_required=False,
        responses={200: object_of(message=STRING)},
    ),
)  # fmt: skip
def hello(request):
    return json_response(greet(request.json(required=False)))
