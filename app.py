"""Zebros API: creates the app, registers middleware and blueprints. Nothing else lives here."""
from chalice import Chalice

from chalicelib.api.audit_logs import audit_logs_blueprint
from chalicelib.api.auth import auth_blueprint
from chalicelib.api.authorizer import authorizer_blueprint
from chalicelib.api.campaigns import campaigns_blueprint
from chalicelib.api.companies import companies_blueprint
from chalicelib.api.contacts import contacts_blueprint
from chalicelib.api.custom_fields import custom_fields_blueprint
from chalicelib.api.customers import customers_blueprint
from chalicelib.api.dashboard import dashboard_blueprint
from chalicelib.api.deals import deals_blueprint
from chalicelib.api.email_templates import email_templates_blueprint
from chalicelib.api.forecast import forecast_blueprint
from chalicelib.api.health import health_blueprint
from chalicelib.api.hello import hello_blueprint
from chalicelib.api.kb import kb_blueprint
from chalicelib.api.leads import leads_blueprint
from chalicelib.api.middleware import register_middleware
from chalicelib.api.opportunities import opportunities_blueprint
from chalicelib.api.products import products_blueprint
from chalicelib.api.roles import roles_blueprint
from chalicelib.api.settings import settings_blueprint
from chalicelib.api.sla_policies import sla_policies_blueprint
from chalicelib.api.tickets import tickets_blueprint
from chalicelib.api.users import users_blueprint
from chalicelib.core.settings import get_settings

app = Chalice(app_name="zebros")
app.debug = False

register_middleware(app)
if not get_settings().running_in_lambda:
    from chalicelib.api.local_gateway import emulate_api_gateway

    emulate_api_gateway(app)

for blueprint in (
    # Platform
    authorizer_blueprint,
    health_blueprint,
    auth_blueprint,
    hello_blueprint,
    # Contact management
    customers_blueprint,
    leads_blueprint,
    contacts_blueprint,
    companies_blueprint,
    custom_fields_blueprint,
    # Sales pipeline
    opportunities_blueprint,
    deals_blueprint,
    products_blueprint,
    forecast_blueprint,
    # Marketing
    campaigns_blueprint,
    email_templates_blueprint,
    # Support
    tickets_blueprint,
    sla_policies_blueprint,
    kb_blueprint,
    # Reporting and admin
    dashboard_blueprint,
    users_blueprint,
    roles_blueprint,
    settings_blueprint,
    audit_logs_blueprint,
):
    app.register_blueprint(blueprint)
