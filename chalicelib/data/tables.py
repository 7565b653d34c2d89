"""Every table the app uses, in one list: local creation, tests and infra/tables.json read it."""
from chalicelib.data.activities import ActivityModel
from chalicelib.data.audit_logs import AuditLogModel
from chalicelib.data.campaign_members import CampaignMemberModel
from chalicelib.data.campaigns import CampaignModel
from chalicelib.data.companies import CompanyModel
from chalicelib.data.contacts import ContactModel
from chalicelib.data.counters import CounterModel
from chalicelib.data.custom_fields import CustomFieldModel
from chalicelib.data.customers import CustomerModel
from chalicelib.data.deals import DealModel
from chalicelib.data.email_templates import EmailTemplateModel
from chalicelib.data.idempotency import IdempotencyRecordModel
from chalicelib.data.invitations import InvitationModel
from chalicelib.data.kb_articles import KbArticleModel
from chalicelib.data.leads import LeadModel
from chalicelib.data.notes import NoteModel
from chalicelib.data.opportunities import OpportunityModel
from chalicelib.data.org_settings import OrgSettingsModel
from chalicelib.data.organizations import OrganizationModel
from chalicelib.data.password_resets import PasswordResetModel
from chalicelib.data.product_skus import ProductSkuModel
from chalicelib.data.products import ProductModel
from chalicelib.data.roles import RoleModel, RoleNameModel
from chalicelib.data.sessions import SessionModel
from chalicelib.data.sla_policies import SlaPolicyModel
from chalicelib.data.tag_links import TagLinkModel
from chalicelib.data.tickets import TicketModel
from chalicelib.data.users import UserModel

ALL_MODELS = (
    # Platform
    OrganizationModel,
    UserModel,
    SessionModel,
    PasswordResetModel,
    InvitationModel,
    IdempotencyRecordModel,
    AuditLogModel,
    CounterModel,
    TagLinkModel,
    OrgSettingsModel,
    RoleModel,
    RoleNameModel,
    # Contact management
    CustomerModel,
    NoteModel,
    ActivityModel,
    LeadModel,
    ContactModel,
    CompanyModel,
    CustomFieldModel,
    # Sales pipeline
    OpportunityModel,
    DealModel,
    ProductModel,
    ProductSkuModel,
    # Marketing
    CampaignModel,
    CampaignMemberModel,
    EmailTemplateModel,
    # Support
    TicketModel,
    SlaPolicyModel,
    KbArticleModel,
)


def create_tables() -> None:
    """Create any missing table (local server or moto); in AWS, Terraform owns the tables."""
    for model in ALL_MODELS:
        if not model.exists():
            model.create_table(wait=True)
