"""The WebSocket API on a local port, for `make run` and the tests: API Gateway's part played locally.

Clients connect to ws://127.0.0.1:<port>; each opening handshake, message and close is handed, as
API Gateway's event, to the function Lambda would run for that route (the handler string Chalice
records, e.g. `app.websocket_connect`), so the same code decides. A `$connect` answering other than 200 refuses the
handshake with that status; the subprotocol it answers is the one the handshake selects.

Beside it, API Gateway's @connections management API on its own port (the `websockets` library
serves GET handshakes only): POST /@connections/{id} sends, DELETE closes, GET describes. An unknown
or closed connection answers 410 with `x-amzn-errortype: GoneException`, which is how botocore's
apigatewaymanagementapi client recognises GoneException. As in AWS, a connection is known only once
its `$connect` has answered.
"""
from __future__ import annotations

import asyncio
import base64
import importlib
import json
import logging
import os
import re
import threading
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from websockets.asyncio.server import ServerConnection, serve
from websockets.exceptions import ConnectionClosed

STAGE = "local"
API_ID = "local"
SEND_TIMEOUT_SECONDS = 5
_CONNECTION_PATH = re.compile(r"^(?:/[^/@]+)?/@connections/(?P<connection_id>[^/?]+)$")
# The library logs handshakes at INFO and failures with their request; only warnings and worse here.
_quiet_logger = logging.getLogger("zebros.localdev.websocket")
_quiet_logger.setLevel(logging.WARNING)


@dataclass
class _Client:
    connection: ServerConnection
    connected_at: datetime
    source_ip: str
    user_agent: str
    last_active_at: datetime = field(default_factory=lambda: datetime.now(timezone.utc))


