"""What a reconnecting client missed: the events after its `since=<event id>`, from the event source
itself (the audit log, whose entries carry the events: platform/tables/audit_logs.py), filtered by
the same targeting and team visibility as the live fan-out.

Bounded in age and count: one Query of the organization's entries after `since`, at most
REPLAY_LIMIT entries, none older than REPLAY_WINDOW. A `replayed` frame closes the replay and says
whether it was complete; when it was not, the client reloads what it shows over the REST API.
"""
from __future__ import annotations

from datetime import timedelta

from chalicelib.core import clock
from chalicelib.core.ids import id_bound
from chalicelib.platform.services.event_visibility import EventVisibility
from chalicelib.platform.services.realtime import control_frame, event_frame, hears, listener_of
from chalicelib.platform.tables import audit_logs
from chalicelib.platform.tables.connections import ConnectionModel

REPLAY_WINDOW = timedelta(minutes=5)
REPLAY_LIMIT = 100


def missed_frames(connection: ConnectionModel, since: str) -> list[str]:
    oldest = id_bound(clock.now() - REPLAY_WINDOW, upper=False)
    since_entry = since.partition(".")[0]
    window_cut = since_entry < oldest
    entries = audit_logs.entries_from(connection.org_id, max(since_entry, oldest), REPLAY_LIMIT + 1)
    truncated = len(entries) > REPLAY_LIMIT
    listener = listener_of(connection)
    visibility = EventVisibility()
    frames = [
        event_frame(event)
        for entry in entries[:REPLAY_LIMIT]
        for event in audit_logs.entry_events(entry)
        if event.id > since and hears(listener, event) and visibility.narrow([listener], event)
    ]
    return [*frames, control_frame("replayed", since=since, count=len(frames), complete=not (truncated or window_cut))]
