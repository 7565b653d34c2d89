"""DynamoDB calls per request, for every route of the app, by operation name.

Runs in a child process (`python -m tests.benchmarks.dynamodb_calls RESULT_PATH INPUT_PATH`)
against the moto server, through chalice.test.Client with real access tokens: the local gateway
runs the JWT authorizer on every request, as API Gateway does (the authorizer's answers are not
cached). Calls the authorizer makes are counted apart from the route's own, because in AWS the
authorizer is a separate function.

Every route in `app.app.routes` must be exercised by SCENARIO with the status it is expected to
answer; a route without a step is reported, and fails the run, so a new route cannot go unmeasured.
A step for a route the app does not declare (yet, or any more) is skipped and reported.
"""
from __future__ import annotations

import hashlib
import json
import logging
import re
import secrets
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable
from urllib.parse import urlencode

from tests.benchmarks import dynamodb_events
from tests.benchmarks.dynamodb_events import CallCounter
from tests.benchmarks.local_aws import child_main

PASSWORD = "correct horse battery staple"
NEW_PASSWORD = "a brand new passphrase 2"
API_KEY = "bench-api-key"
# An id of the shape new_id() mints that names nothing.
UNKNOWN_ID = "01ARZ3NDEKTSV4RRFFQ69G5FAV"
LOCAL_ENVIRONMENT = {"LOCAL_API_KEYS": API_KEY, "NOTIFIER": "log"}
AUTHORIZER_PHASE = "authorizer"
ROUTE_PHASE = "route"


def served_asset(name: str) -> str:
    """The docs asset's name as the /docs pages give it (with its digest)."""
    from chalicelib.platform.docs_ui import pages

    return pages.served_name(name)


@dataclass
class Step:
    """One request of the scenario. `variant` names a second request to an already listed route."""

    method: str
    route: str
    status: int
    request: Callable[[dict[str, Any]], dict[str, Any]]
    variant: str = ""
    after: Callable[[dict[str, Any], Any], None] = field(default=lambda state, body: None)


def _json(body: Any) -> bytes:
    return json.dumps(body).encode()


def response_body(response: Any) -> Any:
    """A step's answer as `after` sees it: decoded JSON, the text of another body (a page of /docs),
    or None without a body."""
    if not response.body:
        return None
    content_type = next((value for name, value in response.headers.items() if name.lower() == "content-type"), "")
    return json.loads(response.body) if "json" in content_type else response.body.decode()


def _this_month() -> dict[str, str]:
    from datetime import datetime, timezone

    today = datetime.now(timezone.utc).date()
    return {"from": today.replace(day=1).isoformat(), "to": today.isoformat()}


def _bearer(state: dict[str, Any], extra: dict[str, str] | None = None) -> dict[str, str]:
    return {"Authorization": f"Bearer {state['access_token']}", "Content-Type": "application/json", **(extra or {})}


def _remember(**names: str) -> Callable[[dict[str, Any], Any], None]:
    """Keep fields of the response body (state name -> body key) for later steps."""

    def after(state: dict[str, Any], body: Any) -> None:
        for state_name, body_key in names.items():
            value = body
            for part in body_key.split("."):
                value = value[part]
            state[state_name] = value

    return after


def _sync_push(state: dict[str, Any]) -> dict[str, Any]:
    from chalicelib.core.ids import new_id

    return {
        "client_id": "bench-phone",
        "changes": [
            {"change_id": new_id(), "kind": "customers", "id": new_id(), "op": "create", "fields": {"name": "Offline"}},
            {
                "change_id": new_id(), "kind": "customers", "id": state["second_customer_id"], "op": "update",
                "base_version": 1, "fields": {"phone": "+1 555 0100"},
            },
        ],
    }


def _me(state: dict[str, Any]) -> str:
    """The caller's user id, from its access token's claims."""
    import base64

    claims = state["access_token"].split(".")[1]
    return json.loads(base64.urlsafe_b64decode(claims + "=" * (-len(claims) % 4)))["sub"]


def _teams_steps() -> list[Step]:
    """/v1/teams: create, list, get, PATCH; the caller joins as lead, members listed, leaves; DELETE."""
    team = lambda s: {"team_id": s["team_id"]}  # noqa: E731
    member = lambda s: {"team_id": s["team_id"], "user_id": _me(s)}  # noqa: E731
    return [
        Step("POST", "/v1/teams", 201, lambda s: {"headers": _bearer(s), "body": _json({"name": "Bench team"})},
             after=_remember(team_id="id")),
        Step("GET", "/v1/teams", 200, lambda s: {"headers": _bearer(s)}),
        Step("GET", "/v1/teams/{team_id}", 200, lambda s: {"headers": _bearer(s), "path": team(s)}),
        Step("PATCH", "/v1/teams/{team_id}", 200,
             lambda s: {"headers": _bearer(s, {"If-Match": '"1"'}), "path": team(s), "body": _json({"description": "Benches"})}),
        Step("PUT", "/v1/teams/{team_id}/members/{user_id}", 200,
             lambda s: {"headers": _bearer(s), "path": member(s), "body": _json({"lead": True})}),
        Step("GET", "/v1/teams/{team_id}/members", 200, lambda s: {"headers": _bearer(s), "path": team(s)}),
        Step("DELETE", "/v1/teams/{team_id}/members/{user_id}", 204, lambda s: {"headers": _bearer(s), "path": member(s)}),
        Step("DELETE", "/v1/teams/{team_id}", 204, lambda s: {"headers": _bearer(s), "path": team(s)}),
    ]


def _customer(number: int) -> bytes:
    return _json({"name": f"Customer {number}", "email": f"c{number}@example.com", "tags": ["vip"]})


def _searchable_steps(collection: str, id_name: str, first: dict[str, Any], second: dict[str, Any]) -> list[Step]:
    """Create (remembered as `id_name`), batch, list, get, PUT, PATCH, DELETE and restore."""
    one = f"{collection}/{{{id_name}}}"

    def path(s: dict[str, Any]) -> dict[str, str]:
        return {id_name: s[id_name]}

    return [
        Step("POST", collection, 201, lambda s: {"headers": _bearer(s), "body": _json(first)}, after=_remember(**{id_name: "id"})),
        Step("POST", f"{collection}/batch", 200, lambda s: {"headers": _bearer(s), "body": _json({"items": [first, second]})}),
        Step("GET", collection, 200, lambda s: {"headers": _bearer(s)}),
        Step("GET", one, 200, lambda s: {"headers": _bearer(s), "path": path(s)}),
        Step("PUT", one, 200, lambda s: {"headers": _bearer(s, {"If-Match": '"1"'}), "path": path(s), "body": _json(second)}),
        Step("PATCH", one, 200, lambda s: {"headers": _bearer(s, {"If-Match": '"2"'}), "path": path(s), "body": _json({"tags": ["b"]})}),
        Step("DELETE", one, 204, lambda s: {"headers": _bearer(s), "path": path(s)}),
        Step("POST", f"{one}/restore", 200, lambda s: {"headers": _bearer(s), "path": path(s)}),
    ]


