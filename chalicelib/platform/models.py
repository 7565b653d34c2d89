"""The platform's tables. Not imported by the app: local table creation, the tests and
infra/tables.json take them through chalicelib/tables.py."""
from chalicelib.platform.tables.api_keys import ApiKeyModel
from chalicelib.platform.tables.audit_logs import AuditLogModel
from chalicelib.platform.tables.changes import ChangeModel
from chalicelib.platform.tables.connections import ConnectionModel
from chalicelib.platform.tables.counters import CounterModel
from chalicelib.platform.tables.custom_fields import CustomFieldModel
from chalicelib.platform.tables.event_receipts import EventReceiptModel
from chalicelib.platform.tables.files import FileModel
from chalicelib.platform.tables.idempotency import IdempotencyRecordModel
from chalicelib.platform.tables.invitations import InvitationModel
from chalicelib.platform.tables.jobs import JobModel
from chalicelib.platform.tables.memberships import MembershipModel
from chalicelib.platform.tables.org_settings import OrgSettingsModel
from chalicelib.platform.tables.organizations import OrganizationModel
from chalicelib.platform.tables.password_resets import PasswordResetModel
from chalicelib.platform.tables.roles import RoleModel, RoleNameModel
from chalicelib.platform.tables.sessions import SessionModel
from chalicelib.platform.tables.signups import SignupModel
from chalicelib.platform.tables.tag_links import TagLinkModel
from chalicelib.platform.tables.team_members import TeamMemberModel
from chalicelib.platform.tables.teams import TeamModel
from chalicelib.platform.tables.usage import UsageModel
from chalicelib.platform.tables.users import UserModel

PLATFORM_MODELS = (
    OrganizationModel,
    UserModel,
    MembershipModel,
    SessionModel,
    PasswordResetModel,
    InvitationModel,
    SignupModel,
    IdempotencyRecordModel,
    AuditLogModel,
    CounterModel,
    TagLinkModel,
    OrgSettingsModel,
    RoleModel,
    RoleNameModel,
    CustomFieldModel,
    ConnectionModel,
    EventReceiptModel,
    UsageModel,
    TeamModel,
    TeamMemberModel,
    FileModel,
    JobModel,
    ApiKeyModel,
    # The change feed; its head items (FeedHeadModel) live in the same table.
    ChangeModel,
)
