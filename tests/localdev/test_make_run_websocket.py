"""`make run` serves the WebSocket API beside the REST API: a lead created over HTTP reaches a
connected client as `lead.created`, through the same stream consumer and fan-out as in AWS."""
from __future__ import annotations

import json

from websockets.sync.client import connect

from tests.localdev.conftest import LocalServer

# Generous: not a timing assertion, only a bound so a lost event fails instead of hanging.
RECEIVE_TIMEOUT_SECONDS = 30


def test_a_lead_created_over_http_arrives_on_the_websocket(local_server: LocalServer):
    with connect(local_server.websocket_url, subprotocols=["zebros.v1", f"bearer.{local_server.access_token}"],
                 open_timeout=RECEIVE_TIMEOUT_SECONDS) as socket:
        socket.send(json.dumps({"action": "ping"}))
        assert json.loads(socket.recv(timeout=RECEIVE_TIMEOUT_SECONDS)) == {"type": "pong"}
        created = local_server.call("POST", "/v1/leads", {"name": "Margaret Hamilton"})
        assert created.status == 201, created.body
        frame = json.loads(socket.recv(timeout=RECEIVE_TIMEOUT_SECONDS))
        assert frame["type"] == "lead.created" and frame["subject_id"] == created.json["id"]
        assert "Margaret" not in json.dumps(frame)


def test_the_token_stays_out_of_the_log(local_server: LocalServer):
    with connect(f"{local_server.websocket_url}/?token={local_server.access_token}") as socket:
        socket.send(json.dumps({"action": "ping"}))
        assert json.loads(socket.recv(timeout=RECEIVE_TIMEOUT_SECONDS)) == {"type": "pong"}
    assert local_server.access_token.split(".")[2] not in local_server.log()
