"""POST /v1/sync for the CRM's offline clients (protocol: docs/sync.md): the kinds a client may
push, each named by its REST collection and reached through the service functions of its REST
routes, so a pushed change is the same write as the REST call (platform/services/sync_push.py).

Any signed-in caller may push; each change needs its kind's <resource>:write, checked per change,
so a change the role may not make is rejected (403) alone, as its REST route would answer.
Services load on a push's first use of a kind (cold start)."""
from __future__ import annotations

from typing import Any

from chalice import Blueprint

from chalicelib.core.lazy import lazy_module
from chalicelib.platform.routes.authorizer import jwt_authorizer
from chalicelib.platform.routes.problems import problem_body
from chalicelib.platform.routes.routing import Routes, json_response
from chalicelib.platform.services.roles import SESSION

sync_push = lazy_module("chalicelib.platform.services.sync_push")
sync_push_blueprint = Blueprint(__name__)
routes = Routes(sync_push_blueprint, jwt_authorizer)

# collection -> (permission resource, domain, service module, table module, table, service functions' noun);
# a searchable record's service is its module's `records` (noun None).
_KINDS: dict[str, tuple[str, str, str, str, str, str | None]] = {
    "customers": ("customers", "contact_management", "customers", "customers", "customers", None),
    "leads": ("leads", "contact_management", "leads", "leads", "leads", None),
    "contacts": ("contacts", "contact_management", "contacts", "contacts", "contacts", None),
    "companies": ("companies", "contact_management", "companies", "companies", "companies", None),
    "notes": ("customers", "contact_management", "notes", "notes", "notes", "note"),
    "activities": ("customers", "contact_management", "activities", "activities", "activities", "activity"),
    "opportunities": ("opportunities", "sales_pipeline", "opportunities", "opportunities", "opportunities", "opportunity"),
    "deals": ("deals", "sales_pipeline", "deals", "deals", "deals", "deal"),
    "tickets": ("tickets", "support", "tickets", "tickets", "tickets", "ticket"),
    "kb/articles": ("kb", "support", "kb", "kb_articles", "kb_articles", "article"),
}


def writable_kind(name: str) -> Any:
    if name not in _KINDS:
        return None
    resource, domain, service_module, table_module, table, noun = _KINDS[name]
    service = lazy_module(f"chalicelib.crm.{domain}.services.{service_module}")
    if noun is None:
        records = service.records
        return sync_push.WritableKind(name, resource, records.table, records.create, records.get, records.patch, records.delete)
    functions = [getattr(service, f"{operation}_{noun}") for operation in ("create", "get", "patch", "delete")]
    tables = lazy_module(f"chalicelib.crm.{domain}.tables.{table_module}")
    return sync_push.WritableKind(name, resource, getattr(tables, table), *functions)


@routes.protected("/v1/sync", methods=["POST"], permission=SESSION)
def push_changes(request):
    outcome = sync_push.push(request.principal, request.json(), writable_kind)
    return json_response({"results": [_shown(result) for result in outcome["results"]]})


def _shown(result: dict[str, Any]) -> dict[str, Any]:
    """A rejected change carries the problem document its REST route would have answered."""
    if result["status"] != "rejected":
        return result
    shown = {name: value for name, value in result.items() if name != "error"}
    return {**shown, "problem": problem_body(result["error"])}