# Contact management: leads (and their conversion), companies, contacts, custom fields, merge.
CONTACT_MANAGEMENT_STEPS: list[Step] = [
    *_searchable_steps("/v1/companies", "company_id", {"name": "Bench Co", "tags": ["a"]}, {"name": "Bench Co 2"}),
    *_searchable_steps("/v1/contacts", "contact_id", {"name": "Bench Person", "email": "p@bench.example"}, {"name": "P 2"}),
    Step(
        "PATCH",
        "/v1/contacts/{contact_id}",
        200,
        lambda s: {"headers": _bearer(s), "path": {"contact_id": s["contact_id"]}, "body": _json({"company_id": s["company_id"]})},
        variant="company link checked",
    ),
    Step(
        "GET",
        "/v1/companies/{company_id}/contacts",
        200,
        lambda s: {"headers": _bearer(s), "path": {"company_id": s["company_id"]}},
    ),
    *_searchable_steps("/v1/leads", "lead_id", {"name": "Bench Lead", "email": "l@bench.example"}, {"name": "Lead 2"}),
    Step(
        "POST",
        "/v1/leads/{lead_id}/convert",
        201,
        lambda s: {
            "headers": _bearer(s),
            "path": {"lead_id": s["lead_id"]},
            "body": _json({"create_opportunity": True, "opportunity_name": "Bench deal", "amount": 100}),
        },
        after=_remember(converted_customer_id="customer_id"),
    ),
    Step(
        "POST",
        "/v1/custom-fields",
        201,
        lambda s: {"headers": _bearer(s), "body": _json({"entity": "companies", "key": "size", "label": "Size", "type": "number"})},
        after=_remember(field_id="id"),
    ),
    Step(
        "POST",
        "/v1/custom-fields/batch",
        200,
        lambda s: {"headers": _bearer(s), "body": _json({"items": [{"entity": "leads", "key": "k", "label": "K", "type": "text"}]})},
    ),
    Step("GET", "/v1/custom-fields", 200, lambda s: {"headers": _bearer(s)}),
    Step("GET", "/v1/custom-fields/{field_id}", 200, lambda s: {"headers": _bearer(s), "path": {"field_id": s["field_id"]}}),
    Step(
        "PATCH",
        "/v1/custom-fields/{field_id}",
        200,
        lambda s: {"headers": _bearer(s), "path": {"field_id": s["field_id"]}, "body": _json({"label": "Headcount"})},
    ),
    Step(
        "POST",
        "/v1/companies",
        201,
        lambda s: {"headers": _bearer(s), "body": _json({"name": "Sized", "custom_fields": {"size": 10}})},
        variant="custom fields validated",
    ),
    Step("DELETE", "/v1/custom-fields/{field_id}", 204, lambda s: {"headers": _bearer(s), "path": {"field_id": s["field_id"]}}),
    Step(
        "POST",
        "/v1/custom-fields/{field_id}/restore",
        200,
        lambda s: {"headers": _bearer(s), "path": {"field_id": s["field_id"]}},
    ),
    Step(
        "POST",
        "/v1/customers/merge",
        200,
        lambda s: {
            "headers": _bearer(s),
            "body": _json({"target_id": s["customer_id"], "source_ids": [s["converted_customer_id"]]}),
        },
    ),
]


def _notes_and_activities_steps() -> list[Step]:
    """/v1/notes and /v1/activities: create, list (each index of the activity filters), get,
    PATCH, DELETE and restore."""

    def call(
        id_name: str | None = None, body_of: Callable[[dict[str, Any]], Any] | None = None,
        headers: dict[str, str] | None = None, query: Callable[[dict[str, Any]], dict[str, str]] | None = None,
    ) -> Callable[[dict[str, Any]], dict[str, Any]]:
        def request(s: dict[str, Any]) -> dict[str, Any]:
            built: dict[str, Any] = {"headers": _bearer(s, headers)}
            if id_name is not None:
                built["path"] = {id_name: s[id_name]}
            if body_of is not None:
                built["body"] = _json(body_of(s))
            if query is not None:
                built["query"] = query(s)
            return built

        return request

    week = {"due_after": "2030-01-01T00:00:00Z", "due_before": "2030-01-08T00:00:00Z"}
    task = lambda s: {"customer_id": s["customer_id"], "type": "task", "subject": "Send the quote",  # noqa: E731
                      "due_at": "2030-01-02T09:00:00Z"}
    return [
        Step("POST", "/v1/notes", 201, call(body_of=lambda s: {"customer_id": s["customer_id"], "body": "Met at the fair."}),
             after=_remember(note_id="id")),
        Step("GET", "/v1/notes", 200, call()),
        Step("GET", "/v1/notes", 200, call(query=lambda s: {"customer_id": s["customer_id"], "author": "me"}), variant="by customer"),
        Step("GET", "/v1/notes/{note_id}", 200, call("note_id")),
        Step("PATCH", "/v1/notes/{note_id}", 200, call("note_id", lambda s: {"body": "Met at the fair, twice."},
                                                      {"If-Match": '"1"'})),
        Step("DELETE", "/v1/notes/{note_id}", 204, call("note_id")),
        Step("POST", "/v1/notes/{note_id}/restore", 200, call("note_id")),
        Step("POST", "/v1/activities", 201, call(body_of=task), after=_remember(activity_id="id")),
        Step("GET", "/v1/activities", 200, call()),
        Step("GET", "/v1/activities", 200, call(query=lambda s: {"assignee": "me", "status": "open"}), variant="task list"),
        Step("GET", "/v1/activities", 200, call(query=lambda s: {"type": "meeting", "status": "open", **week}),
             variant="meetings due this week"),
        Step("GET", "/v1/activities", 200, call(query=lambda s: {"status": "open"}), variant="by status"),
        Step("GET", "/v1/activities", 200, call(query=lambda s: week), variant="by due range"),
        Step("GET", "/v1/activities", 200, call(query=lambda s: {"customer_id": s["customer_id"]}), variant="by customer"),
        Step("GET", "/v1/activities/{activity_id}", 200, call("activity_id")),
        Step("PATCH", "/v1/activities/{activity_id}", 200,
             call("activity_id", lambda s: {"status": "done", "due_at": "2030-01-03T09:00:00Z"}, {"If-Match": '"1"'})),
        Step("DELETE", "/v1/activities/{activity_id}", 204, call("activity_id")),
        Step("POST", "/v1/activities/{activity_id}/restore", 200, call("activity_id")),
    ]


def _upload_file(state: dict[str, Any], created: Any) -> None:
    """Keep the file's id and upload its bytes through the presigned POST, as a browser does, so
    the file's read confirms the upload (HEAD, then the status update) and signs a download."""
    import requests

    state["file_id"] = created["id"]
    upload = created["upload"]
    sent = requests.post(upload["url"], data=upload["fields"], files={"file": ("a.txt", FILE_BYTES)}, timeout=10)
    if sent.status_code != 204:
        raise RuntimeError(f"the presigned upload was refused: {sent.status_code} {sent.text[:300]}")


FILE_BYTES = b"bench"


def _files_steps() -> list[Step]:
    """/v1/files on a customer: create (and upload), list the record's files, read (confirming the
    upload), delete."""
    file_path = lambda s: {"headers": _bearer(s), "path": {"file_id": s["file_id"]}}  # noqa: E731
    body = lambda s: {"name": "a.txt", "content_type": "text/plain", "size": len(FILE_BYTES),  # noqa: E731
                      "record_type": "customers", "record_id": s["customer_id"]}
    return [
        Step("POST", "/v1/files", 201, lambda s: {"headers": _bearer(s), "body": _json(body(s))}, after=_upload_file),
        Step("GET", "/v1/files", 200,
             lambda s: {"headers": _bearer(s), "query": {"record_type": "customers", "record_id": s["customer_id"]}}),
        Step("GET", "/v1/files/{file_id}", 200, file_path),
        Step("DELETE", "/v1/files/{file_id}", 204, file_path),
    ]


