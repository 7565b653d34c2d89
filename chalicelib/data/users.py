"""Table `users`: keyed by normalized email, so login is one GetItem; `org_users` lists a tenant's users."""
from __future__ import annotations

from pynamodb.attributes import NumberAttribute, UnicodeAttribute, UTCDateTimeAttribute
from pynamodb.exceptions import TransactWriteError, UpdateError
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex
from pynamodb.models import Model
from pynamodb.transactions import TransactWrite

from chalicelib.core.errors import Conflict, NotFound
from chalicelib.data.base import condition_failed, table_meta, transaction_conditions_failed, transaction_connection
from chalicelib.data.organizations import OrganizationModel


class OrgUsersIndex(GlobalSecondaryIndex):
    class Meta:
        index_name = "org_users"
        projection = AllProjection()

    org_id = UnicodeAttribute(hash_key=True)
    user_id = UnicodeAttribute(range_key=True)


class UserModel(Model):
    Meta = table_meta("users")

    email = UnicodeAttribute(hash_key=True)
    user_id = UnicodeAttribute()
    org_id = UnicodeAttribute()
    name = UnicodeAttribute()
    role = UnicodeAttribute()
    status = UnicodeAttribute(default="active")
    password_hash = UnicodeAttribute()
    failed_logins = NumberAttribute(default=0)
    locked_until = NumberAttribute(null=True)
    created_at = UTCDateTimeAttribute()

    org_users = OrgUsersIndex()


def find_user(email: str) -> UserModel | None:
    try:
        return UserModel.get(email)
    except UserModel.DoesNotExist:
        return None


def create_organization_with_owner(organization: OrganizationModel, owner: UserModel) -> None:
    """Both items or neither: an organization never exists without its owner."""
    try:
        with TransactWrite(connection=transaction_connection()) as transaction:
            transaction.save(organization, condition=OrganizationModel.org_id.does_not_exist())
            transaction.save(owner, condition=UserModel.email.does_not_exist())
    except TransactWriteError as error:
        if any(transaction_conditions_failed(error)):
            raise Conflict("An account with this email already exists.", field="email") from None
        raise


def record_failed_login(email: str, threshold: int, lock_seconds: int, now: int) -> int:
    """Count a failure atomically; at each multiple of `threshold` lock the account for a while."""
    user = UserModel(email)
    user.update(actions=[UserModel.failed_logins.add(1)])
    if user.failed_logins % threshold == 0:
        lock = lock_seconds * 2 ** (user.failed_logins // threshold - 1)
        UserModel(email).update(actions=[UserModel.locked_until.set(now + min(lock, 3600))])
    return user.failed_logins


def clear_failed_logins(email: str) -> None:
    UserModel(email).update(actions=[UserModel.failed_logins.set(0), UserModel.locked_until.remove()])


def set_password_hash(email: str, password_hash: str) -> None:
    try:
        UserModel(email).update(
            actions=[UserModel.password_hash.set(password_hash), UserModel.failed_logins.set(0), UserModel.locked_until.remove()],
            condition=UserModel.email.exists(),
        )
    except UpdateError as error:
        if condition_failed(error):
            raise NotFound("No such user.") from None
        raise
