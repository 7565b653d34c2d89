"""The WebSocket API over real sockets: the local server (chalicelib/localdev/websocket_server.py) hands
each handshake, message and close to the app's handlers, and the fan-out posts through its local
@connections endpoint with botocore's apigatewaymanagementapi client, as in AWS."""
from __future__ import annotations

import json
import os
import time
from typing import Any
from unittest import mock

import jwt
import pytest
from websockets.exceptions import ConnectionClosed, InvalidStatus
from websockets.sync.client import ClientConnection, connect

from app import app
from chalicelib.aws.connections import management_api
from chalicelib.core import clock
from chalicelib.core.events import DomainEvent
from chalicelib.core.ids import new_id
from chalicelib.core.settings import get_settings
from chalicelib.localdev.websocket_server import LocalWebSocketApi
from chalicelib.platform.event_consumers import websocket_notifications
from chalicelib.platform.services.signing_keys import get_key_ring
from chalicelib.platform.tables.connections import ConnectionModel, open_connection

WAIT_SECONDS = 5
# The environment the session's settings were read from (tests/conftest.py), before any
# chalice.test.Client adds a stage's variables to it.
SESSION_ENVIRONMENT = dict(os.environ)


def read_settings(**extra: str) -> None:
    """Read the settings again, from the session's environment plus `extra`."""
    get_settings.cache_clear()
    with mock.patch.dict(os.environ, {**SESSION_ENVIRONMENT, **extra}, clear=True):
        get_settings()


@pytest.fixture
def websocket_api(aws):
    """The local WebSocket API, with the app's fan-out posting to its @connections endpoint."""
    with LocalWebSocketApi(app) as server:
        read_settings(WEBSOCKET_MANAGEMENT_ENDPOINT=server.management_endpoint)
        try:
            yield server
        finally:
            read_settings()


def open_socket(server: LocalWebSocketApi, token: str, **query: str) -> ClientConnection:
    params = "&".join(f"{key}={value}" for key, value in {"token": token, **query}.items())
    return connect(f"{server.url}/?{params}", open_timeout=WAIT_SECONDS)


def frame(socket: ClientConnection) -> dict[str, Any]:
    return json.loads(socket.recv(timeout=WAIT_SECONDS))


def frames_until_pong(socket: ClientConnection) -> list[dict[str, Any]]:
    """Every frame the socket holds before the pong answering a fresh ping: the server posts in
    order, so what a fan-out sent before the ping arrives before its pong."""
    socket.send(json.dumps({"action": "ping"}))
    received = []
    while (current := frame(socket))["type"] != "pong":
        received.append(current)
    return received


def deliver(server: LocalWebSocketApi, *events: DomainEvent) -> None:
    """As the stream consumer does: the WebSocket consumer of the event consumer list."""
    websocket_notifications()(list(events))


def event(org_id: str, type_: str = "lead.created", subject_id: str | None = None, **data: Any) -> DomainEvent:
    subject_type = type_.split(".")[0]
    return DomainEvent(
        id=new_id(), type=type_, org_id=org_id, actor="someone", subject_type=subject_type,
        subject_id=subject_id or new_id(), occurred_at=clock.isoformat(clock.now()),
        data={"changes": {"name": {"from": None, "to": "Secret Name"}, "status": {"from": None, "to": "new"}}, **data},
    )


def refused_status(server: LocalWebSocketApi, url_suffix: str = "", **options: Any) -> int:
    with pytest.raises(InvalidStatus) as refused:
        connect(f"{server.url}/{url_suffix}", open_timeout=WAIT_SECONDS, **options)
    return refused.value.response.status_code


def signed(claims: dict[str, Any]) -> str:
    ring = get_key_ring()
    return jwt.encode(claims, ring.private_key, algorithm="ES256", headers={"kid": ring.kid})


def test_connect_without_a_valid_token_is_refused(websocket_api, owner):
    good = jwt.decode(owner.access_token, options={"verify_signature": False})
    now = int(time.time())
    expired = signed({**good, "iat": now - 3600, "nbf": now - 3600, "exp": now - 600})
    other_audience = signed({**good, "aud": "another-api"})
    assert refused_status(websocket_api) == 401
    assert refused_status(websocket_api, "?token=") == 401
    assert refused_status(websocket_api, "?token=not.a.jwt") == 401
    assert refused_status(websocket_api, f"?token={expired}") == 401
    assert refused_status(websocket_api, f"?token={other_audience}") == 401
    assert refused_status(websocket_api, subprotocols=["zebros.v1", f"bearer.{other_audience}"]) == 401
    assert not list(ConnectionModel.scan())