def _storyverse_stories_steps() -> list[Step]:
    """StoryVerse stories: a family's universe and character (create, list with the catalogue, get,
    PUT, PATCH, DELETE, restore), a child's story naming them (the same, its reference checks in the
    create's transaction), its public link made, read without authentication and revoked."""
    steps: list[Step] = [
        Step("POST", "/v1/children", 201, lambda s: {"headers": _bearer(s), "body": _json({"name": "Bench child", "age_band": "7_12"})},
             variant="a story's child", after=_remember(story_child_id="id")),
    ]  # fmt: skip
    for collection, one in (("/v1/universes", "universe_id"), ("/v1/characters", "character_id")):
        path = lambda s, one=one: {one: s[one]}  # noqa: E731
        record = f"{collection}/{{{one}}}"
        steps += [
            Step("POST", collection, 201, lambda s: {"headers": _bearer(s), "body": _json({"name": "Bench place"})},
                 after=_remember(**{one: "id"})),
            Step("GET", collection, 200, lambda s: {"headers": _bearer(s)}),
            Step("GET", record, 200, lambda s, path=path: {"headers": _bearer(s), "path": path(s)}),
            Step("PUT", record, 200, lambda s, path=path: {"headers": _bearer(s, {"If-Match": '"1"'}), "path": path(s),
                                                            "body": _json({"name": "Bench place 2"})}),
            Step("PATCH", record, 200, lambda s, path=path: {"headers": _bearer(s), "path": path(s),
                                                              "body": _json({"description": "Quiet."})}),
            Step("DELETE", record, 204, lambda s, path=path: {"headers": _bearer(s), "path": path(s)}),
            Step("POST", f"{record}/restore", 200, lambda s, path=path: {"headers": _bearer(s), "path": path(s)}),
        ]  # fmt: skip
    story = lambda s: {"story_id": s["story_id"]}  # noqa: E731
    body = lambda s: {"title": "Bench story", "child_id": s["story_child_id"], "universe_id": s["universe_id"],  # noqa: E731
                      "character_ids": [s["character_id"], "builtin-pip-the-fox"], "pages": [{"text": "Once upon a time."}]}
    return [
        *steps,
        Step("POST", "/v1/stories", 201, lambda s: {"headers": _bearer(s), "body": _json(body(s))},
             after=_remember(story_id="id")),
        Step("GET", "/v1/stories", 200, lambda s: {"headers": _bearer(s)}),
        Step("GET", "/v1/stories", 200, lambda s: {"headers": _bearer(s), "query": {"child_id": s["story_child_id"]}},
             variant="one child's"),
        Step("GET", "/v1/stories/{story_id}", 200, lambda s: {"headers": _bearer(s), "path": story(s)}),
        Step("PUT", "/v1/stories/{story_id}", 200,
             lambda s: {"headers": _bearer(s, {"If-Match": '"1"'}), "path": story(s), "body": _json(body(s))}),
        Step("PATCH", "/v1/stories/{story_id}", 200,
             lambda s: {"headers": _bearer(s), "path": story(s), "body": _json({"status": "complete"})}),
        Step("POST", "/v1/stories/{story_id}/share", 201, lambda s: {"headers": _bearer(s), "path": story(s)},
             after=_remember(share_token="token")),
        Step("GET", "/v1/shared/stories/{token}", 200, lambda s: {"path": {"token": s["share_token"]}}),
        Step("DELETE", "/v1/stories/{story_id}/share", 200, lambda s: {"headers": _bearer(s), "path": story(s)}),
        Step("DELETE", "/v1/stories/{story_id}", 204, lambda s: {"headers": _bearer(s), "path": story(s)}),
        Step("POST", "/v1/stories/{story_id}/restore", 200, lambda s: {"headers": _bearer(s), "path": story(s)}),
    ]  # fmt: skip


def _marketing_support_steps() -> list[Step]:
    """Campaigns (members, conversion, analytics), email templates, SLA policies, tickets, kb."""

    def with_id(name: str, extra: dict[str, str] | None = None) -> Callable[[dict[str, Any]], dict[str, str]]:
        return lambda s: {name: s[name], **(extra or {})}

    def call(path: Callable[[dict[str, Any]], dict[str, str]] | None = None, body: Any = None, headers: dict[str, str] | None = None,
             body_of: Callable[[dict[str, Any]], Any] | None = None) -> Callable[[dict[str, Any]], dict[str, Any]]:
        def request(s: dict[str, Any]) -> dict[str, Any]:
            built: dict[str, Any] = {"headers": _bearer(s, headers)}
            if path is not None:
                built["path"] = path(s)
            if body_of is not None:
                built["body"] = _json(body_of(s))
            elif body is not None:
                built["body"] = _json(body)
            return built

        return request

    campaign = with_id("campaign_id")
    member = lambda s: {"campaign_id": s["campaign_id"], "member_id": s["customer_id"]}  # noqa: E731
    template = with_id("template_id")
    ticket = with_id("ticket_id")
    article = with_id("article_id")
    policy = lambda s: {"priority": "urgent"}  # noqa: E731
    new_campaign = {"name": "Bench campaign", "channel": "email"}
    new_template = {"name": "Bench", "subject": "Hi {{name}}", "body": "Hello {{name}}"}
    automation = with_id("automation_id")

    def new_automation(s: dict[str, Any]) -> dict[str, Any]:
        return {"name": "Bench automation", "trigger": {"event": "lead.created", "conditions": [
            {"field": "source", "operator": "equals", "value": "web"}]}, "steps": [
            {"type": "wait", "seconds": 60}, {"type": "send_email", "template_id": s["template_id"]},
            {"type": "create_task", "subject": "Call", "due_in_seconds": 3600}]}
    new_policy = {"priority": "urgent", "first_response_minutes": 15, "resolution_minutes": 120}
    new_article = {"title": "Bench article", "body": "Text", "tags": ["bench"]}
    return [
        Step("POST", "/v1/campaigns", 201, call(body=new_campaign), after=_remember(campaign_id="id")),
        Step("POST", "/v1/campaigns/batch", 200, call(body={"items": [new_campaign]})),
        Step("GET", "/v1/campaigns", 200, call()),
        Step("GET", "/v1/campaigns/{campaign_id}", 200, call(campaign)),
        Step("PUT", "/v1/campaigns/{campaign_id}", 200, call(campaign, {**new_campaign, "name": "Bench 2"}, {"If-Match": '"1"'})),
        Step("PATCH", "/v1/campaigns/{campaign_id}", 200, call(campaign, {"status": "active"})),
        Step("POST", "/v1/campaigns/{campaign_id}/members", 201,
             call(campaign, body_of=lambda s: {"member_type": "customer", "member_id": s["customer_id"]})),
        Step("GET", "/v1/campaigns/{campaign_id}/members", 200, call(campaign)),
        Step("GET", "/v1/campaigns/{campaign_id}/members/{member_id}", 200, call(member)),
        Step("POST", "/v1/campaigns/{campaign_id}/members/{member_id}/convert", 200, call(member)),
        Step("GET", "/v1/campaigns/{campaign_id}/analytics", 200, call(campaign)),
        Step("DELETE", "/v1/campaigns/{campaign_id}/members/{member_id}", 204, call(member)),
        Step("DELETE", "/v1/campaigns/{campaign_id}", 204, call(campaign)),
        Step("POST", "/v1/campaigns/{campaign_id}/restore", 200, call(campaign)),
        Step("POST", "/v1/email-templates", 201, call(body=new_template), after=_remember(template_id="id")),
        Step("POST", "/v1/email-templates/batch", 200, call(body={"items": [new_template]})),
        Step("GET", "/v1/email-templates", 200, call()),
        Step("GET", "/v1/email-templates/{template_id}", 200, call(template)),
        Step("PUT", "/v1/email-templates/{template_id}", 200, call(template, new_template, {"If-Match": '"1"'})),
        Step("PATCH", "/v1/email-templates/{template_id}", 200, call(template, {"name": "Bench 2"})),
        Step("POST", "/v1/email-templates/{template_id}/render", 200, call(template, {"values": {"name": "Ada"}})),
        Step("DELETE", "/v1/email-templates/{template_id}", 204, call(template)),
        Step("POST", "/v1/email-templates/{template_id}/restore", 200, call(template)),
        Step("POST", "/v1/automations", 201, call(body_of=new_automation), after=_remember(automation_id="id")),
        Step("GET", "/v1/automations", 200, call()),
        Step("GET", "/v1/automations/{automation_id}", 200, call(automation)),
        Step("PUT", "/v1/automations/{automation_id}", 200, call(automation, headers={"If-Match": '"1"'}, body_of=new_automation)),
        Step("PATCH", "/v1/automations/{automation_id}", 200, call(automation, {"name": "Bench automation 2"})),
        Step("POST", "/v1/automations/{automation_id}/resume", 200, call(automation)),
        Step("POST", "/v1/automations/{automation_id}/pause", 200, call(automation)),
        Step("GET", "/v1/automations/{automation_id}/runs", 200, call(automation)),
        # Runs start from the event stream, which the scenario does not run: an unknown run is one GetItem.
        Step("GET", "/v1/automations/{automation_id}/runs/{run_id}", 404, call(with_id("automation_id", {"run_id": UNKNOWN_ID}))),
        Step("DELETE", "/v1/automations/{automation_id}", 204, call(automation)),
        Step("POST", "/v1/automations/{automation_id}/restore", 200, call(automation)),
        Step("POST", "/v1/sla-policies", 201, call(body=new_policy)),
        Step("GET", "/v1/sla-policies", 200, call()),
        Step("GET", "/v1/sla-policies/{priority}", 200, call(policy)),
        Step("PUT", "/v1/sla-policies/{priority}", 200,
             call(policy, {"first_response_minutes": 10, "resolution_minutes": 60}, {"If-Match": '"1"'})),
        Step("PATCH", "/v1/sla-policies/{priority}", 200, call(policy, {"name": "Urgent"})),
        Step("POST", "/v1/tickets", 201,
             call(body_of=lambda s: {"subject": "Bench", "priority": "urgent", "customer_id": s["customer_id"]}),
             after=_remember(ticket_id="id")),
        Step("POST", "/v1/tickets/batch", 200, call(body={"items": [{"subject": "Bench 2"}]})),
        Step("GET", "/v1/tickets", 200, call()),
        Step("GET", "/v1/tickets/{ticket_id}", 200, call(ticket)),
        Step("PUT", "/v1/tickets/{ticket_id}", 200, call(ticket, {"subject": "Bench", "priority": "high"}, {"If-Match": '"1"'})),
        Step("PATCH", "/v1/tickets/{ticket_id}", 200, call(ticket, {"status": "pending"})),
        Step("DELETE", "/v1/tickets/{ticket_id}", 204, call(ticket)),
        Step("POST", "/v1/tickets/{ticket_id}/restore", 200, call(ticket)),
        Step("DELETE", "/v1/sla-policies/{priority}", 204, call(policy)),
        Step("POST", "/v1/kb/articles", 201, call(body=new_article), after=_remember(article_id="id")),
        Step("GET", "/v1/kb/articles", 200, call()),
        Step("GET", "/v1/kb/articles/{article_id}", 200, call(article)),
        Step("PUT", "/v1/kb/articles/{article_id}", 200, call(article, new_article, {"If-Match": '"1"'})),
        Step("PATCH", "/v1/kb/articles/{article_id}", 200, call(article, {"title": "Bench title"})),
        Step("POST", "/v1/kb/articles/{article_id}/publish", 200, call(article)),
        Step("DELETE", "/v1/kb/articles/{article_id}", 204, call(article)),
        Step("POST", "/v1/kb/articles/{article_id}/restore", 200, call(article)),
    ]


