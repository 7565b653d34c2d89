"""Table `users`: one item per login, keyed by normalized email, so login is one GetItem.

A login is a person: email, password, name and `user_id` (the login's id; its first membership
uses it as its user id too). What the person is in an organization (user id there, role,
status) is a membership (table `memberships`); one login may hold several. `org_id` is the
organization a login opens in: the one the person last chose.
`password_hash` is absent until an invited person accepts their first invitation and sets one.
"""
from __future__ import annotations

from pynamodb.attributes import NumberAttribute, UnicodeAttribute, UTCDateTimeAttribute
from pynamodb.exceptions import UpdateError
from pynamodb.models import Model

from chalicelib.core.errors import NotFound
from chalicelib.platform.tables.base import condition_failed, find, table_meta


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
