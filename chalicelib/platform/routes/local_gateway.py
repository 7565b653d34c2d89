"""Stand-in for what API Gateway does in AWS, for `chalice local` and chalice.test only.

Chalice's local gateway neither checks API keys nor lets an authorizer answer 401, words its own
errors differently from our configured gateway responses, and answers CORS preflights from
Chalice's CORSConfig, which we do not use. This module closes those gaps so local runs and tests
see exactly the responses clients see in AWS. It is never installed in
Lambda, where the real gateway does all of this.
"""
from __future__ import annotations

import hmac
import json

from chalice import Chalice

from chalicelib.core.settings import get_settings
from chalicelib.platform.routes.cors import PREFLIGHT_STATUS, preflight_headers
from chalicelib.platform.routes.problems import gateway_problem_body, gateway_problem_headers, gateway_responses, problem


def emulate_api_gateway(app: Chalice) -> None:
    _require_api_keys(app)
    _restate_gateway_errors()


def _require_api_keys(app: Chalice) -> None:
    @app.middleware("http")
    def check_api_key(request, get_response):
        context = request.context or {}
        route = app.routes.get(context.get("resourcePath", ""), {}).get(request.method)
        if route is not None and route.api_key_required and not _known_key(request.headers.get("x-api-key")):
            body = gateway_problem_body("INVALID_API_KEY", 403)
            return problem(body["status"], body["title"], body["detail"])
        return get_response(request)


def _known_key(presented: str | None) -> bool:
    """A key of LOCAL_API_KEYS, or an organization's active key: in AWS both are gateway keys of a
    usage plan on the stage."""
    if not presented:
        return False
    if any(hmac.compare_digest(presented, key) for key in get_settings().local_api_keys):
        return True
    from chalicelib.core.errors import Unauthorized
    from chalicelib.platform.services.api_keys import authenticate_key

    try:
        authenticate_key(presented)
    except Unauthorized:
        return False
    return True


def _restate_gateway_errors() -> None:
    from chalice import local

    if getattr(local, "_zebros_gateway_emulation", False):
        return
    local._zebros_gateway_emulation = True

    class AuthorizerFailure(local.LocalGatewayException):
        CODE = gateway_responses()["AUTHORIZER_FAILURE"]["status"]

    original_authorize = local.LocalGatewayAuthorizer.authorize

    def authorize(self, raw_path, lambda_event, lambda_context):
        try:
            return original_authorize(self, raw_path, lambda_event, lambda_context)
        except local.LocalGatewayException:
            raise
        except Exception as error:
            # A Lambda authorizer that fails with "Unauthorized" is API Gateway's signal for 401;
            # any other failure is its AUTHORIZER_FAILURE response.
            if str(error) == "Unauthorized":
                raise local.NotAuthorizedError({}, b"") from None
            raise AuthorizerFailure({}, b"") from error

    original_init = local.LocalGatewayException.__init__

    def restated_init(self, headers, body=None):
        original_init(self, headers, body)
        response_type = _gateway_response_type(self.CODE, body or b"")
        problem_body = gateway_problem_body(response_type, self.CODE)
        self.CODE = problem_body["status"]
        self.headers = {**(headers or {}), **gateway_problem_headers(response_type)}
        self.body = json.dumps(problem_body).encode()

    def prepare_authorizer_event(self, arn, lambda_event, lambda_context):
        # API Gateway's REQUEST event, as the packaged authorizer gets in AWS (infra/chalice_package.py):
        # the request's headers, so that `x-api-key` alone reaches the authorizer too. Chalice's own
        # is a TOKEN event, refused with 401 before the authorizer runs when `Authorization` is absent.
        return {**lambda_event, "type": "REQUEST", "methodArn": arn}

    local.LocalGatewayAuthorizer.authorize = authorize
    local.LocalGatewayAuthorizer._prepare_authorizer_event = prepare_authorizer_event
    local.LocalGatewayException.__init__ = restated_init
    original_handle_request = local.LocalGateway.handle_request

    def handle_request(self, method, path, headers, body):
        if method != "OPTIONS":
            return original_handle_request(self, method, path, headers, body)
        try:
            event = self._generate_lambda_event(method, path, headers, body)
        except ValueError:  # no such path: the gateway's own answer, as for any other method
            return original_handle_request(self, method, path, headers, body)
        # In AWS a MOCK OPTIONS method on every path answers, unauthenticated (infra/chalice_package.py).
        methods = self._app_object.routes[event["requestContext"]["resourcePath"]]
        return {"statusCode": PREFLIGHT_STATUS, "headers": preflight_headers(event["headers"], methods),
                "multiValueHeaders": {}, "body": ""}  # fmt: skip

    local.LocalGateway.handle_request = handle_request


def _gateway_response_type(status: int, body: bytes) -> str:
    if status == gateway_responses()["AUTHORIZER_FAILURE"]["status"]:
        return "AUTHORIZER_FAILURE"
    if status == 401:
        return "UNAUTHORIZED"
    if b"Missing Authentication Token" in body or b"Authorization header requires" in body:
        return "MISSING_AUTHENTICATION_TOKEN"
    if status == 403:
        return "ACCESS_DENIED"
    return "DEFAULT_5XX"
