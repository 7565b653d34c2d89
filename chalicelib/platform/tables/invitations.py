"""Table `invitations`: single-use invitation tokens for invited users, stored as SHA-256 hashes,
keyed by the hash (redeeming is a GetItem plus a conditional update) and swept by TTL."""
from __future__ import annotations

from pynamodb.attributes import NumberAttribute, TTLAttribute, UnicodeAttribute
from pynamodb.models import Model

from chalicelib.platform.tables.base import find, table_meta


class InvitationModel(Model):
    Meta = table_meta("invitations")

    token_hash = UnicodeAttribute(hash_key=True)
    email = UnicodeAttribute()
    org_id = UnicodeAttribute()
    user_id = UnicodeAttribute()
    invited_by = UnicodeAttribute()
    expires_at = NumberAttribute()
    used_at = NumberAttribute(null=True)
    purge_at = TTLAttribute()


def find_invitation(token_hash: str) -> InvitationModel | None:
    return find(InvitationModel, token_hash)