class LocalWebSocketApi:
    """`with LocalWebSocketApi(app) as api:` serves `api.url` and `api.management_endpoint` until exit."""

    def __init__(self, app: Any, port: int = 0, management_port: int = 0) -> None:
        self._handlers = {route: _lambda_handler(config.handler_string) for route, config in app.websocket_handlers.items()}
        self._port = port
        self._clients: dict[str, _Client] = {}
        self._loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self._stop: asyncio.Event | None = None
        self._thread = threading.Thread(target=self._run, name="local-websocket", daemon=True)
        self._management = ThreadingHTTPServer(("127.0.0.1", management_port), self._management_handler())
        self._management.daemon_threads = True
        self._management_thread = threading.Thread(target=self._management.serve_forever, name="local-connections",
                                                   daemon=True)
        self.port = 0

    @property
    def url(self) -> str:
        return f"ws://127.0.0.1:{self.port}"

    @property
    def management_endpoint(self) -> str:
        return f"http://127.0.0.1:{self._management.server_address[1]}"

    def start(self) -> LocalWebSocketApi:
        self._management_thread.start()
        self._thread.start()
        if not self._ready.wait(10):
            raise RuntimeError("the local WebSocket server did not start")
        return self

    def stop(self) -> None:
        if self._stop is not None:
            self._loop.call_soon_threadsafe(self._stop.set)
        self._thread.join(10)
        self._management.shutdown()
        self._management.server_close()

    def __enter__(self) -> LocalWebSocketApi:
        return self.start()

    def __exit__(self, *exc_info: Any) -> None:
        self.stop()

    # The WebSocket side: runs on its own event loop in a thread.

    def _run(self) -> None:
        self._loop.run_until_complete(self._serve())

    async def _serve(self) -> None:
        self._stop = asyncio.Event()
        async with serve(self._session, "127.0.0.1", self._port, process_request=self._handshake,
                         select_subprotocol=lambda connection, offered: connection.chosen_subprotocol,
                         logger=_quiet_logger) as server:
            self.port = server.sockets[0].getsockname()[1]
            self._ready.set()
            await self._stop.wait()

    async def _handshake(self, connection: ServerConnection, request: Any) -> Any:
        connection.connection_id = base64.urlsafe_b64encode(os.urandom(12)).decode()
        connection.chosen_subprotocol = None
        split = urlsplit(request.path)
        headers = {name: ", ".join(request.headers.get_all(name)) for name in request.headers.keys()}
        event = self._event(connection.connection_id, "$connect", "CONNECT", headers=headers,
                            queryStringParameters=dict(parse_qsl(split.query)) or None)
        answer = await asyncio.to_thread(self._handlers["$connect"], event, None)
        status = answer.get("statusCode", 200)
        if status != 200:
            return connection.respond(status, "Forbidden\n" if status == 403 else "Unauthorized\n")
        connection.chosen_subprotocol = (answer.get("headers") or {}).get("Sec-WebSocket-Protocol")
        return None

    async def _session(self, connection: ServerConnection) -> None:
        connection_id = connection.connection_id
        remote = connection.remote_address
        self._clients[connection_id] = _Client(connection, datetime.now(timezone.utc), remote[0] if remote else "",
                                               connection.request.headers.get("User-Agent", ""))
        try:
            async for message in connection:
                self._clients[connection_id].last_active_at = datetime.now(timezone.utc)
                body = message if isinstance(message, str) else message.decode("utf-8", "replace")
                event = self._event(connection_id, "$default", "MESSAGE", body=body)
                try:
                    await asyncio.to_thread(self._handlers["$default"], event, None)
                except Exception:  # API Gateway keeps the connection when a route's function fails
                    _quiet_logger.exception("the $default handler failed")
        except ConnectionClosed:
            pass
        finally:
            self._clients.pop(connection_id, None)
            await asyncio.to_thread(self._handlers["$disconnect"],
                                    self._event(connection_id, "$disconnect", "DISCONNECT"), None)

    def _event(self, connection_id: str, route_key: str, event_type: str, **fields: Any) -> dict[str, Any]:
        return api_gateway_event(connection_id, route_key, event_type, f"127.0.0.1:{self.port}", **fields)

    # The @connections side: a plain HTTP server in threads, reaching the loop thread-safely.

    def _management_handler(self) -> type[BaseHTTPRequestHandler]:
        api = self

        class ConnectionsHandler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                data = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                client = self._client()
                if client is not None:
                    sent = api._deliver(client.connection.send(data.decode("utf-8", "replace")))
                    self._answer(200) if sent else self._gone()

            def do_DELETE(self) -> None:
                client = self._client()
                if client is not None:
                    self._answer(204) if api._deliver(client.connection.close()) else self._gone()

            def do_GET(self) -> None:
                client = self._client()
                if client is not None:
                    self._answer(200, {
                        "connectedAt": client.connected_at.isoformat(),
                        "lastActiveAt": client.last_active_at.isoformat(),
                        "identity": {"sourceIp": client.source_ip, "userAgent": client.user_agent},
                    })

            def _client(self) -> _Client | None:
                match = _CONNECTION_PATH.match(urlsplit(self.path).path)
                client = api._clients.get(match["connection_id"]) if match else None
                if client is None:
                    self._gone()
                return client

            def _gone(self) -> None:
                self._answer(410, {"message": None}, {"x-amzn-errortype": "GoneException"})

            def _answer(self, status: int, body: Any = None, headers: dict[str, str] | None = None) -> None:
                payload = json.dumps(body).encode() if body is not None else b""
                self.send_response(status)
                for name, value in {"Content-Type": "application/json", "Content-Length": str(len(payload)),
                                    "x-amzn-RequestId": str(uuid.uuid4()), **(headers or {})}.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, format: str, *args: Any) -> None:
                pass  # one line per frame sent would drown the API's log

        return ConnectionsHandler

    def _deliver(self, coroutine: Any) -> bool:
        """Run a send or close on the loop; False (answered 410 by the caller) if the peer has gone."""
        try:
            asyncio.run_coroutine_threadsafe(coroutine, self._loop).result(SEND_TIMEOUT_SECONDS)
            return True
        except ConnectionClosed:
            return False


def api_gateway_event(connection_id: str, route_key: str, event_type: str, domain_name: str,
                      **fields: Any) -> dict[str, Any]:
    """The event API Gateway gives a WebSocket route's function."""
    return {
        "requestContext": {
            "routeKey": route_key,
            "eventType": event_type,
            "connectionId": connection_id,
            "requestId": str(uuid.uuid4()),
            "domainName": domain_name,
            "stage": STAGE,
            "apiId": API_ID,
        },
        "isBase64Encoded": False,
        **fields,
    }


def _lambda_handler(handler_string: str) -> Any:
    module_name, _, function_name = handler_string.rpartition(".")
    return getattr(importlib.import_module(module_name), function_name)


def serve_in_background(app: Any, port: int) -> LocalWebSocketApi:
    """For `make run`: start (threads that end with the process), point the app's fan-out at the
    local @connections, say where it is."""
    from chalicelib.core.settings import get_settings

    api = LocalWebSocketApi(app, port).start()
    # Read by this process's fan-out and by chalice local's (its environment is copied from ours).
    os.environ["WEBSOCKET_MANAGEMENT_ENDPOINT"] = api.management_endpoint
    get_settings.cache_clear()
    print(f"WebSocket: {api.url}", flush=True)
    print(f"WebSocket @connections: {api.management_endpoint}", flush=True)
    return api
