"""Table `connections`: one item per open WebSocket connection, written at `$connect`.

Partition `connection_id` (what `$disconnect`, a message and a 410 name); `org_connections`
(org_id, connection_id) lists an organization's connections and `user_connections`
(`<org_id>#<user_id>`, connection_id) a user's, each one Query. A connection's topics live on its item
(`topics`), so a topic's or a record's subscribers are the organization's Query filtered on
`contains(topics, :topic)`: still one request. The item carries what targeting needs (user, role,
permissions from the verified token) so the fan-out reads nothing else. API Gateway closes a
connection after 2 hours; the TTL removes what a lost `$disconnect` left behind.
"""
from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta

from pynamodb.attributes import TTLAttribute, UnicodeAttribute, UnicodeSetAttribute, UTCDateTimeAttribute
from pynamodb.exceptions import DeleteError, UpdateError
from pynamodb.models import Model

from chalicelib.platform.tables.base import condition_failed, find, global_index, table_meta

# API Gateway's limit on a WebSocket connection's duration.
CONNECTION_LIFETIME = timedelta(hours=2)


class ConnectionModel(Model):
    Meta = table_meta("connections")

    connection_id = UnicodeAttribute(hash_key=True)
    org_id = UnicodeAttribute()
    user_id = UnicodeAttribute()
    user_key = UnicodeAttribute()
    role = UnicodeAttribute()
    # A custom role's permissions, as its token carried them (a built-in role's are fixed).
    permissions = UnicodeSetAttribute(null=True)
    # None: the organization's events the role may read (the default); else only these topics.
    topics = UnicodeSetAttribute(null=True)
    # Set by a reconnecting client (`since=<event id>`), replayed and cleared at its first message:
    # API Gateway accepts no message to a connection before its $connect has answered.
    replay_since = UnicodeAttribute(null=True)
    connected_at = UTCDateTimeAttribute()
    expires_at = TTLAttribute()

    org_connections = global_index("org_connections", "org_id", "connection_id")
    user_connections = global_index("user_connections", "user_key", "connection_id")


def user_key(org_id: str, user_id: str) -> str:
    return f"{org_id}#{user_id}"


def open_connection(connection: ConnectionModel) -> None:
    connection.user_key = user_key(connection.org_id, connection.user_id)
    connection.expires_at = connection.connected_at + CONNECTION_LIFETIME
    connection.save()


def find_connection(connection_id: str) -> ConnectionModel | None:
    return find(ConnectionModel, connection_id)


def close_connection(connection_id: str) -> None:
    try:
        ConnectionModel(connection_id).delete(condition=ConnectionModel.connection_id.exists())
    except DeleteError as error:
        if not condition_failed(error):
            raise


def subscribe(connection_id: str, topic: str) -> bool:
    """Add a topic; False when the connection is gone."""
    return _update(connection_id, ConnectionModel.topics.add({topic}))


def unsubscribe(connection_id: str, topic: str) -> bool:
    return _update(connection_id, ConnectionModel.topics.delete({topic}))


def take_replay_since(connection_id: str, since: str) -> bool:
    """Clear the pending `since` that was read; False when another message took it first."""
    try:
        ConnectionModel(connection_id).update(
            actions=[ConnectionModel.replay_since.remove()], condition=ConnectionModel.replay_since == since
        )
    except UpdateError as error:
        if condition_failed(error):
            return False
        raise
    return True


def _update(connection_id: str, action) -> bool:
    try:
        ConnectionModel(connection_id).update(actions=[action], condition=ConnectionModel.connection_id.exists())
    except UpdateError as error:
        if condition_failed(error):
            return False
        raise
    return True


def of_organization(org_id: str) -> Iterator[ConnectionModel]:
    return ConnectionModel.org_connections.query(org_id)


def of_user(org_id: str, user_id: str) -> Iterator[ConnectionModel]:
    return ConnectionModel.user_connections.query(user_key(org_id, user_id))


def is_expired(connection: ConnectionModel, now: datetime) -> bool:
    return connection.expires_at <= now
