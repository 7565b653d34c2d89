"""/v1/email-templates: templates with {{placeholders}} and their rendering."""
from chalice import Blueprint

from chalicelib.core.lazy import lazy_module
from chalicelib.platform.routes.authorizer import jwt_authorizer
from chalicelib.platform.routes.contracts import STRING, Contract, object_of
from chalicelib.platform.routes.records import RecordSchemas, functions_of, record_routes
from chalicelib.platform.routes.routing import Routes, json_response
from chalicelib.platform.services.roles import READ, can

email_templates_blueprint = Blueprint(__name__)
routes = Routes(email_templates_blueprint, jwt_authorizer)
templates = lazy_module("chalicelib.crm.marketing.services.email_templates")

record_routes(
    routes, "email_templates", "/v1/email-templates", "template_id", ("email_template", "email_templates"),
    functions_of(templates, "template", "templates"),
    schemas=RecordSchemas(templates, create="TEMPLATE_SCHEMA", patch="TEMPLATE_PATCH_SCHEMA"),
)


# Rendering writes nothing, so reading templates is enough to render one.
@routes.protected(
    "/v1/email-templates/{template_id}/render", methods=["POST"], permission=can("email_templates", READ),
    contract=Contract(
        body=lambda: templates.RENDER_SCHEMA,
        responses={200: object_of(subject=STRING, body=STRING)},
    ),
)  # fmt: skip
def render_email_template(request, template_id):
    return json_response(templates.render_template(request.principal, template_id, request.json()))
