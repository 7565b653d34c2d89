"""Table `sessions`: one item per refresh-token family (one login).

Only hashes of refresh tokens are stored. Rotation swaps `current_hash` with a conditional write,
so two requests presenting the same token cannot both succeed; hashes already used are kept, so
replaying one is recognised as theft and revokes the whole family (OAuth 2.0 Security BCP).

A session of a caller who is no member of the organization and has no email login (a StoryVerse
child, chalicelib/storyverse/families) has no `email`; its `role` is fixed for its life (refresh
renews that role, never one a token claims), and `credential_id` names what it was opened with
(a device token), so revoking that credential ends its sessions.
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
    email = UnicodeAttribute(null=True)
    role = UnicodeAttribute(null=True)
    credential_id = UnicodeAttribute(null=True)
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


def revoke(session_id: str, now: int, credential_id: str | None = None) -> None:
    """End the session (if it is still open and, with `credential_id`, was opened with it)."""
    condition = SessionModel.session_id.exists() & SessionModel.revoked_at.does_not_exist()
    if credential_id is not None:
        condition &= SessionModel.credential_id == credential_id
    try:
        SessionModel(session_id).update(actions=[SessionModel.revoked_at.set(now)], condition=condition)
    except UpdateError as error:
        if not condition_failed(error):
            raise


def revoke_all_for_user(user_id: str, now: int, credential_id: str | None = None) -> None:
    """End every session of the user (with `credential_id`: those opened with that credential)."""
    for session in SessionModel.user_sessions.query(user_id):
        revoke(session.session_id, now, credential_id)