MARKETING_SUPPORT_STEPS = _marketing_support_steps()


def _sales_steps() -> list[Step]:
    """Opportunities (stage moves), products and price books, deals, the forecast."""

    def call(path_of: Callable[[dict[str, Any]], dict[str, str]] | None = None, body_of: Callable[[dict[str, Any]], Any] | None = None,
             headers: dict[str, str] | None = None) -> Callable[[dict[str, Any]], dict[str, Any]]:
        def request(s: dict[str, Any]) -> dict[str, Any]:
            built: dict[str, Any] = {"headers": _bearer(s, headers)}
            if path_of is not None:
                built["path"] = path_of(s)
            if body_of is not None:
                built["body"] = _json(body_of(s))
            return built

        return request

    opportunity = lambda s: {"opportunity_id": s["opportunity_id"]}  # noqa: E731
    product = lambda s: {"product_id": s["product_id"]}  # noqa: E731
    price = lambda s: {"product_id": s["product_id"], "currency": "EUR"}  # noqa: E731
    deal = lambda s: {"deal_id": s["deal_id"]}  # noqa: E731
    new_opportunity = {"name": "Bench deal", "amount": 1000, "close_date": "2026-06-30"}
    new_product = {"name": "Bench seat", "sku": "BENCH-1", "prices": [{"currency": "USD", "list_price": 10, "unit_price": 9}]}
    new_deal = lambda s: {"name": "Bench deal", "customer_id": s["customer_id"], "currency": "USD",  # noqa: E731
                          "line_items": [{"product_id": s["product_id"], "quantity": 2}]}
    return [
        Step("POST", "/v1/opportunities", 201, call(body_of=lambda s: new_opportunity), after=_remember(opportunity_id="id")),
        Step("POST", "/v1/opportunities/batch", 200, call(body_of=lambda s: {"items": [new_opportunity]})),
        Step("GET", "/v1/opportunities", 200, call()),
        Step("GET", "/v1/opportunities/{opportunity_id}", 200, call(opportunity)),
        Step("PUT", "/v1/opportunities/{opportunity_id}", 200,
             call(opportunity, lambda s: {**new_opportunity, "name": "Bench deal 2"}, {"If-Match": '"1"'})),
        Step("PATCH", "/v1/opportunities/{opportunity_id}", 200, call(opportunity, lambda s: {"amount": 2000}, {"If-Match": '"2"'})),
        Step("PUT", "/v1/opportunities/{opportunity_id}/stage", 200, call(opportunity, lambda s: {"stage": "qualified"})),
        Step("PUT", "/v1/opportunities/{opportunity_id}/stage", 409, call(opportunity, lambda s: {"stage": "closed_won"}),
             variant="illegal move"),
        Step("PUT", "/v1/opportunities/{opportunity_id}/stage", 200,
             call(opportunity, lambda s: {"stage": "closed_lost", "reason": "Bench"}), variant="closed lost"),
        Step("PATCH", "/v1/opportunities/{opportunity_id}", 409, call(opportunity, lambda s: {"amount": 1}),
             variant="closed is read-only"),
        Step("POST", "/v1/opportunities/{opportunity_id}/reopen", 200, call(opportunity)),
        Step("DELETE", "/v1/opportunities/{opportunity_id}", 204, call(opportunity)),
        Step("POST", "/v1/opportunities/{opportunity_id}/restore", 200, call(opportunity)),
        Step("GET", "/v1/forecast", 200, call()),
        Step("POST", "/v1/products", 201, call(body_of=lambda s: new_product), after=_remember(product_id="id")),
        Step("POST", "/v1/products/batch", 200, call(body_of=lambda s: {"items": [{"name": "Other", "sku": "BENCH-2"}]})),
        Step("GET", "/v1/products", 200, call()),
        Step("GET", "/v1/products/{product_id}", 200, call(product)),
        Step("PUT", "/v1/products/{product_id}", 200, call(product, lambda s: {**new_product, "name": "Bench seat 2"}, {"If-Match": '"1"'})),
        Step("PATCH", "/v1/products/{product_id}", 200, call(product, lambda s: {"description": "Per seat"}, {"If-Match": '"2"'})),
        Step("PUT", "/v1/products/{product_id}/prices/{currency}", 200,
             call(price, lambda s: {"list_price": 9, "unit_price": 8})),
        Step("GET", "/v1/products/{product_id}/prices", 200, call(product)),
        Step("DELETE", "/v1/products/{product_id}/prices/{currency}", 204, call(price)),
        Step("POST", "/v1/deals", 201, call(body_of=new_deal), after=_remember(deal_id="id")),
        Step("POST", "/v1/deals/batch", 200, call(body_of=lambda s: {"items": [new_deal(s)]})),
        Step("GET", "/v1/deals", 200, call()),
        Step("GET", "/v1/deals/{deal_id}", 200, call(deal)),
        Step("PUT", "/v1/deals/{deal_id}", 200, call(deal, lambda s: {**new_deal(s), "name": "Bench deal 2"}, {"If-Match": '"1"'})),
        Step("PATCH", "/v1/deals/{deal_id}", 200, call(deal, lambda s: {"status": "won"}, {"If-Match": '"2"'})),
        Step("GET", "/v1/customers/{customer_id}/deals", 200, call()),
        Step("GET", "/v1/customers/{customer_id}/opportunities", 200, call()),
        Step("GET", "/v1/customers/{customer_id}/contacts", 200, call()),
        Step("DELETE", "/v1/deals/{deal_id}", 409, call(deal), variant="closed is read-only"),
        Step("POST", "/v1/deals/{deal_id}/reopen", 200, call(deal)),
        Step("DELETE", "/v1/deals/{deal_id}", 204, call(deal)),
        Step("POST", "/v1/deals/{deal_id}/restore", 200, call(deal)),
        Step("DELETE", "/v1/products/{product_id}", 204, call(product)),
        Step("POST", "/v1/products/{product_id}/restore", 200, call(product)),
    ]


