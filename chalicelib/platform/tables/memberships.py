"""Table `memberships`: a person's place in one organization (their user id there, role, status).

One login (table `users`, keyed by email) may hold several memberships. The table is keyed like
an organization's directory, partition `org_id`, sort `user_id`, so:
- an organization's users: one Query (oldest first); the cursor carries only `user_id`;
- one user of an organization, as routes and sessions name them: one GetItem, so another
  tenant's id finds nothing (404);
- the other owners of an organization (last-owner rule), holders of a role: a filtered Query;
- the organizations of one login: one Query of the `account_memberships` GSI (partition
  `account_id`, the login's `users.user_id`; sort `org_id`).

The user id is minted when the membership is created (the login's first membership reuses the
login's own id). So an id an administrator sees says nothing about when, or whether, the person
registered elsewhere, and ids cannot be matched across organizations.
Status is `invited` (not accepted yet), `active` or `deactivated`; only `active` memberships may
be signed into.
"""
from __future__ import annotations

from pynamodb.attributes import UnicodeAttribute, UTCDateTimeAttribute
from pynamodb.models import Model

from chalicelib.core.errors import NotFound
from chalicelib.platform.tables.base import find, global_index, query_page, table_meta

ACTIVE = "active"
INVITED = "invited"
DEACTIVATED = "deactivated"


class MembershipModel(Model):
    Meta = table_meta("memberships")

    org_id = UnicodeAttribute(hash_key=True)
    user_id = UnicodeAttribute(range_key=True)
    account_id = UnicodeAttribute()
    email = UnicodeAttribute()
    name = UnicodeAttribute()
    role = UnicodeAttribute()
    status = UnicodeAttribute(default=ACTIVE)
    created_at = UTCDateTimeAttribute()
    updated_at = UTCDateTimeAttribute(null=True)
    updated_by = UnicodeAttribute(null=True)

    account_memberships = global_index("account_memberships", "account_id", "org_id")


def find_membership(org_id: str, user_id: str) -> MembershipModel | None:
    return find(MembershipModel, org_id, user_id, consistent=True)


def find_in_org(org_id: str, user_id: str) -> MembershipModel:
    """The user with this id in this organization, else NotFound."""
    membership = find_membership(org_id, user_id)
    if membership is None:
        raise NotFound("No user with this id.")
    return membership


def of_account(account_id: str) -> list[MembershipModel]:
    """Every membership of one login, by organization id (one Query of `account_memberships`)."""
    return list(MembershipModel.account_memberships.query(account_id))


def of_account_in_org(account_id: str, org_id: str) -> MembershipModel | None:
    for membership in MembershipModel.account_memberships.query(
        account_id, range_key_condition=MembershipModel.org_id == org_id, limit=1
    ):
        return membership
    return None


def page_of_org(org_id: str, limit: int, cursor: str | None) -> tuple[list[MembershipModel], str | None]:
    return query_page(MembershipModel, MembershipModel, {"org_id": org_id}, org_id, frozenset({"user_id"}), limit, cursor)


def another_active_owner(org_id: str, user_id: str) -> MembershipModel | None:
    """An active owner of the organization other than `user_id`, or None (one Query, paged as needed)."""
    results = MembershipModel.query(
        org_id, filter_condition=(MembershipModel.role == "owner") & (MembershipModel.status == ACTIVE)
    )
    return next((member for member in results if member.user_id != user_id), None)


def holders_of_role(org_id: str, role: str, limit: int = 1) -> list[MembershipModel]:
    """Up to `limit` users of the organization holding `role` (a Query with a filter)."""
    found = []
    for member in MembershipModel.query(org_id, filter_condition=MembershipModel.role == role):
        found.append(member)
        if len(found) >= limit:
            break
    return found