def test_a_revoked_session_cannot_connect(websocket_api, api, owner):
    assert api.post("/v1/auth/logout", {"refresh_token": owner.refresh_token}, as_=owner).status in (200, 204)
    assert refused_status(websocket_api, f"?token={owner.access_token}") == 401


def test_the_token_may_come_as_a_subprotocol_and_is_never_logged(websocket_api, owner, capfd, caplog):
    with connect(websocket_api.url, subprotocols=["zebros.v1", f"bearer.{owner.access_token}"]) as socket:
        assert socket.subprotocol == "zebros.v1"
        assert frames_until_pong(socket) == []
    with open_socket(websocket_api, owner.access_token) as socket:
        assert frames_until_pong(socket) == []
    output = "".join(capfd.readouterr()) + "".join(str(vars(record)) for record in caplog.records)
    assert "websocket connected" in output
    assert owner.access_token not in output and owner.access_token.split(".")[2] not in output


def test_ping_pong_and_bad_messages_get_error_frames_without_closing(websocket_api, owner):
    with open_socket(websocket_api, owner.access_token) as socket:
        socket.send(json.dumps({"action": "ping"}))
        assert frame(socket) == {"type": "pong"}
        for bad, code in [("not json", "malformed"), ("[1]", "malformed"), ('{"action": "dance"}', "unknown_action"),
                          ('{"action": "subscribe"}', "malformed"), ('{"action": "subscribe", "topic": "x"}', "unknown_topic"),
                          ("x" * 5000, "malformed")]:
            socket.send(bad)
            answer = frame(socket)
            assert answer["type"] == "error" and answer["code"] == code and answer["message"]
        assert frames_until_pong(socket) == []


def test_an_event_reaches_its_organization_only_and_carries_no_field_values(websocket_api, login_as):
    owner_a, owner_b = login_as("owner"), login_as("owner")
    viewer_a = login_as("viewer", org_of=owner_a)
    with open_socket(websocket_api, owner_a.access_token) as a, open_socket(websocket_api, viewer_a.access_token) as va, \
            open_socket(websocket_api, owner_b.access_token) as b:
        created = event(owner_a.org_id)
        deliver(websocket_api, created)
        expected = {"id": created.id, "type": "lead.created", "subject_type": "lead", "subject_id": created.subject_id,
                    "actor": "someone", "occurred_at": created.occurred_at, "changed": ["name", "status"]}
        assert frames_until_pong(a) == [expected]
        assert frames_until_pong(va) == [expected]
        assert frames_until_pong(b) == []
        assert "Secret Name" not in json.dumps(expected)


def test_a_role_without_read_permission_hears_nothing_of_that_kind(websocket_api, api, owner, login_as):
    role = api.post("/v1/roles", {"name": "Lead desk", "permissions": ["leads:read"]}, as_=owner).json
    clerk = login_as("member", org_of=owner)
    assert api.put(f"/v1/users/{clerk.user_id}/role", {"role": role["id"]}, as_=owner).status == 200
    token = api.login(clerk.email).json["access_token"]
    with open_socket(websocket_api, token) as socket:
        socket.send(json.dumps({"action": "subscribe", "topic": "deals"}))
        assert frame(socket)["code"] == "forbidden"
        lead, deal = event(owner.org_id, "lead.created"), event(owner.org_id, "deal.updated")
        deliver(websocket_api, deal, lead)
        assert [received["id"] for received in frames_until_pong(socket)] == [lead.id]


def test_subscriptions_narrow_and_addressed_events_reach_their_recipients(websocket_api, owner, login_as):
    member = login_as("member", org_of=owner)
    deal_id = new_id()
    with open_socket(websocket_api, owner.access_token) as watcher, open_socket(websocket_api, member.access_token) as other:
        watcher.send(json.dumps({"action": "subscribe", "topic": f"deal:{deal_id}"}))
        assert frame(watcher) == {"type": "subscribed", "topic": f"deal:{deal_id}"}
        mine, elsewhere, lead = event(owner.org_id, "deal.updated", deal_id), event(owner.org_id, "deal.updated"), \
            event(owner.org_id)
        task = event(owner.org_id, "task.assigned", recipients=[member.user_id])
        task = DomainEvent(**{**task.__dict__, "subject_type": "activity"})
        deliver(websocket_api, mine, elsewhere, lead, task)
        assert [received["id"] for received in frames_until_pong(watcher)] == [mine.id]
        assert [received["id"] for received in frames_until_pong(other)] == [mine.id, elsewhere.id, lead.id, task.id]
        watcher.send(json.dumps({"action": "unsubscribe", "topic": f"deal:{deal_id}"}))
        assert frame(watcher) == {"type": "unsubscribed", "topic": f"deal:{deal_id}"}
        deliver(websocket_api, lead := event(owner.org_id))
        assert [received["id"] for received in frames_until_pong(watcher)] == [lead.id]