SALES_STEPS = _sales_steps()


def _export_request(state: dict[str, Any]) -> dict[str, Any]:
    """POST /v1/exports starts an execution of the export machine: wherever the scenario runs (moto
    in process or its server), the machine and the bucket exist first (created once, not run)."""
    from chalicelib.localdev.stepfunctions import prepare_local_jobs

    prepare_local_jobs()
    body = {"resource": "customers", "filters": {"status": "active"}, "format": "csv", "fields": ["id", "name"]}
    return {"headers": _bearer(state), "body": _json(body)}


def _generation_request(body: Callable[[dict[str, Any]], dict[str, Any]]) -> Callable[[dict[str, Any]], dict[str, Any]]:
    """A StoryVerse generation request on a story of the family's child with one written page:
    the child and the story are stored once, outside the measured request, and the generation
    machines exist where the scenario runs (its executions start, nothing runs them)."""

    def request(state: dict[str, Any]) -> dict[str, Any]:
        from chalicelib.core.ids import new_id
        from chalicelib.localdev.stepfunctions import prepare_local_jobs
        from chalicelib.storyverse.families.tables.children import ChildModel, children
        from chalicelib.storyverse.stories.tables.stories import Page, StoryModel, stories

        if "generation_story_id" not in state:
            prepare_local_jobs()
            actor = _me(state)
            child = children.insert(ChildModel(state["org_id"], new_id(), name="Mia", age_band="under_7"), actor)
            story = StoryModel(state["org_id"], new_id(), title="Bench bedtime", child_id=child.child_id, status="draft",
                               sharing="private", pages=[Page(text="Pip sailed to the island at night.")])  # fmt: skip
            stories.insert(story, actor)
            state["generation_story_id"] = story.story_id
        return {"headers": _bearer(state), "body": _json({"story_id": state["generation_story_id"], **body(state)})}

    return request


def _generation_steps() -> list[Step]:
    """StoryVerse generation: each kind queued (202), and a prompt the child's age band refuses (422)."""
    return [
        Step("POST", "/v1/generate/text", 202, _generation_request(lambda s: {"prompt": "a picnic by the sea"})),
        Step("POST", "/v1/generate/text", 422, _generation_request(lambda s: {"prompt": "a zombie with a knife"}),
             variant="prompt refused for the age band"),
        Step("POST", "/v1/generate/image", 202, _generation_request(lambda s: {"page": 0})),
        Step("POST", "/v1/generate/audio", 202, _generation_request(lambda s: {"page": 0})),
    ]  # fmt: skip


def _signup(organization: str) -> Callable[[dict[str, Any]], dict[str, Any]]:
    return lambda s: {
        "body": _json({"email": s["email"], "password": PASSWORD, "name": "Owner", "organization": organization})
    }


def _reports_steps() -> list[Step]:
    """Custom report definitions (and their runs, as jobs)."""

    def call(body: Any = None, headers: dict[str, str] | None = None, with_id: bool = True) -> Callable[[dict[str, Any]], dict[str, Any]]:
        def request(s: dict[str, Any]) -> dict[str, Any]:
            built: dict[str, Any] = {"headers": _bearer(s, headers)}
            if with_id:
                built["path"] = {"report_id": s["report_id"]}
            if body is not None:
                built["body"] = _json(body)
            return built

        return request

    report = {
        "name": "Bench report", "resource": "opportunities", "group_by": [{"field": "stage"}, {"field": "created_at", "bucket": "month"}],
        "measures": [{"function": "count"}, {"function": "sum", "field": "amount"}],
    }  # fmt: skip
    return [
        Step("POST", "/v1/reports", 201, call(report, with_id=False), after=_remember(report_id="id")),
        Step("POST", "/v1/reports/batch", 200, call({"items": [report]}, with_id=False)),
        Step("GET", "/v1/reports", 200, call(with_id=False)),
        Step("GET", "/v1/reports/{report_id}", 200, call()),
        Step("PUT", "/v1/reports/{report_id}", 200, call(report, {"If-Match": '"1"'})),
        Step("PATCH", "/v1/reports/{report_id}", 200,
             call({"name": "Bench report 2", "schedule": {"frequency": "weekly", "day": "monday", "time": "08:00"}})),
        Step("GET", "/v1/reports/{report_id}/results", 404, call()),
        Step("POST", "/v1/reports/{report_id}/run", 202, call()),
        Step("DELETE", "/v1/reports/{report_id}", 204, call()),
        Step("POST", "/v1/reports/{report_id}/restore", 200, call()),
    ]


def _children_steps() -> list[Step]:
    """StoryVerse families: a child's profile, PIN and device token; the child signs in both ways
    (its session authorized like any other), the parent revokes the device and the sessions."""
    pin = "4821"

    def call(body: Any = None, headers: dict[str, str] | None = None, **path: str) -> Callable[[dict[str, Any]], dict[str, Any]]:
        def request(s: dict[str, Any]) -> dict[str, Any]:
            built: dict[str, Any] = {"headers": _bearer(s, headers), "path": {name: s[key] for name, key in path.items()}}
            if body is not None:
                built["body"] = _json(body)
            return built

        return request

    child = {"child_id": "child_id"}
    as_child = lambda s: {"headers": {"Authorization": f"Bearer {s['child_access_token']}"}}  # noqa: E731
    pin_login = lambda given: lambda s: {"body": _json({"organization_id": s["org_id"], "child_id": s["child_id"], "pin": given})}  # noqa: E731
    return [
        Step("POST", "/v1/children", 201, call({"name": "Bench child", "age_band": "7_12"}), after=_remember(child_id="id")),
        Step("GET", "/v1/children", 200, call()),
        Step("GET", "/v1/children/{child_id}", 200, call(**child)),
        Step("PATCH", "/v1/children/{child_id}", 200, call({"avatar": "fox"}, {"If-Match": '"1"'}, **child)),
        Step("PUT", "/v1/children/{child_id}/pin", 204, call({"pin": pin}, **child)),
        Step("POST", "/v1/auth/child-login", 200, pin_login(pin), after=_remember(child_access_token="access_token")),
        Step("POST", "/v1/auth/child-login", 401, pin_login("9051"), variant="wrong PIN"),
        Step("GET", "/v1/jobs", 200, as_child, variant="child session"),
        Step("POST", "/v1/children/{child_id}/devices", 201, call({"name": "Bench tablet"}, **child),
             after=_remember(device_id="id", device_token="device_token")),
        Step("GET", "/v1/children/{child_id}/devices", 200, call(**child)),
        Step("POST", "/v1/auth/device-login", 200, lambda s: {"body": _json({"device_token": s["device_token"]})}),
        Step("DELETE", "/v1/children/{child_id}/devices/{device_id}", 204, call(child_id="child_id", device_id="device_id")),
        Step("POST", "/v1/children/{child_id}/sessions/revoke", 204, call(**child)),
        Step("GET", "/v1/jobs", 401, as_child, variant="child session revoked"),
        Step("DELETE", "/v1/children/{child_id}/pin", 204, call(**child)),
        Step("DELETE", "/v1/children/{child_id}", 204, call(**child)),
        Step("POST", "/v1/children/{child_id}/restore", 200, call(**child)),
    ]  # fmt: skip


