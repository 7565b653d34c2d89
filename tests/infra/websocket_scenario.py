"""The WebSocket functions and the fan-out as API Gateway and the stream invoke them, for the IAM
coverage recording (tests/infra/iam_scenario.py): a client connects (its token checked: sessions,
the signing key; its connection written), subscribes, a lead created through the REST handler
reaches it through the stream consumer (`deliver_events`: the organization's connections, a post to
@connections), it reconnects with `since=` (a Query of audit_logs, the replay posted), pings and leaves.
"""
from __future__ import annotations

import json
import secrets
from datetime import timedelta
from typing import Any
from unittest import mock

from tests.benchmarks.dynamodb_calls import PASSWORD
from tests.benchmarks.world import SignupCodes

DOMAIN = "ws.zebroscrm.com"


def drive() -> None:
    from chalice.test import Client

    import app as zebros
    from chalicelib.core import clock
    from chalicelib.core.ids import id_bound
    from chalicelib.localdev.streams import event_consumer
    from chalicelib.localdev.websocket_server import api_gateway_event
    from chalicelib.platform.services import signups

    email = f"websocket-{secrets.token_hex(4)}@bench.example.com"
    with Client(zebros.app) as client:
        def call(method: str, path: str, body: dict[str, Any], token: str | None = None) -> dict[str, Any]:
            headers = {"Content-Type": "application/json", **({"Authorization": f"Bearer {token}"} if token else {})}
            response = client.http.request(method, path, headers=headers, body=json.dumps(body).encode())
            assert response.status_code in (200, 201, 202), response.body
            return json.loads(response.body)

        mailbox = SignupCodes()
        with mock.patch.object(signups, "get_notifier", lambda: mailbox):
            call("POST", "/v1/auth/register", {"email": email, "password": PASSWORD, "name": "Owner", "organization": "Live"})
        call("POST", "/v1/auth/register/confirm", {"token": mailbox.codes[email]})
        token = call("POST", "/v1/auth/login", {"email": email, "password": PASSWORD})["access_token"]
        stream = event_consumer()
        stream.drain()  # what the earlier scenario wrote

        def invoke(handler: Any, connection_id: str, route_key: str, event_type: str, **fields: Any) -> dict[str, Any]:
            return handler(api_gateway_event(connection_id, route_key, event_type, DOMAIN, **fields), None)

        opened = invoke(zebros.websocket_connect, "scenario-live", "$connect", "CONNECT",
                        queryStringParameters={"token": token})
        assert opened["statusCode"] == 200, opened
        invoke(zebros.websocket_message, "scenario-live", "$default", "MESSAGE",
               body=json.dumps({"action": "subscribe", "topic": "leads"}))
        call("POST", "/v1/leads", {"name": "Ada"}, token)
        stream.drain()
        since = id_bound(clock.now() - timedelta(minutes=1), upper=False)
        resumed = invoke(zebros.websocket_connect, "scenario-resumed", "$connect", "CONNECT",
                         queryStringParameters={"token": token, "since": since})
        assert resumed["statusCode"] == 200, resumed
        invoke(zebros.websocket_message, "scenario-resumed", "$default", "MESSAGE", body=json.dumps({"action": "ping"}))
        for connection_id in ("scenario-live", "scenario-resumed"):
            invoke(zebros.websocket_disconnect, connection_id, "$disconnect", "DISCONNECT")
