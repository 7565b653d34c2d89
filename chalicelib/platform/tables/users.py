"""Table `users`: keyed by normalized email, so login is one GetItem; `org_users` lists a tenant's users.

Access patterns (admin routes, /v1/users):
- list an organization's users: one Query of the `org_users` GSI (partition `org_id`, sort
  `user_id`, so oldest first); the cursor carries `user_id` and `email`, never the organization.
- one user by id: one Query of `org_users` with `user_id = :id` under the caller's organization,
  so another tenant's id finds nothing (404).
- the other owners of an organization (last-owner rule): Query of `org_users` filtered on
  `role = owner`, stopped at the first other active owner.
Status is `active`, `invited` (account created, password not yet set) or `deactivated`; only
`active` users may log in or refresh.
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
    global_index,
    query_page,
    table_meta,
    transaction_conditions_failed,
    transaction_connection,
)
from chalicelib.platform.tables.organizations import OrganizationModel


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
    updated_at = UTCDateTimeAttribute(null=True)
    updated_by = UnicodeAttribute(null=True)

    org_users = global_index("org_users", "org_id", "user_id")


def find_user(email: str) -> UserModel | None:
    return find(UserModel, email)


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


ACTIVE = "active"
INVITED = "invited"
DEACTIVATED = "deactivated"


def find_in_org(org_id: str, user_id: str) -> UserModel:
    """One Query of `org_users`: the user with this id in this organization, else NotFound."""
    for user in UserModel.org_users.query(org_id, range_key_condition=UserModel.user_id == user_id, limit=1):
        return user
    raise NotFound("No user with this id.")


def page_of_org(org_id: str, limit: int, cursor: str | None) -> tuple[list[UserModel], str | None]:
    return query_page(
        UserModel.org_users, UserModel, {"org_id": org_id}, org_id, frozenset({"user_id", "email"}), limit, cursor
    )


def another_active_owner(org_id: str, user_id: str) -> UserModel | None:
    """An active owner of the organization other than `user_id`, or None (one Query, paged as needed)."""
    results = UserModel.org_users.query(
        org_id, filter_condition=(UserModel.role == "owner") & (UserModel.status == ACTIVE)
    )
    return next((user for user in results if user.user_id != user_id), None)


def holders_of_role(org_id: str, role: str, limit: int = 1) -> list[UserModel]:
    """Up to `limit` users of the organization holding `role` (a Query of `org_users` with a filter)."""
    found = []
    for user in UserModel.org_users.query(org_id, filter_condition=UserModel.role == role):
        found.append(user)
        if len(found) >= limit:
            break
    return found