SCENARIO: list[Step] = [
    Step("POST", "/v1/auth/register", 202, _signup("Bench")),
    Step("POST", "/v1/auth/register/confirm", 201, lambda s: {"body": _json({"token": s["signup_token"]})}),
    Step("POST", "/v1/auth/register", 202, _signup("Bench Two"), variant="email with a login"),
    Step(
        "POST",
        "/v1/auth/register/confirm",
        400,
        lambda s: {"body": _json({"token": s["signup_token"], "password": "not the password at all"})},
        variant="wrong password",
    ),
    Step(
        "POST",
        "/v1/auth/register/confirm",
        201,
        lambda s: {"body": _json({"token": s["signup_token"], "password": PASSWORD})},
        variant="email with a login",
    ),
    Step(
        "POST",
        "/v1/auth/login",
        200,
        lambda s: {"body": _json({"email": s["email"], "password": PASSWORD})},
        after=_remember(access_token="access_token", refresh_token="refresh_token", org_id="organization_id"),
    ),
    Step(
        "POST",
        "/v1/auth/login",
        401,
        lambda s: {"body": _json({"email": s["email"], "password": "not the password at all"})},
        variant="wrong password",
    ),
    Step("GET", "/v1/me/organizations", 200, lambda s: {"headers": _bearer(s)}),
    Step(
        "POST",
        "/v1/auth/switch-organization",
        200,
        lambda s: {"headers": _bearer(s), "body": _json({"organization_id": s["org_id"]})},
    ),
    Step(
        "POST",
        "/v1/auth/switch-organization",
        404,
        lambda s: {"headers": _bearer(s), "body": _json({"organization_id": "01J0000000000000000000000Z"})},
        variant="not a member",
    ),
    Step("GET", "/v1/health", 200, lambda s: {}),
    Step("GET", "/docs", 200, lambda s: {}),
    Step("GET", "/docs/errors", 200, lambda s: {}),
    Step("GET", "/docs/versions", 200, lambda s: {}),
    Step("GET", "/graphql", 200, lambda s: {}),
    Step("GET", "/docs/assets/{name}", 200, lambda s: {"path": {"name": served_asset("graphiql.min.js")}}, variant="GraphiQL"),
    Step("GET", "/docs/assets/{name}", 200, lambda s: {"path": {"name": served_asset("docs.css")}}),
    Step("GET", "/docs/assets/{name}", 404, lambda s: {"path": {"name": "unknown.js"}}, variant="unknown asset"),
    Step("GET", "/.well-known/jwks.json", 200, lambda s: {}),
    Step("GET", "/.well-known/openid-configuration", 200, lambda s: {}),
    Step("GET", "/v1/auth/userinfo", 200, lambda s: {"headers": _bearer(s)}),
    Step(
        "POST",
        "/v1/auth/token",
        200,
        lambda s: {"headers": {"Content-Type": "application/x-www-form-urlencoded"},
                   "body": urlencode({"grant_type": "password", "username": s["email"], "password": PASSWORD}).encode()},
    ),  # fmt: skip
    Step(
        "POST",
        "/v1/auth/token",
        401,
        lambda s: {"headers": {"Content-Type": "application/x-www-form-urlencoded"},
                   "body": urlencode({"grant_type": "password", "username": s["email"], "password": "not the password"}).encode()},
        variant="wrong password",
    ),  # fmt: skip
    Step("GET", "/v1/openapi.json", 200, lambda s: {}),
    Step(
        "POST",
        "/api/abc/hello",
        200,
        lambda s: {"headers": {"x-api-key": API_KEY}, "body": _json({"name": "bench"})},
    ),
    Step(
        "POST",
        "/v1/customers",
        201,
        lambda s: {"headers": _bearer(s), "body": _customer(1)},
        after=_remember(customer_id="id"),
    ),
    Step(
        "POST",
        "/v1/customers",
        201,
        lambda s: {"headers": _bearer(s, {"Idempotency-Key": s["idempotency_key"]}), "body": _customer(2)},
        variant="Idempotency-Key, first",
        after=_remember(second_customer_id="id"),
    ),
    Step(
        "POST",
        "/v1/customers",
        201,
        lambda s: {"headers": _bearer(s, {"Idempotency-Key": s["idempotency_key"]}), "body": _customer(2)},
        variant="Idempotency-Key, replayed",
    ),
    Step(
        "POST",
        "/v1/customers/batch",
        200,
        lambda s: {"headers": _bearer(s), "body": _json({"items": [{"name": "Batch One"}, {"name": "Batch Two"}]})},
    ),
    Step("GET", "/v1/customers", 200, lambda s: {"headers": _bearer(s)}),
    Step(
        "GET",
        "/v1/customers",
        200,
        lambda s: {"headers": _bearer(s), "query": {"sort": "name", "status": "churned", "limit": "1"}},
        variant="a filter that drops every record, limit=1",
    ),
    Step(
        "GET",
        "/v1/customers",
        200,
        lambda s: {"headers": _bearer(s), "query": {"q": "zz", "limit": "1"}},
        variant="q matching nothing, limit=1",
    ),
    Step("GET", "/v1/customers/{customer_id}", 200, lambda s: {"headers": _bearer(s)}),
    Step(
        "GET",
        "/v1/customers/{customer_id}",
        404,
        lambda s: {"headers": _bearer(s), "path": {"customer_id": "0" * 26}},
        variant="unknown id",
    ),
    Step(
        "PUT",
        "/v1/customers/{customer_id}",
        200,
        lambda s: {"headers": _bearer(s, {"If-Match": '"1"'}), "body": _customer(3)},
    ),
    Step(
        "PATCH",
        "/v1/customers/{customer_id}",
        200,
        lambda s: {
            "headers": _bearer(s, {"If-Match": '"2"', "Content-Type": "application/merge-patch+json"}),
            "body": _json({"company": "Example Trading"}),
        },
    ),
    Step(
        "PATCH",
        "/v1/customers/{customer_id}",
        412,
        lambda s: {
            "headers": _bearer(s, {"If-Match": '"1"', "Content-Type": "application/merge-patch+json"}),
            "body": _json({"company": "Stale"}),
        },
        variant="stale If-Match",
    ),
    Step(
        "POST",
        "/v1/customers/{customer_id}/notes",
        201,
        lambda s: {"headers": _bearer(s), "body": _json({"body": "Called, wants a demo."})},
    ),
    Step("GET", "/v1/customers/{customer_id}/notes", 200, lambda s: {"headers": _bearer(s)}),
    Step(
        "POST",
        "/v1/customers/{customer_id}/activities",
        201,
        lambda s: {"headers": _bearer(s), "body": _json({"type": "call", "subject": "Intro call"})},
    ),
    Step("GET", "/v1/customers/{customer_id}/activities", 200, lambda s: {"headers": _bearer(s)}),
    *_notes_and_activities_steps(),
    *_files_steps(),
    Step(
        "DELETE",
        "/v1/customers/{customer_id}",
        204,
        lambda s: {"headers": _bearer(s), "path": {"customer_id": s["second_customer_id"]}},
    ),
    Step(
        "POST",
        "/v1/customers/{customer_id}/restore",
        200,
        lambda s: {"headers": _bearer(s), "path": {"customer_id": s["second_customer_id"]}},
    ),
    Step(
        "GET",
        "/v1/sync",
        200,
        lambda s: {"headers": _bearer(s), "query": {"kinds": "customers,contacts,leads", "limit": "100"}},
        after=_remember(sync_cursor="next_cursor"),
    ),
    # An offline client's push: a create under its own id, and an update based on version 1 of a
    # record since deleted and restored (the merge: a 412, a read, the history Query, the write).
    Step("POST", "/v1/sync", 200, lambda s: {"headers": _bearer(s), "body": _json(_sync_push(s))}),
    *CONTACT_MANAGEMENT_STEPS,
    *MARKETING_SUPPORT_STEPS,
    *SALES_STEPS,
    Step(
        "GET",
        "/v1/sync",
        200,
        lambda s: {"headers": _bearer(s), "query": {"since": s["sync_cursor"], "limit": "10"}},
        variant="10 changes since a cursor",
    ),
    Step("GET", "/v1/audit-logs", 200, lambda s: {"headers": _bearer(s)}),
    # The month's metered batches above: one Query of the organization's counters.
    Step("GET", "/v1/usage", 200, lambda s: {"headers": _bearer(s), "query": _this_month()}),
    # Jobs: an export queued (its execution started in the local Step Functions), read, listed, cancelled.
    Step("POST", "/v1/exports", 202, _export_request, after=_remember(job_id="id")),
    Step("GET", "/v1/jobs", 200, lambda s: {"headers": _bearer(s)}),
    Step("GET", "/v1/jobs/{job_id}", 200, lambda s: {"headers": _bearer(s), "path": {"job_id": s["job_id"]}}),
    Step("POST", "/v1/jobs/{job_id}/cancel", 200, lambda s: {"headers": _bearer(s), "path": {"job_id": s["job_id"]}}),
    *_generation_steps(),
    Step("GET", "/v1/settings", 200, lambda s: {"headers": _bearer(s)}),
    Step(
        "PUT",
        "/v1/settings",
        200,
        lambda s: {"headers": _bearer(s, {"If-Match": '"0"'}), "body": _json({"currency": "EUR"})},
    ),
    Step(
        "PATCH",
        "/v1/settings",
        200,
        lambda s: {"headers": _bearer(s), "body": _json({"stage_probabilities": {"lead": 15}})},
    ),
    *_teams_steps(),
    Step("GET", "/v1/dashboard", 200, lambda s: {"headers": _bearer(s)}),
    *_reports_steps(),
    *_children_steps(),
    *_storyverse_stories_steps(),
    Step(
        "POST",
        "/v1/roles",
        201,
        lambda s: {"headers": _bearer(s), "body": _json({"name": "Bench role", "permissions": ["customers:read"]})},
        after=_remember(role_id="id"),
    ),
    Step("GET", "/v1/roles", 200, lambda s: {"headers": _bearer(s)}),
    Step("GET", "/v1/roles/{role_id}", 200, lambda s: {"headers": _bearer(s), "path": {"role_id": s["role_id"]}}),
    Step(
        "PUT",
        "/v1/roles/{role_id}",
        200,
        lambda s: {
            "headers": _bearer(s, {"If-Match": '"1"'}),
            "path": {"role_id": s["role_id"]},
            "body": _json({"name": "Bench role 2", "permissions": ["customers:read", "tickets:read"]}),
        },
    ),
    Step(
        "PATCH",
        "/v1/roles/{role_id}",
        200,
        lambda s: {"headers": _bearer(s), "path": {"role_id": s["role_id"]}, "body": _json({"description": "Bench"})},
    ),
    Step(
        "POST",
        "/v1/users/invite",
        201,
        lambda s: {
            "headers": _bearer(s),
            "body": _json({"email": f"invitee.{s['email']}", "name": "Invitee", "role": s["role_id"]}),
        },
        after=_remember(invited_user_id="id"),
    ),
    Step("GET", "/v1/users", 200, lambda s: {"headers": _bearer(s)}),
    Step(
        "GET", "/v1/users/{user_id}", 200, lambda s: {"headers": _bearer(s), "path": {"user_id": s["invited_user_id"]}}
    ),
    Step(
        "POST",
        "/v1/auth/invitations/accept",
        200,
        lambda s: {"body": _json({"token": s["invitation_token"], "password": NEW_PASSWORD})},
    ),
    Step(
        "PUT",
        "/v1/users/{user_id}/role",
        200,
        lambda s: {"headers": _bearer(s), "path": {"user_id": s["invited_user_id"]}, "body": _json({"role": "viewer"})},
    ),
    Step(
        "POST",
        "/v1/users/{user_id}/deactivate",
        200,
        lambda s: {"headers": _bearer(s), "path": {"user_id": s["invited_user_id"]}},
    ),
    Step(
        "POST",
        "/v1/users/{user_id}/reactivate",
        200,
        lambda s: {"headers": _bearer(s), "path": {"user_id": s["invited_user_id"]}},
    ),
    Step("DELETE", "/v1/roles/{role_id}", 204, lambda s: {"headers": _bearer(s), "path": {"role_id": s["role_id"]}}),
    Step(
        "POST",
        "/v1/api-keys",
        201,
        lambda s: {"headers": _bearer(s), "body": _json({"name": "Bench key", "permissions": ["customers:read"]})},
        after=_remember(api_key_id="id", api_key="key"),
    ),
    Step("GET", "/v1/api-keys", 200, lambda s: {"headers": _bearer(s)}),
    Step("GET", "/v1/api-keys/{key_id}", 200, lambda s: {"headers": _bearer(s), "path": {"key_id": s["api_key_id"]}}),
    # A request authenticated by an organization's API key: the authorizer finds it by its hash,
    # the route confirms it is still active (and records its use). Sent as `Authorization: ApiKey`,
    # which reaches the authorizer in AWS too (x-api-key does only through the local gateway).
    Step("GET", "/v1/customers", 200, lambda s: {"headers": {"Authorization": f"ApiKey {s['api_key']}"}}, variant="api key"),
    Step("DELETE", "/v1/api-keys/{key_id}", 204, lambda s: {"headers": _bearer(s), "path": {"key_id": s["api_key_id"]}}),
    Step("GET", "/v1/customers", 401, lambda s: {"headers": {"Authorization": f"ApiKey {s['api_key']}"}}, variant="revoked api key"),
    Step(
        "POST",
        "/v1/auth/refresh",
        200,
        lambda s: {"body": _json({"refresh_token": s["refresh_token"]})},
        after=_remember(access_token="access_token", refresh_token="refresh_token"),
    ),
    Step("POST", "/v1/auth/logout", 204, lambda s: {"headers": _bearer(s)}),
    Step("POST", "/v1/auth/password/forgot", 202, lambda s: {"body": _json({"email": s["email"]})}),
    Step(
        "POST",
        "/v1/auth/password/reset",
        204,
        lambda s: {"body": _json({"token": s["reset_token"], "password": NEW_PASSWORD})},
    ),
]


