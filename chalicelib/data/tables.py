"""Every table the app uses, in one list: local creation, tests and infra/tables.json read it."""
from chalicelib.data.activities import ActivityModel
from chalicelib.data.audit_logs import AuditLogModel
from chalicelib.data.counters import CounterModel
from chalicelib.data.customers import CustomerModel
from chalicelib.data.email_templates import EmailTemplateModel
from chalicelib.data.idempotency import IdempotencyRecordModel
from chalicelib.data.notes import NoteModel
from chalicelib.data.opportunities import OpportunityModel
from chalicelib.data.org_settings import OrgSettingsModel
from chalicelib.data.organizations import OrganizationModel
from chalicelib.data.password_resets import PasswordResetModel
from chalicelib.data.roles import RoleModel
from chalicelib.data.sessions import SessionModel
from chalicelib.data.tag_links import TagLinkModel
from chalicelib.data.users import UserModel
from chalicelib.data.sla_policies import SlaPolicyModel
from chalicelib.data.tickets import TicketModel
from chalicelib.data.campaigns import CampaignModel
from chalicelib.data.campaign_members import CampaignMemberModel
from chalicelib.data.kb_articles import KbArticleModel

ALL_MODELS = (
    OrganizationModel,
    UserModel,
    SessionModel,
    PasswordResetModel,
    CustomerModel,
    NoteModel,
    ActivityModel,
    IdempotencyRecordModel,
    RoleModel,
    AuditLogModel,
    CounterModel,
    TagLinkModel,
    OrgSettingsModel,
    OpportunityModel,
    EmailTemplateModel,
    SlaPolicyModel,
    TicketModel,
    CampaignModel,
    CampaignMemberModel,
    KbArticleModel,
)


def create_tables() -> None:
    """Create any missing table (local server or moto); in AWS, Terraform owns the tables."""
    for model in ALL_MODELS:
        if not model.exists():
            model.create_table(wait=True)
