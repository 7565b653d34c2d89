"""The CRM's tables, by domain. Not imported by the app: local table creation, the tests and
infra/tables.json take them through chalicelib/tables.py."""
from chalicelib.crm.contact_management.tables.activities import ActivityModel
from chalicelib.crm.contact_management.tables.companies import CompanyModel
from chalicelib.crm.contact_management.tables.contacts import ContactModel
from chalicelib.crm.contact_management.tables.customers import CustomerModel
from chalicelib.crm.contact_management.tables.leads import LeadModel
from chalicelib.crm.contact_management.tables.notes import NoteModel
from chalicelib.crm.marketing.tables.automation_enrollments import EnrollmentModel
from chalicelib.crm.marketing.tables.automations import AutomationModel
from chalicelib.crm.marketing.tables.campaign_members import CampaignMemberModel
from chalicelib.crm.marketing.tables.campaigns import CampaignModel
from chalicelib.crm.marketing.tables.email_templates import EmailTemplateModel
from chalicelib.crm.reporting.tables.reports import ReportModel
from chalicelib.crm.sales_pipeline.tables.deals import DealModel
from chalicelib.crm.sales_pipeline.tables.opportunities import OpportunityModel
from chalicelib.crm.sales_pipeline.tables.product_skus import ProductSkuModel
from chalicelib.crm.sales_pipeline.tables.products import ProductModel
from chalicelib.crm.support.tables.kb_articles import KbArticleModel
from chalicelib.crm.support.tables.sla_policies import SlaPolicyModel
from chalicelib.crm.support.tables.tickets import TicketModel

CRM_MODELS = (
    # Contact management
    CustomerModel,
    NoteModel,
    ActivityModel,
    LeadModel,
    ContactModel,
    CompanyModel,
    # Sales pipeline
    OpportunityModel,
    DealModel,
    ProductModel,
    ProductSkuModel,
    # Marketing
    CampaignModel,
    CampaignMemberModel,
    EmailTemplateModel,
    AutomationModel,
    EnrollmentModel,
    # Support
    TicketModel,
    SlaPolicyModel,
    KbArticleModel,
    # Reporting
    ReportModel,
)
