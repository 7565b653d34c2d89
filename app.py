"""Zebros API: creates the app, registers middleware and blueprints. Nothing else lives here."""
from chalice import Chalice

from chalicelib.api.audit_logs import audit_logs_blueprint
from chalicelib.api.auth import auth_blueprint
from chalicelib.api.authorizer import authorizer_blueprint
from chalicelib.api.customers import customers_blueprint
from chalicelib.api.email_templates import email_templates_blueprint
from chalicelib.api.health import health_blueprint
from chalicelib.api.hello import hello_blueprint
from chalicelib.api.middleware import register_middleware
from chalicelib.api.sla_policies import sla_policies_blueprint
from chalicelib.api.tickets import tickets_blueprint
from chalicelib.api.campaigns import campaigns_blueprint
from chalicelib.api.kb import kb_blueprint
from chalicelib.core.settings import get_settings

app = Chalice(app_name="zebros")
app.debug = False

register_middleware(app)
if not get_settings().running_in_lambda:
    from chalicelib.api.local_gateway import emulate_api_gateway

    emulate_api_gateway(app)

for blueprint in (
    authorizer_blueprint,
    health_blueprint,
    auth_blueprint,
    hello_blueprint,
    customers_blueprint,
    audit_logs_blueprint,
    email_templates_blueprint,
    sla_policies_blueprint,
    tickets_blueprint,
    campaigns_blueprint,
    kb_blueprint,
):
    app.register_blueprint(blueprint)
