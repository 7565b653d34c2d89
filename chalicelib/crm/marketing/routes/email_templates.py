"""/v1/email-templates: templates with {{placeholders}} and their rendering."""
from chalice import Blueprint

from chalicelib.core.cursors import parse_page_size
from chalicelib.core.lazy import lazy_module
from chalicelib.platform.routes.authorizer import jwt_authorizer
from chalicelib.platform.routes.requests import etag
from chalicelib.platform.routes.routing import JSON_TYPES, Routes, json_response, no_content
from chalicelib.platform.services.roles import READ, WRITE, can

email_templates_blueprint = Blueprint(__name__)
routes = Routes(email_templates_blueprint, jwt_authorizer)
MERGE_PATCH_TYPES = [*JSON_TYPES, "application/merge-patch+json"]
templates = lazy_module("chalicelib.crm.marketing.services.email_templates")


def _template_response(template, status=200):
    headers = {"ETag": etag(template["version"])}
    if status == 201:
        headers["Location"] = f"/v1/email-templates/{template['id']}"
    return json_response(template, status=status, headers=headers)


@routes.protected("/v1/email-templates", methods=["GET"], permission=can("email_templates", READ))
def list_email_templates(request):
    limit = parse_page_size(request.query("limit"))
    return json_response(templates.list_templates(request.principal, limit, request.query("cursor")))


@routes.protected("/v1/email-templates", methods=["POST"], permission=can("email_templates", WRITE), idempotent=True)
def create_email_template(request):
    return _template_response(templates.create_template(request.principal, request.json()), status=201)


routes.batch(
    "/v1/email-templates/batch",
    lambda principal, item: templates.create_template(principal, item),
    permission=can("email_templates", WRITE),
)


@routes.protected("/v1/email-templates/{template_id}", methods=["GET"], permission=can("email_templates", READ))
def get_email_template(request, template_id):
    return _template_response(templates.get_template(request.principal, template_id))


@routes.protected("/v1/email-templates/{template_id}", methods=["PUT"], permission=can("email_templates", WRITE))
def replace_email_template(request, template_id):
    version = request.expected_version(required=True)
    return _template_response(templates.replace_template(request.principal, template_id, request.json(), version))


@routes.protected(
    "/v1/email-templates/{template_id}",
    methods=["PATCH"],
    permission=can("email_templates", WRITE),
    content_types=MERGE_PATCH_TYPES,
)
def patch_email_template(request, template_id):
    version = request.expected_version()
    return _template_response(templates.patch_template(request.principal, template_id, request.json(), version))


@routes.protected("/v1/email-templates/{template_id}", methods=["DELETE"], permission=can("email_templates", WRITE))
def delete_email_template(request, template_id):
    templates.delete_template(request.principal, template_id, request.expected_version())
    return no_content()


@routes.protected(
    "/v1/email-templates/{template_id}/restore", methods=["POST"], permission=can("email_templates", WRITE)
)
def restore_email_template(request, template_id):
    return _template_response(templates.restore_template(request.principal, template_id))


# Rendering writes nothing, so reading templates is enough to render one.
@routes.protected("/v1/email-templates/{template_id}/render", methods=["POST"], permission=can("email_templates", READ))
def render_email_template(request, template_id):
    return json_response(templates.render_template(request.principal, template_id, request.json()))