class ResetTokenCatcher(logging.Handler):
    """The local notifier logs reset, invitation and sign-up tokens; the scenario reads them from the log record."""

    def __init__(self, state: dict[str, Any]) -> None:
        super().__init__()
        self.state = state

    def emit(self, record: logging.LogRecord) -> None:
        token = getattr(record, "reset_token", None)
        if token:
            self.state["reset_token"] = token
        invitation = getattr(record, "invitation_token", None)
        if invitation:
            self.state["invitation_token"] = invitation
        signup = getattr(record, "signup_token", None)
        if signup:
            self.state["signup_token"] = signup


# API versions (chalicelib/platform/routes/versions.py): contact management's routes answer on /v2
# and unversioned too. Their v1 steps run again, once under /v2 and once unversioned with
# `Zebros-Version: 2`, with the person names of their bodies in v2's shape, before the session ends.
_VERSIONED = ("/v1/customers", "/v1/leads", "/v1/contacts", "/v1/companies", "/v1/notes", "/v1/activities")
_NOT_VERSIONED = ("/v1/customers/{customer_id}/deals", "/v1/customers/{customer_id}/opportunities")
_PERSON_BODIES = re.compile(r"/v1/(customers|leads|contacts)(/batch|/\{[a-z_]+\})?")


def _in_version_2(step: Step, unversioned: bool) -> Step:
    rest = step.route.removeprefix("/v1")
    route, headers = (rest, {"Zebros-Version": "2"}) if unversioned else (f"/v2{rest}", {})
    person = _PERSON_BODIES.fullmatch(step.route) is not None

    def request(s: dict[str, Any]) -> dict[str, Any]:
        built = step.request(s)
        built["headers"] = {**built.get("headers", {}), **headers}
        if person and built.get("body"):
            built["body"] = _json(_v2_names(json.loads(built["body"])))
        return built

    return Step(step.method, route, step.status, request, step.variant, step.after)


