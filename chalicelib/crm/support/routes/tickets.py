"""/v1/tickets: support tickets with SLA due times, status lifecycle and list filters."""
from chalice import Blueprint

from chalicelib.core.cursors import parse_page_size
from chalicelib.core.lazy import lazy_module
from chalicelib.platform.routes.authorizer import jwt_authorizer
from chalicelib.platform.routes.requests import etag
from chalicelib.platform.routes.routing import JSON_TYPES, Routes, json_response, no_content
from chalicelib.platform.services.roles import READ, WRITE, can

tickets_blueprint = Blueprint(__name__)
routes = Routes(tickets_blueprint, jwt_authorizer)
MERGE_PATCH_TYPES = [*JSON_TYPES, "application/merge-patch+json"]
tickets = lazy_module("chalicelib.crm.support.services.tickets")


def _ticket_response(ticket, status=200):
    headers = {"ETag": etag(ticket["version"])}
    if status == 201:
        headers["Location"] = f"/v1/tickets/{ticket['id']}"
    return json_response(ticket, status=status, headers=headers)


@routes.protected("/v1/tickets", methods=["GET"], permission=can("tickets", READ))
def list_tickets(request):
    limit = parse_page_size(request.query("limit"))
    return json_response(tickets.list_tickets(request.principal, request.query_params, limit, request.query("cursor")))


@routes.protected("/v1/tickets", methods=["POST"], permission=can("tickets", WRITE), idempotent=True)
def create_ticket(request):
    return _ticket_response(tickets.create_ticket(request.principal, request.json()), status=201)


routes.batch(
    "/v1/tickets/batch",
    lambda principal, item: tickets.create_ticket(principal, item),
    permission=can("tickets", WRITE),
)


@routes.protected("/v1/tickets/{ticket_id}", methods=["GET"], permission=can("tickets", READ))
def get_ticket(request, ticket_id):
    return _ticket_response(tickets.get_ticket(request.principal, ticket_id))


@routes.protected("/v1/tickets/{ticket_id}", methods=["PUT"], permission=can("tickets", WRITE))
def replace_ticket(request, ticket_id):
    version = request.expected_version(required=True)
    return _ticket_response(tickets.replace_ticket(request.principal, ticket_id, request.json(), version))


@routes.protected(
    "/v1/tickets/{ticket_id}", methods=["PATCH"], permission=can("tickets", WRITE), content_types=MERGE_PATCH_TYPES
)
def patch_ticket(request, ticket_id):
    version = request.expected_version()
    return _ticket_response(tickets.patch_ticket(request.principal, ticket_id, request.json(), version))


@routes.protected("/v1/tickets/{ticket_id}", methods=["DELETE"], permission=can("tickets", WRITE))
def delete_ticket(request, ticket_id):
    tickets.delete_ticket(request.principal, ticket_id, request.expected_version())
    return no_content()


@routes.protected("/v1/tickets/{ticket_id}/restore", methods=["POST"], permission=can("tickets", WRITE))
def restore_ticket(request, ticket_id):
    return _ticket_response(tickets.restore_ticket(request.principal, ticket_id))
