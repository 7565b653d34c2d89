"""The WebSocket protocol and who hears what: client messages, topics, targeting and event frames.

A connection is opened with a verified access token; its user, organization, role and permissions
decide what it hears (see docs/api/realtime.md):
- an event reaches only connections of its organization whose role may read its kind
  (`deals:read` for `deal.*`); an unknown kind reaches nobody;
- an addressed event (`data.recipients`: task.assigned, meeting reminders) reaches its recipients'
  connections only;
- any other event reaches every such connection that has not subscribed (the default), and a
  subscribed connection when one of its topics matches: the kind (`deals`), the record
  (`deal:<id>`), or `me` when the user owns or is assigned the record.
So `lead.created` reaches the organization's lead readers, and `deal.*`/`opportunity.*` the owner
(a `me` subscriber), the subscribers of deals or that deal, and readers who narrowed nothing.
Frames carry ids, type, actor, time and the names of changed fields, never their values.
"""
from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from chalicelib.core.events import DomainEvent
from chalicelib.core.ids import can_be_key
from chalicelib.platform.services.roles import BUILT_IN_ROLES

SUBPROTOCOL = "zebros.v1"
# Browsers cannot set Authorization on a WebSocket: they offer the token as a second subprotocol.
TOKEN_SUBPROTOCOL_PREFIX = "bearer."
MAX_MESSAGE_BYTES = 4096
MAX_TOPICS = 50
ME = "me"

# The permission resource that guards each kind of record (a note or activity is read with its
# customer, a SKU with its product, a member with its campaign).
RESOURCE_OF_KIND = {
    "customer": "customers",
    "note": "customers",
    "activity": "customers",
    "lead": "leads",
    "contact": "contacts",
    "company": "companies",
    "opportunity": "opportunities",
    "deal": "deals",
    "product": "products",
    "campaign": "campaigns",
    "campaign_member": "campaigns",
    "email_template": "email_templates",
    "automation": "automations",
    "ticket": "tickets",
    "sla_policy": "sla_policies",
    "kb_article": "kb",
    "user": "users",
    "role": "roles",
    "settings": "settings",
    "custom_field": "custom_fields",
    "report": "reports",
    "job": "jobs",
}
_RESOURCES = frozenset(RESOURCE_OF_KIND.values())


@dataclass(frozen=True)
class Listener:
    """What targeting needs of one connection."""

    connection_id: str
    org_id: str
    user_id: str
    role: str
    permissions: frozenset[str]
    topics: frozenset[str]


def listener_of(connection: Any) -> Listener:
    """A connection item (platform/tables/connections.py) as targeting sees it. Only a custom role's
    permissions are stored on the item; a built-in role's are its fixed set."""
    return Listener(
        connection_id=connection.connection_id,
        org_id=connection.org_id,
        user_id=connection.user_id,
        role=connection.role,
        permissions=BUILT_IN_ROLES.get(connection.role) or frozenset(connection.permissions or ()),
        topics=frozenset(connection.topics or ()),
    )


