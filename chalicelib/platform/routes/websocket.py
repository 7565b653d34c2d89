"""The WebSocket API's three routes, registered by app.py (Chalice registers WebSocket handlers on
the app only: a blueprint's would not receive Chalice's event object).

Logs name the connection, organization and user, never the query string or headers: the access
token travels in one of them.
"""
from __future__ import annotations

from typing import Any

from chalicelib.core.errors import Unauthorized
from chalicelib.core.settings import get_settings
from chalicelib.observability import count, flush_metrics, logger


def on_connect(event: Any) -> dict[str, Any]:
    from chalicelib.platform.services import connections

    raw = event.to_dict()
    try:
        opened = connections.connect(event.connection_id, raw.get("queryStringParameters"), raw.get("headers"))
    except Unauthorized:
        count("WebSocketConnectRefused")
        logger.info("websocket connect refused", extra={"connection_id": event.connection_id, "status": 401})
        flush_metrics()
        return {"statusCode": 401}
    count("WebSocketConnected")
    logger.info("websocket connected",
                extra={"connection_id": event.connection_id, "org_id": opened.org_id, "user_id": opened.user_id})
    flush_metrics()
    headers = {"Sec-WebSocket-Protocol": opened.subprotocol} if opened.subprotocol else {}
    return {"statusCode": 200, "headers": headers}


def on_message(event: Any) -> dict[str, Any]:
    from chalicelib.aws.connections import ConnectionGone, management_api
    from chalicelib.platform.services import connections

    count("WebSocketMessageReceived")
    frames = connections.receive(event.connection_id, event.to_dict().get("body"))
    api = management_api(_management_endpoint(event))
    try:
        for frame in frames:
            api.post(event.connection_id, frame)
    except ConnectionGone:
        connections.disconnect(event.connection_id)
    finally:
        flush_metrics()
    return {"statusCode": 200}


def on_disconnect(event: Any) -> dict[str, Any]:
    from chalicelib.platform.services import connections

    connections.disconnect(event.connection_id)
    logger.info("websocket disconnected", extra={"connection_id": event.connection_id})
    return {"statusCode": 200}


def _management_endpoint(event: Any) -> str:
    """The stage's @connections URL: configured, or this API's own execute-api address."""
    from chalicelib.aws.connections import stage_endpoint

    settings = get_settings()
    context = event.to_dict()["requestContext"]
    return settings.websocket_management_endpoint or stage_endpoint(context["apiId"], context["stage"], settings.region)
