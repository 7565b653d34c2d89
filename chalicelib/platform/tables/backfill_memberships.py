"""Give every login written before memberships existed its membership (run once per stage).

Before, a `users` item held the person's organization, role and status itself. Such an item (it
still has `role`) gets the membership it implies, with its own user id, so its sessions, tokens
and audit history stay valid; an invited login loses the unusable placeholder password, so its
invitation is accepted by setting a password as before. Safe to run again: existing memberships
are left as they are.

    TABLE_PREFIX=zebros-prod- .venv/bin/python -m chalicelib.platform.tables.backfill_memberships

An offline maintenance task, not a request path: it Scans `users`.
"""
from __future__ import annotations

from pynamodb.connection import TableConnection
from pynamodb.exceptions import PutError, UpdateError

from chalicelib.core.settings import get_settings
from chalicelib.platform.tables.base import DYNAMODB_CLIENT, condition_failed
from chalicelib.platform.tables.memberships import INVITED, MembershipModel
from chalicelib.platform.tables.users import UserModel


def backfill() -> int:
    """The number of memberships written."""
    settings = get_settings()
    connection = TableConnection(
        UserModel.Meta.table_name,
        region=settings.region,
        host=settings.dynamodb_endpoint,
        connect_timeout_seconds=DYNAMODB_CLIENT["connect_timeout_seconds"],
        read_timeout_seconds=DYNAMODB_CLIENT["read_timeout_seconds"],
    )
    written = 0
    start_key = None
    while True:
        page = connection.scan(exclusive_start_key=start_key)
        for raw in page.get("Items", []):
            if "role" in raw and _backfill_one(raw):
                written += 1
        start_key = page.get("LastEvaluatedKey")
        if not start_key:
            return written


def _backfill_one(raw: dict) -> bool:
    login = UserModel.from_raw_data(raw)
    legacy = {name: value["S"] for name, value in raw.items() if name in {"role", "status", "updated_by"}}
    membership = MembershipModel(
        login.org_id,
        login.user_id,
        account_id=login.user_id,
        email=login.email,
        name=login.name,
        role=legacy["role"],
        status=legacy.get("status", "active"),
        created_at=login.created_at,
        updated_at=MembershipModel.updated_at.deserialize(raw["updated_at"]["S"]) if "updated_at" in raw else None,
        updated_by=legacy.get("updated_by"),
    )
    try:
        membership.save(condition=MembershipModel.user_id.does_not_exist())
    except PutError as error:
        if condition_failed(error):
            return False
        raise
    if membership.status == INVITED:
        try:
            login.update(actions=[UserModel.password_hash.remove()], condition=UserModel.user_id == login.user_id)
        except UpdateError as error:
            if not condition_failed(error):
                raise
    return True


if __name__ == "__main__":
    print(f"{backfill()} memberships written")
