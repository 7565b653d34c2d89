"""Table `sessions`: one item per refresh-token family (one login).

Only hashes of refresh tokens are stored. Rotation swaps `current_hash` with a conditional write,
so two requests presenting the same token cannot both succeed; hashes already used are kept, so
replaying one is recognised as theft and revokes the whole family (OAuth 2.0 Security BCP).
"""
from __future__ import annotations

from datetime import datetime, timezone

from pynamodb.attributes import (
    NumberAttribute,
    TTLAttribute,
    UnicodeAttribute,
    UnicodeSetAttribute,
)
from pynamodb.exceptions import UpdateError
from pynamodb.indexes import KeysOnlyProjection
from pynamodb.models import Model

from chalicelib.platform.tables.base import condition_failed, find, global_index, table_meta


class SessionModel(Model):
    Meta = table_meta("sessions")

    session_id = UnicodeAttribute(hash_key=True)
    user_id = UnicodeAttribute()
    org_id = UnicodeAttribute()
    email = UnicodeAttribute()
    current_hash = UnicodeAttribute()
    used_hashes = UnicodeSetAttribute(null=True)
    revoked_at = NumberAttribute(null=True)
    expires_at = NumberAttribute()
    # DynamoDB's TTL sweeper removes the item some time after this; code trusts expires_at.
    purge_at = TTLAttribute()

    user_sessions = global_index("user_sessions", "user_id", projection=KeysOnlyProjection)


def start_session(session: SessionModel) -> None:
    session.purge_at = datetime.fromtimestamp(session.expires_at, timezone.utc)
    session.save(condition=SessionModel.session_id.does_not_exist())


def find_session(session_id: str) -> SessionModel | None:
    return find(SessionModel, session_id)


def rotate(session: SessionModel, presented_hash: str, new_hash: str) -> bool:
    """Replace the current token; False when another request rotated or revoked it first."""
    try:
        session.update(
            actions=[SessionModel.current_hash.set(new_hash), SessionModel.used_hashes.add({presented_hash})],
            condition=(SessionModel.current_hash == presented_hash) & SessionModel.revoked_at.does_not_exist(),
        )
    except UpdateError as error:
        if condition_failed(error):
            return False
        raise
    return True


def revoke(session_id: str, now: int) -> None:
    try:
        SessionModel(session_id).update(
            actions=[SessionModel.revoked_at.set(now)],
            condition=SessionModel.session_id.exists() & SessionModel.revoked_at.does_not_exist(),
        )
    except UpdateError as error:
        if not condition_failed(error):
            raise


def revoke_all_for_user(user_id: str, now: int) -> None:
    for session in SessionModel.user_sessions.query(user_id):
        revoke(session.session_id, now)
