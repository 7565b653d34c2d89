"""A StoryVerse family for API tests: child profiles (POST /v1/children) and a child's session, as
the child's PIN login opens it (POST /v1/auth/child-login)."""
from __future__ import annotations

import jwt

from tests.conftest import Caller

PIN = "4821"


def add_child(api, parent: Caller, name: str = "Mia", age_band: str = "7_12") -> str:
    """A child profile of the parent's family; its id."""
    reply = api.post("/v1/children", {"name": name, "age_band": age_band}, as_=parent)
    assert reply.status == 201, reply.body
    return reply.json["id"]


def child_session(api, parent: Caller, child_id: str) -> Caller:
    """The child, logged in with the PIN their parent set: a session of role "child" whose user id
    is the child's id."""
    assert api.put(f"/v1/children/{child_id}/pin", {"pin": PIN}, as_=parent).status == 204
    reply = api.post("/v1/auth/child-login", {"organization_id": parent.org_id, "child_id": child_id, "pin": PIN})
    assert reply.status == 200, reply.body
    tokens = reply.json
    claims = jwt.decode(tokens["access_token"], options={"verify_signature": False})
    assert (claims["sub"], claims["role"]) == (child_id, "child")
    return Caller(tokens["access_token"], tokens["refresh_token"], child_id, parent.org_id, "child", "")
