"""A WebSocket connection's life: `$connect` (authenticate, remember), its messages (subscribe,
unsubscribe, ping, and the replay a reconnecting client asked for), `$disconnect` (forget).

Answers to the client are returned as frames for the route to send: API Gateway's WebSocket
routes reply through @connections like any other message.
"""
from __future__ import annotations

from dataclasses import dataclass

from chalicelib.core import clock
from chalicelib.core.errors import Unauthorized
from chalicelib.platform.services.auth import authenticate
from chalicelib.platform.services.roles import is_built_in
from chalicelib.platform.services.realtime import (
    MAX_TOPICS,
    ProtocolError,
    check_topic,
    control_frame,
    error_frame,
    listener_of,
    parse_message,
    token_from,
)
from chalicelib.platform.tables import connections
from chalicelib.platform.tables.connections import ConnectionModel


@dataclass(frozen=True)
class Opened:
    org_id: str
    user_id: str
    subprotocol: str | None


def connect(connection_id: str, query: dict[str, str] | None, headers: dict[str, str] | None) -> Opened:
    """Authenticate `$connect` as the REST authorizer does (signature, issuer, audience, expiry, open
    session); Unauthorized otherwise, and nothing is written."""
    token, subprotocol = token_from(query, headers)
    if token is None:
        raise Unauthorized("Pass the access token as ?token= or the subprotocol bearer.<token>.")
    caller = authenticate(f"Bearer {token}")
    since = (query or {}).get("since") or None
    connections.open_connection(
        ConnectionModel(
            connection_id,
            org_id=caller.org_id,
            user_id=caller.user_id,
            role=caller.role,
            permissions=None if is_built_in(caller.role) else set(caller.permissions) or None,
            replay_since=since if since and since.isprintable() and len(since) <= 64 else None,
            connected_at=clock.now(),
        )
    )
    return Opened(caller.org_id, caller.user_id, subprotocol)


def receive(connection_id: str, body: str | None) -> list[str]:
    """The frames answering one client message (an error frame for a bad one, never a close)."""
    connection = connections.find_connection(connection_id)
    if connection is None:
        return [control_frame("error", code="gone", message="This connection is closed; connect again.")]
    frames = _replay(connection)
    try:
        frames.append(_answer(connection, body))
    except ProtocolError as error:
        frames.append(error_frame(error))
    return frames


def _answer(connection: ConnectionModel, body: str | None) -> str:
    message = parse_message(body)
    if message.action == "ping":
        return control_frame("pong")
    topic = check_topic(message.topic or "", listener_of(connection).permissions)
    if message.action == "subscribe":
        if topic not in (connection.topics or ()) and len(connection.topics or ()) >= MAX_TOPICS:
            raise ProtocolError("too_many_topics", f"A connection may subscribe to at most {MAX_TOPICS} topics.")
        connections.subscribe(connection.connection_id, topic)
        return control_frame("subscribed", topic=topic)
    connections.unsubscribe(connection.connection_id, topic)
    return control_frame("unsubscribed", topic=topic)


def _replay(connection: ConnectionModel) -> list[str]:
    if connection.replay_since is None:
        return []
    from chalicelib.platform.services.replay import missed_frames

    since = connection.replay_since
    return missed_frames(connection, since) if connections.take_replay_since(connection.connection_id, since) else []


def disconnect(connection_id: str) -> None:
    connections.close_connection(connection_id)
