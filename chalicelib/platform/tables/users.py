"""Table `users`: one item per login, keyed by normalized email, so login is one GetItem.

A login is a person: email, password, name and `user_id` (the login's id; its first membership
uses it as its user id too). What the person is in an organization (user id there, role,
status) is a membership (table `memberships`); one login may hold several. `org_id` is the
organization a login opens in: the one the person last chose.
`password_hash` is absent until an invited person accepts their first invitation and sets one.
"""
from __future__ import annotations

from pynamodb.attributes import NumberAttribute, UnicodeAttribute, UTCDateTimeAttribute
from pynamodb.exceptions import TransactWriteError, UpdateError
from pynamodb.models import Model
from pynamodb.transactions import TransactWrite

from chalicelib.core.errors import Conflict, NotFound
from chalicelib.platform.tables.base import (
    condition_failed,
    find,
    table_meta,
    transaction_conditions_failed,
    transaction_connection,
)
from chalicelib.platform.tables.memberships import MembershipModel
from chalicelib.platform.tables.organizations import OrganizationModel


class UserModel(Model):
    Meta = table_meta("users")

    email = UnicodeAttribute(hash_key=True)
    user_id = UnicodeAttribute()
    org_id = UnicodeAttribute()
    name = UnicodeAttribute()
    password_hash = UnicodeAttribute(null=True)
    failed_logins = NumberAttribute(default=0)
    locked_until = NumberAttribute(null=True)
    created_at = UTCDateTimeAttribute()


def find_user(email: str) -> UserModel | None:
    return find(UserModel, email)


def create_organization_with_owner(
    organization: OrganizationModel, owner: MembershipModel, new_login: UserModel | None = None
) -> None:
    """All items or none: an organization never exists without its owner. `new_login` when the
    owner registers; without it the organization is added to the owner's existing login."""
    try:
        with TransactWrite(connection=transaction_connection()) as transaction:
            transaction.save(organization, condition=OrganizationModel.org_id.does_not_exist())
            transaction.save(owner, condition=MembershipModel.user_id.does_not_exist())
            if new_login is not None:
                transaction.save(new_login, condition=UserModel.email.does_not_exist())
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


def open_in(email: str, org_id: str) -> None:
    """Remember the organization the person chose: their next login opens there."""
    UserModel(email).update(actions=[UserModel.org_id.set(org_id)], condition=UserModel.email.exists())
