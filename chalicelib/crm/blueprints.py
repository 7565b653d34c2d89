"""The CRM's blueprints, by domain, registered by app.py. Each loads its services on first use
(chalicelib/core/lazy.py), so registering them costs the cold start routes only."""
from chalicelib.crm.contact_management.routes.activities import activities_blueprint
from chalicelib.crm.contact_management.routes.companies import companies_blueprint
from chalicelib.crm.contact_management.routes.contacts import contacts_blueprint
from chalicelib.crm.contact_management.routes.customers import customers_blueprint
from chalicelib.crm.contact_management.routes.leads import leads_blueprint
from chalicelib.crm.contact_management.routes.notes import notes_blueprint
from chalicelib.crm.contact_management.routes.reminders import reminders_blueprint
from chalicelib.crm.marketing.routes.automations import automations_blueprint
from chalicelib.crm.marketing.routes.campaigns import campaigns_blueprint
from chalicelib.crm.marketing.routes.email_templates import email_templates_blueprint
from chalicelib.crm.reporting.routes.dashboard import dashboard_blueprint
from chalicelib.crm.reporting.routes.reports import reports_blueprint
from chalicelib.crm.sales_pipeline.routes.deals import deals_blueprint
from chalicelib.crm.sales_pipeline.routes.forecast import forecast_blueprint
from chalicelib.crm.sales_pipeline.routes.opportunities import opportunities_blueprint
from chalicelib.crm.sales_pipeline.routes.products import products_blueprint
from chalicelib.crm.support.routes.kb import kb_blueprint
from chalicelib.crm.support.routes.sla_policies import sla_policies_blueprint
from chalicelib.crm.support.routes.tickets import tickets_blueprint

CRM_BLUEPRINTS = (
    # Contact management
    customers_blueprint,
    notes_blueprint,
    activities_blueprint,
    leads_blueprint,
    contacts_blueprint,
    companies_blueprint,
    reminders_blueprint,
    # Sales pipeline
    opportunities_blueprint,
    deals_blueprint,
    products_blueprint,
    forecast_blueprint,
    # Marketing
    campaigns_blueprint,
    email_templates_blueprint,
    automations_blueprint,
    # Support
    tickets_blueprint,
    sla_policies_blueprint,
    kb_blueprint,
    # Reporting
    dashboard_blueprint,
    reports_blueprint,
)
