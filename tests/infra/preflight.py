"""API Gateway's MOCK preflight as it answers: the OPTIONS method's response template rendered by a
Velocity engine made for API Gateway's templates (airspeed-ext, LocalStack's), with `$input` and
`$context.responseOverride` as API Gateway gives them; the static mapped headers added."""
from __future__ import annotations

import airspeed


class _Input:
    def __init__(self, headers: dict[str, str]) -> None:
        self.headers = headers

    def params(self) -> dict[str, dict[str, str]]:
        return {"header": self.headers, "path": {}, "querystring": {}}


def preflight_answer(options_method: dict, request_headers: dict[str, str]) -> tuple[int, dict[str, str]]:
    """(status, headers) of API Gateway's answer to an OPTIONS request with `request_headers`."""
    integration = options_method["x-amazon-apigateway-integration"]
    assert integration["type"] == "mock" and "security" not in options_method
    response = integration["responses"]["default"]
    context = {"responseOverride": {"header": {}}}
    airspeed.Template(response["responseTemplates"]["application/json"]).merge(
        {"input": _Input(request_headers), "context": context}
    )
    headers = {name.removeprefix("method.response.header."): value.strip("'")
               for name, value in response.get("responseParameters", {}).items()}  # fmt: skip
    headers.update(context["responseOverride"]["header"])
    declared = options_method["responses"][response["statusCode"]]["headers"]
    assert set(headers) <= set(declared), "API Gateway maps only headers the method response declares"
    return int(response["statusCode"]), headers
