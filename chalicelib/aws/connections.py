"""API Gateway's @connections API: send to, close and describe a WebSocket connection.

In AWS the endpoint is the WebSocket API's stage (`https://<api>.execute-api.<region>.amazonaws.com/<stage>`,
WEBSOCKET_MANAGEMENT_ENDPOINT, or derived from the connection's event); under `make run` and in the
tests it is the local server's (chalicelib/localdev/websocket_server.py), which answers the same way,
410 GoneException included.
"""
from __future__ import annotations

from functools import lru_cache
from typing import Any

# Threads of the fan-out share one client; botocore's default pool of 10 would queue them.
MAX_POOL_CONNECTIONS = 64


class ConnectionGone(Exception):
    """The connection is closed (API Gateway answers 410 GoneException)."""


class DeliveryRefused(Exception):
    """API Gateway refused the message for good (403, 413 ...): sending it again cannot succeed."""


# Answers worth another attempt: throttling and API Gateway's own failures.
_RETRYABLE_STATUS = frozenset({429, 500, 502, 503, 504})


class ManagementApi:
    def __init__(self, endpoint: str) -> None:
        from botocore.config import Config

        from chalicelib.aws.sessions import new_session

        # One attempt: the fan-out retries with its own backoff, and never a 410.
        config = Config(connect_timeout=0.5, read_timeout=2, max_pool_connections=MAX_POOL_CONNECTIONS,
                        retries={"mode": "standard", "total_max_attempts": 1})
        self.client = new_session().create_client("apigatewaymanagementapi", endpoint_url=endpoint, config=config)

    def post(self, connection_id: str, data: str) -> None:
        self._call("post_to_connection", ConnectionId=connection_id, Data=data.encode())

    def close(self, connection_id: str) -> None:
        self._call("delete_connection", ConnectionId=connection_id)

    def info(self, connection_id: str) -> dict[str, Any]:
        return self._call("get_connection", ConnectionId=connection_id)

    def _call(self, operation: str, **parameters: Any) -> Any:
        try:
            return getattr(self.client, operation)(**parameters)
        except self.client.exceptions.GoneException:
            raise ConnectionGone(parameters["ConnectionId"]) from None
        except self.client.exceptions.ClientError as error:
            if error.response.get("ResponseMetadata", {}).get("HTTPStatusCode") in _RETRYABLE_STATUS:
                raise
            raise DeliveryRefused(error.response.get("Error", {}).get("Code", "refused")) from None


@lru_cache(maxsize=None)
def management_api(endpoint: str) -> ManagementApi:
    return ManagementApi(endpoint)


def stage_endpoint(api_id: str, stage: str, region: str) -> str:
    return f"https://{api_id}.execute-api.{region}.amazonaws.com/{stage}"
