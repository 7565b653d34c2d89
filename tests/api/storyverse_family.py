"""A StoryVerse family for API tests: child profiles and a child's session."""
from __future__ import annotations

import secrets

from chalicelib.core import clock
from chalicelib.core.ids import new_id
from chalicelib.platform.services.auth import hash_token
from chalicelib.platform.services.roles import CHILD, principal
from chalicelib.platform.services.tokens import issue_access_token
from chalicelib.platform.tables.sessions import SessionModel, start_session
from chalicelib.storyverse.families.tables.children import ChildModel, children
from tests.conftest import Caller


def add_child(parent: Caller, name: str = "Mia", age_band: str = "7_12") -> str:
    """A child profile of the parent's family; its id."""
    child = ChildModel(parent.org_id, new_id(), name=name, age_band=age_band)
    children.insert(child, parent.user_id)
    return child.child_id


def child_session(parent: Caller, child_id: str) -> Caller:
    """A child's session, as the families' child login opens it: the platform's session with role
    "child" and the child's id as user id."""
    session_id = new_id()
    refresh_token = f"{session_id}.{secrets.token_urlsafe(32)}"
    start_session(SessionModel(
        session_id, user_id=child_id, org_id=parent.org_id, email=f"{child_id.lower()}@children.invalid",
        current_hash=hash_token(refresh_token), expires_at=clock.epoch_seconds() + 3600,
    ))  # fmt: skip
    token, _ = issue_access_token(principal(child_id, parent.org_id, CHILD, session_id))
    return Caller(token, refresh_token, child_id, parent.org_id, CHILD, "")
