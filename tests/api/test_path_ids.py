"""An empty or malformed path id is 404 problem+json on every route with path parameters, never a
5xx: through chalice.test.Client and through a real socket to chalice's local gateway."""
from __future__ import annotations

import http.client
import re
import threading

import pytest
from chalice.config import Config
from chalice.local import LocalDevServer

from app import app

PARAMETER = re.compile(r"\{[^}]+\}")
MALFORMED = ["%20", "%2F", "a%00b", "..", "x" * 300, "%E2%80%AE", "null"]


def bad_paths():
    """(method, path) for every route with path parameters: each parameter in turn empty (where
    that leaves a path of its own shape) and malformed, the others a well-formed id."""
    well_formed = "0" * 26
    for route, methods in sorted(app.routes.items()):
        names = PARAMETER.findall(route)
        for position, _ in enumerate(names):
            values = ([] if route.endswith(names[position]) else [""]) + MALFORMED
            for value in values:
                parts = iter([value if index == position else well_formed for index in range(len(names))])
                path = PARAMETER.sub(lambda _: next(parts), route)
                for method in methods:
                    yield method, path


BAD_PATHS = list(bad_paths())


def test_the_route_table_has_routes_with_ids():
    assert len({path for _, path in BAD_PATHS}) > 100
    assert ("GET", "/v1/customers//notes") in BAD_PATHS


def _assert_not_found(status, content_type, path):
    # A route with a public path id (a token, a currency) may name its own 4xx; none may be 5xx.
    assert status < 500, path
    assert content_type == "application/problem+json", path


def test_malformed_path_ids_are_404_through_the_test_client(api, owner):
    statuses = []
    for method, path in BAD_PATHS:
        reply = api.call(method, path, {}, as_=owner, headers={"If-Match": "*"})
        _assert_not_found(reply.status, reply.header("Content-Type"), path)
        statuses.append(reply.status)
    assert statuses.count(404) >= len(statuses) * 0.9, sorted(set(statuses))


def test_reported_paths_are_404(api, owner):
    for method, path in [("GET", "/v1/customers//notes"), ("GET", "/v1/customers/%20"), ("GET", "/v1/customers//activities")]:
        reply = api.call(method, path, as_=owner)
        assert reply.status == 404 and reply.header("Content-Type") == "application/problem+json", (path, reply.body)
    stage = next(method for method in app.routes["/v1/opportunities/{opportunity_id}/stage"])
    reply = api.call(stage, "/v1/opportunities//stage", {"stage": "won"}, as_=owner)
    assert reply.status == 404 and reply.json["status"] == 404


@pytest.fixture
def local_gateway(api):
    server = LocalDevServer(app, Config.create(), "127.0.0.1", 0)
    port = server.server.server_address[1]
    thread = threading.Thread(target=server.server.serve_forever, daemon=True)
    thread.start()
    try:
        yield port
    finally:
        server.server.shutdown()
        server.server.server_close()
        thread.join(timeout=10)


def test_malformed_path_ids_are_404_through_a_local_gateway_socket(local_gateway, owner):
    statuses = []
    connection = http.client.HTTPConnection("127.0.0.1", local_gateway, timeout=30)
    try:
        for method, path in BAD_PATHS:
            headers = {"Authorization": f"Bearer {owner.access_token}", "Content-Type": "application/json", "If-Match": "*"}
            connection.request(method, path, body=b"{}", headers=headers)
            response = connection.getresponse()
            response.read()
            _assert_not_found(response.status, response.getheader("Content-Type"), path)
            statuses.append(response.status)
    finally:
        connection.close()
    assert statuses.count(404) >= len(statuses) * 0.9, sorted(set(statuses))