def test_a_gone_connection_is_deleted_and_only_it(websocket_api, owner):
    with open_socket(websocket_api, owner.access_token) as socket:
        frames_until_pong(socket)
        live = {item.connection_id for item in ConnectionModel.scan()}
        open_connection(ConnectionModel("stale-connection", org_id=owner.org_id, user_id=owner.user_id,
                                        role="owner", permissions={"leads:read"}, connected_at=clock.now()))
        created = event(owner.org_id)
        deliver(websocket_api, created)
        assert [received["id"] for received in frames_until_pong(socket)] == [created.id]
        assert {item.connection_id for item in ConnectionModel.scan()} == live


def test_a_duplicate_event_reaches_a_client_once(websocket_api, owner):
    with open_socket(websocket_api, owner.access_token) as socket:
        created = event(owner.org_id)
        deliver(websocket_api, created)
        deliver(websocket_api, created)
        assert [received["id"] for received in frames_until_pong(socket)] == [created.id]


def test_disconnect_forgets_the_connection(websocket_api, owner):
    with open_socket(websocket_api, owner.access_token) as socket:
        frames_until_pong(socket)
        assert len(list(ConnectionModel.scan())) == 1
    deadline = time.monotonic() + WAIT_SECONDS
    while list(ConnectionModel.scan()) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not list(ConnectionModel.scan())


def test_the_local_connections_endpoint_answers_gone_as_api_gateway_does(websocket_api, owner):
    client = management_api(websocket_api.management_endpoint).client
    with pytest.raises(client.exceptions.GoneException):
        client.post_to_connection(ConnectionId="nobody", Data=b"{}")
    with open_socket(websocket_api, owner.access_token) as socket:
        frames_until_pong(socket)
        connection_id = next(iter(ConnectionModel.scan())).connection_id
        assert "ConnectedAt" in client.get_connection(ConnectionId=connection_id)
        client.post_to_connection(ConnectionId=connection_id, Data=b'{"type":"hello"}')
        assert frame(socket) == {"type": "hello"}
        client.delete_connection(ConnectionId=connection_id)
        with pytest.raises(ConnectionClosed):
            socket.recv(timeout=WAIT_SECONDS)


def test_a_lead_created_over_http_reaches_the_socket_through_the_stream(websocket_api, api, owner, event_stream):
    with open_socket(websocket_api, owner.access_token) as socket:
        lead = api.post("/v1/leads", {"name": "Ada", "email": "ada@example.com"}, as_=owner)
        assert lead.status == 201, lead.body
        event_stream.drain()
        received = frames_until_pong(socket)
        assert [(item["type"], item["subject_id"]) for item in received] == [("lead.created", lead.json["id"])]
        assert received[0]["actor"] == owner.user_id and "Ada" not in json.dumps(received)


def test_a_reconnecting_client_gets_what_it_missed(websocket_api, api, owner, login_as, event_stream):
    other_org = login_as("owner")
    with open_socket(websocket_api, owner.access_token) as socket:
        assert api.post("/v1/leads", {"name": "Seen"}, as_=owner).status == 201
        event_stream.drain()
        last_seen = frames_until_pong(socket)[-1]["id"]
    missed = [api.post("/v1/leads", {"name": f"Missed {n}"}, as_=owner).json["id"] for n in range(2)]
    assert api.post("/v1/leads", {"name": "Not ours"}, as_=other_org).status == 201
    event_stream.drain()
    with open_socket(websocket_api, owner.access_token, since=last_seen) as socket:
        received = frames_until_pong(socket)
        assert [item.get("subject_id") for item in received[:-1]] == missed
        assert received[-1] == {"type": "replayed", "since": last_seen, "count": 2, "complete": True}
        assert frames_until_pong(socket) == []  # replayed once
