"""The CRM's consumers of domain events, after the platform's (chalicelib/platform/event_consumers.py;
app.py registers this module). Imported on the stream consumer's first batch, never by a request."""
from __future__ import annotations

from chalicelib.platform.event_consumers import Consumer, once


def event_consumers() -> list[Consumer]:
    from chalicelib.crm.marketing.services import automation_runs

    # Receipts spare a redelivered batch its reads; enrolment itself is idempotent on the event id.
    return [once("automations", automation_runs.consume)]