class ProtocolError(Exception):
    """A client message the server cannot act on: answered with an error frame, connection kept."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class ClientMessage:
    action: str
    topic: str | None = None


def token_from(query: dict[str, str] | None, headers: dict[str, str] | None) -> tuple[str | None, str | None]:
    """(access token, subprotocol to answer with) from `?token=` or `Sec-WebSocket-Protocol`."""
    offered = [part.strip() for part in _header(headers, "sec-websocket-protocol").split(",") if part.strip()]
    from_protocol = next((p[len(TOKEN_SUBPROTOCOL_PREFIX):] for p in offered if p.startswith(TOKEN_SUBPROTOCOL_PREFIX)), None)
    chosen = SUBPROTOCOL if SUBPROTOCOL in offered else None
    token = (query or {}).get("token") or from_protocol
    return token or None, chosen


def _header(headers: dict[str, str] | None, name: str) -> str:
    return next((value for key, value in (headers or {}).items() if key.lower() == name), "") or ""


def parse_message(body: str | None) -> ClientMessage:
    if body is None or len(body.encode("utf-8", "replace")) > MAX_MESSAGE_BYTES:
        raise ProtocolError("malformed", f"Send a JSON object of at most {MAX_MESSAGE_BYTES} bytes.")
    try:
        message = json.loads(body)
    except ValueError:
        raise ProtocolError("malformed", "The message is not JSON.") from None
    if not isinstance(message, dict) or not isinstance(message.get("action"), str):
        raise ProtocolError("malformed", 'Send a JSON object with an "action": subscribe, unsubscribe or ping.')
    action = message["action"]
    if action == "ping":
        return ClientMessage(action)
    if action in ("subscribe", "unsubscribe"):
        topic = message.get("topic")
        if not isinstance(topic, str):
            raise ProtocolError("malformed", f'{action} needs a "topic": a kind such as "deals", a record such as '
                                             '"deal:<id>", or "me".')
        return ClientMessage(action, topic)
    raise ProtocolError("unknown_action", f"Unknown action {action[:40]!r}; use subscribe, unsubscribe or ping.")


def check_topic(topic: str, permissions: frozenset[str]) -> str:
    """The topic as stored, or ProtocolError when it names nothing or nothing the role may read."""
    if topic == ME:
        return topic
    kind, separator, record_id = topic.partition(":")
    resource = RESOURCE_OF_KIND.get(kind) if separator else (topic if topic in _RESOURCES else None)
    if resource is None or (separator and not (can_be_key(record_id, 200) and record_id.isprintable())):
        raise ProtocolError("unknown_topic", f"Unknown topic {topic[:60]!r}: use a kind (deals), a record (deal:<id>) "
                                             "or me.")
    if f"{resource}:read" not in permissions:
        raise ProtocolError("forbidden", f"This role may not read {resource}.")
    return topic


def recipients(event: DomainEvent) -> list[str] | None:
    addressed = event.data.get("recipients")
    return [user for user in addressed if isinstance(user, str)] if isinstance(addressed, list) else None


def hears(listener: Listener, event: DomainEvent) -> bool:
    resource = RESOURCE_OF_KIND.get(event.subject_type)
    if resource is None or listener.org_id != event.org_id or f"{resource}:read" not in listener.permissions:
        return False
    addressed = recipients(event)
    if addressed is not None:
        return listener.user_id in addressed
    if not listener.topics:
        return True
    if resource in listener.topics or f"{event.subject_type}:{event.subject_id}" in listener.topics:
        return True
    return ME in listener.topics and listener.user_id in _involved(event)


def _involved(event: DomainEvent) -> set[str]:
    """Users a record's event concerns: its owner or assignee, before and after the change."""
    users = set()
    changes = event.data.get("changes") or {}
    for field in ("owner", "assignee"):
        change = changes.get(field)
        if isinstance(change, dict):
            users.update(value for value in (change.get("from"), change.get("to")) if isinstance(value, str))
    return users


def event_frame(event: DomainEvent) -> str:
    changes = event.data.get("changes")
    frame: dict[str, Any] = {
        "id": event.id,
        "type": event.type,
        "subject_type": event.subject_type,
        "subject_id": event.subject_id,
        "actor": event.actor,
        "occurred_at": event.occurred_at,
        "changed": sorted(changes) if isinstance(changes, dict) else [],
    }
    # A job's progress is no record field: its figures are the news (platform/services/jobs.py).
    if event.type == "job.progress" and isinstance(event.data.get("progress"), dict):
        frame["progress"] = event.data["progress"]
    return json.dumps(frame, separators=(",", ":"))


def control_frame(frame_type: str, **fields: Any) -> str:
    return json.dumps({"type": frame_type, **fields}, separators=(",", ":"))


def error_frame(error: ProtocolError) -> str:
    return control_frame("error", code=error.code, message=error.message)


def audience(listeners: Iterable[Listener], event: DomainEvent) -> list[Listener]:
    return [listener for listener in listeners if hears(listener, event)]