def _v2_names(body: Any) -> Any:
    if isinstance(body, dict) and isinstance(body.get("items"), list):
        return {**body, "items": [_v2_names(item) for item in body["items"]]}
    if isinstance(body, dict) and isinstance(body.get("name"), str):
        return {**body, "name": {"family": body["name"]}}
    return body


_V1_STEPS = [
    step for step in SCENARIO
    if step.route.startswith(_VERSIONED) and step.route not in _NOT_VERSIONED and not step.variant
]
_AFTER_SALES = SCENARIO.index(SALES_STEPS[-1]) + 1
SCENARIO[_AFTER_SALES:_AFTER_SALES] = [
    _in_version_2(step, unversioned) for unversioned in (False, True) for step in _V1_STEPS
]
SCENARIO.insert(_AFTER_SALES, Step("GET", "/v2/openapi.json", 200, lambda s: {}))


def _graphql_steps() -> list[Step]:
    """The customer screen (six REST calls) as one GraphQL request, posted and persisted."""
    screen = (Path(__file__).resolve().parents[2] / "chalicelib" / "crm" / "graphql" / "customer_screen.graphql").read_text()
    digest = hashlib.sha256(screen.encode()).hexdigest()
    persisted = {"extensions": json.dumps({"persistedQuery": {"version": 1, "sha256Hash": digest}})}

    def post(query: str, **variables: Any) -> Callable[[dict[str, Any]], dict[str, Any]]:
        return lambda s: {"headers": _bearer(s), "body": _json({"query": query, "variables": {
            name: s[value] for name, value in variables.items()}})}  # fmt: skip

    return [
        Step("POST", "/v1/graphql", 200, post(screen, id="customer_id")),
        Step("POST", "/v1/graphql", 400, post("{ customer(id: "), variant="unparseable"),
        Step("POST", "/v1/graphql", 200, post('mutation { create_contact(input: {name: "Graph Person"}) { id version } }'),
             variant="mutation"),
        Step("GET", "/v1/graphql", 200, lambda s: {"headers": _bearer(s), "query": {
            **persisted, "variables": json.dumps({"id": s["customer_id"]})}}),
    ]  # fmt: skip


SCENARIO[_AFTER_SALES:_AFTER_SALES] = _graphql_steps()


def _count_authorizer_apart(counter: CallCounter) -> None:
    """Mark calls made while the local gateway runs the authorizer."""
    from chalice import local

    authorize = local.LocalGatewayAuthorizer.authorize

    def counted_authorize(self: Any, *args: Any, **kwargs: Any) -> Any:
        phase, counter.phase = counter.phase, AUTHORIZER_PHASE
        try:
            return authorize(self, *args, **kwargs)
        finally:
            counter.phase = phase

    local.LocalGatewayAuthorizer.authorize = counted_authorize


def create_job_state_machines() -> None:
    """The jobs' state machines (infra/state-machines/) in the AWS at hand, so a route that starts a
    job (a report run) answers 202 there; whether the execution then runs is that AWS's business."""
    import boto3

    from chalicelib.core.settings import get_settings
    from chalicelib.localdev.stepfunctions import create_state_machines

    settings = get_settings()
    create_state_machines(boto3.client("stepfunctions", region_name=settings.region), settings.table_prefix, settings.region)


def measure(inputs: dict[str, Any]) -> dict[str, Any]:
    create_job_state_machines()
    dynamodb_events.install()
    counter = CallCounter()

    import app as zebros
    from chalice.test import Client
    from chalicelib.observability import logger

    _count_authorizer_apart(counter)
    state: dict[str, Any] = {
        "email": f"owner-{secrets.token_hex(4)}@bench.example.com",
        "idempotency_key": secrets.token_hex(8),
    }
    logging.getLogger(logger.name).addHandler(ResetTokenCatcher(state))

    rows: list[dict[str, Any]] = []
    failures: list[str] = []
    skipped: list[str] = []
    exercised: set[tuple[str, str]] = set()
    declared = {(path, method) for path, methods in zebros.app.routes.items() for method in methods}
    with Client(zebros.app) as client:
        for step in SCENARIO:
            if (step.route, step.method) not in declared:
                skipped.append(f"{step.method} {step.route}" + (f" [{step.variant}]" if step.variant else ""))
                continue
            try:
                request = step.request(state)
            except KeyError as missing:
                label = f"{step.method} {step.route} ({step.variant or 'main'})"
                failures.append(f"{label}: no {missing} from an earlier step")
                continue
            path_parameters = {"customer_id": state.get("customer_id", "")} | request.get("path", {})
            path = step.route.format(**path_parameters)
            if request.get("query"):
                path += "?" + urlencode(request["query"])
            counter.take()
            counter.phase = ROUTE_PHASE
            response = client.http.request(
                step.method, path, headers=request.get("headers"), body=request.get("body", b"")
            )
            counter.phase = "setup"
            calls = counter.take()
            body = response_body(response)
            if response.status_code != step.status:
                failures.append(
                    f"{step.method} {step.route} ({step.variant or 'main'}) answered {response.status_code}, "
                    f"expected {step.status}: {response.body[:300]!r}"
                )
            else:
                if not step.variant:
                    exercised.add((step.route, step.method))
                step.after(state, body)
            rows.append(
                {
                    "method": step.method,
                    "route": step.route,
                    "variant": step.variant,
                    "status": response.status_code,
                    "calls": calls.get(ROUTE_PHASE, {}),
                    "authorizer_calls": calls.get(AUTHORIZER_PHASE, {}),
                    # A list answers {"items", "next_cursor"}; query_page bounds its Queries.
                    "is_list": isinstance(body, dict) and "next_cursor" in body,
                }
            )

    unexercised = sorted(f"{method} {path}" for path, method in declared - exercised)
    scans = sorted(
        f"{row['method']} {row['route']}" + (f" ({row['variant']})" if row["variant"] else "")
        for row in rows
        if row["calls"].get("Scan") or row["authorizer_calls"].get("Scan")
    )
    from chalicelib.platform.tables.base import MAX_QUERIES_PER_PAGE

    lists = [row for row in rows if row["is_list"]]
    worst = max(lists, key=lambda row: row["calls"].get("Query", 0), default=None)
    return {
        "list_queries": {
            "bound": MAX_QUERIES_PER_PAGE,
            "worst": worst["calls"].get("Query", 0) if worst else 0,
            "worst_step": f"{worst['method']} {worst['route']} ({worst['variant'] or 'main'})" if worst else "",
            "lists_measured": len(lists),
        },
        "client": "chalice.test.Client with bearer tokens (local gateway runs the authorizer)",
        "rows": rows,
        "routes_declared": len(declared),
        "routes_exercised": len(declared & exercised),
        "unexercised_routes": unexercised,
        "failures": failures,
        "skipped_steps": skipped,
        "scans": scans,
    }


if __name__ == "__main__":
    child_main(measure)
