"""/v1/contacts (a company's contacts: GET /v1/companies/{id}/contacts, in api/companies.py)."""
from chalice import Blueprint

from chalicelib.core.cursors import parse_page_size
from chalicelib.core.lazy import lazy_module
from chalicelib.core.search import parse_search
from chalicelib.platform.routes.authorizer import jwt_authorizer
from chalicelib.platform.routes.requests import etag
from chalicelib.platform.routes.routing import JSON_TYPES, Routes, json_response, no_content
from chalicelib.platform.services.roles import READ, WRITE, can

contacts_blueprint = Blueprint(__name__)
routes = Routes(contacts_blueprint, jwt_authorizer)
MERGE_PATCH_TYPES = [*JSON_TYPES, "application/merge-patch+json"]
contacts = lazy_module("chalicelib.crm.contact_management.services.contacts")


def _contact_response(contact, status=200):
    headers = {"ETag": etag(contact["version"])}
    if status == 201:
        headers["Location"] = f"/v1/contacts/{contact['id']}"
    return json_response(contact, status=status, headers=headers)


@routes.protected("/v1/contacts", methods=["GET"], permission=can("contacts", READ))
def list_contacts(request):
    spec = parse_search(request.query_params)
    limit = parse_page_size(request.query("limit"))
    return json_response(contacts.list_contacts(request.principal, spec, limit, request.query("cursor")))


@routes.protected("/v1/contacts", methods=["POST"], permission=can("contacts", WRITE), idempotent=True)
def create_contact(request):
    return _contact_response(contacts.create_contact(request.principal, request.json()), status=201)


routes.batch(
    "/v1/contacts/batch", lambda principal, item: contacts.create_contact(principal, item), permission=can("contacts", WRITE)
)


@routes.protected("/v1/contacts/{contact_id}", methods=["GET"], permission=can("contacts", READ))
def get_contact(request, contact_id):
    return _contact_response(contacts.get_contact(request.principal, contact_id))


@routes.protected("/v1/contacts/{contact_id}", methods=["PUT"], permission=can("contacts", WRITE))
def replace_contact(request, contact_id):
    version = request.expected_version(required=True)
    return _contact_response(contacts.replace_contact(request.principal, contact_id, request.json(), version))


@routes.protected(
    "/v1/contacts/{contact_id}", methods=["PATCH"], permission=can("contacts", WRITE), content_types=MERGE_PATCH_TYPES
)
def patch_contact(request, contact_id):
    version = request.expected_version()
    return _contact_response(contacts.patch_contact(request.principal, contact_id, request.json(), version))


@routes.protected("/v1/contacts/{contact_id}", methods=["DELETE"], permission=can("contacts", WRITE))
def delete_contact(request, contact_id):
    contacts.delete_contact(request.principal, contact_id, request.expected_version())
    return no_content()


@routes.protected("/v1/contacts/{contact_id}/restore", methods=["POST"], permission=can("contacts", WRITE))
def restore_contact(request, contact_id):
    return _contact_response(contacts.restore_contact(request.principal, contact_id))
