"""The CRM's list routes that `POST /v1/exports` exports (chalicelib/platform/exports.py),
registered by app.py: each with its route's read permission and filters."""
from chalicelib.core.search import FILTERS, LINK_FILTERS
from chalicelib.crm.contact_management.routes.companies import COMPANY_FILTERS
from chalicelib.crm.contact_management.routes.customers import CUSTOMER_FILTERS
from chalicelib.crm.contact_management.services import companies, contacts, customers, leads
from chalicelib.platform.exports import Exportable

EXPORTS = (
    Exportable("customers", "customers:read", CUSTOMER_FILTERS, lambda: customers.records),
    Exportable("leads", "leads:read", FILTERS, lambda: leads.records),
    Exportable("contacts", "contacts:read", (*FILTERS, *LINK_FILTERS), lambda: contacts.records),
    Exportable("companies", "companies:read", COMPANY_FILTERS, lambda: companies.records),
)
