"""Run the app's data layer against tables that already exist, and print what it found as JSON.

tests/infra/test_dynamodb_moto.py runs this in a subprocess after Terraform created the tables on
a moto server: the app reads TABLE_PREFIX and DYNAMODB_ENDPOINT once, at import, so they are set
in the environment of a fresh interpreter rather than patched into the test process.
"""
from __future__ import annotations

import json
import os
import time
import uuid
from datetime import datetime, timezone

import boto3

from chalicelib.core.errors import Conflict
from chalicelib.platform.tables.base import find
from chalicelib.platform.tables.memberships import MembershipModel, of_account
from chalicelib.platform.tables.organizations import OrganizationModel
from chalicelib.platform.tables.schema import describe
from chalicelib.platform.tables.sessions import SessionModel, find_session, revoke_all_for_user, rotate, start_session
from chalicelib.platform.tables.signups import SignupModel, consumption, find_unexpired, store
from chalicelib.platform.tables.users import UserModel, find_user
from chalicelib.platform.tables.writes import Change, commit
from chalicelib.tables import ALL_MODELS


def live_schema(client, table_name: str) -> dict:
    """The table as DynamoDB reports it, in the shape of chalicelib.platform.tables.schema.describe()."""
    table = client.describe_table(TableName=table_name)["Table"]
    keys = {k["KeyType"]: k["AttributeName"] for k in table["KeySchema"]}
    indexes = []
    for gsi in table.get("GlobalSecondaryIndexes", []):
        gsi_keys = {k["KeyType"]: k["AttributeName"] for k in gsi["KeySchema"]}
        indexes.append({
            "name": gsi["IndexName"],
            "hash_key": gsi_keys["HASH"],
            "range_key": gsi_keys.get("RANGE"),
            "projection_type": gsi["Projection"]["ProjectionType"],
        })  # fmt: skip
    ttl = client.describe_time_to_live(TableName=table_name)["TimeToLiveDescription"]
    stream = table.get("StreamSpecification") or {}
    return {
        "hash_key": keys["HASH"],
        "range_key": keys.get("RANGE"),
        "attributes": sorted(
            ({"name": a["AttributeName"], "type": a["AttributeType"]} for a in table["AttributeDefinitions"]),
            key=lambda a: a["name"],
        ),
        "global_secondary_indexes": sorted(indexes, key=lambda i: i["name"]),
        "ttl_attribute": ttl.get("AttributeName") if ttl.get("TimeToLiveStatus") == "ENABLED" else None,
        "stream_view_type": stream.get("StreamViewType") if stream.get("StreamEnabled") else None,
    }


def protections(client, table_name: str) -> dict:
    table = client.describe_table(TableName=table_name)["Table"]
    backups = client.describe_continuous_backups(TableName=table_name)["ContinuousBackupsDescription"]
    return {
        "billing_mode": table.get("BillingModeSummary", {}).get("BillingMode"),
        "sse": table.get("SSEDescription", {}).get("SSEType"),
        "pitr": backups["PointInTimeRecoveryDescription"]["PointInTimeRecoveryStatus"],
    }


def run_flows() -> list[str]:
    """Transactions, conditional writes and GSI queries, through the app's own functions."""
    done = []
    now = int(time.time())
    created = datetime.now(timezone.utc)
    org_id, user_id = f"org_{uuid.uuid4().hex}", f"usr_{uuid.uuid4().hex}"
    email = f"{user_id}@example.com"
    organization = OrganizationModel(org_id, name="Probe Ltd", created_at=created)
    login = UserModel(email, user_id=user_id, org_id=org_id, name="Owner", password_hash="not-a-real-hash",
                      created_at=created)  # fmt: skip
    owner = MembershipModel(org_id, user_id, account_id=user_id, email=email, name="Owner", role="owner",
                            created_at=created)  # fmt: skip
    store(email, "token-hash", name="Owner", organization="Probe Ltd", password_hash="not-a-real-hash", expires_at=now + 60)
    signup = find_unexpired("token-hash", now)
    assert signup is not None and signup.email == email
    done.append("a pending sign-up is found by its token's hash (by_token_hash GSI)")

    def register() -> None:
        commit([
            Change("put", organization, condition=OrganizationModel.org_id.does_not_exist()),
            Change("put", owner, condition=MembershipModel.user_id.does_not_exist()),
            Change("put", login, condition=UserModel.email.does_not_exist()),
            consumption(signup, now, Conflict("spent")),
        ])

    register()
    assert find_user(email).org_id == org_id and find(SignupModel, email) is None
    done.append("organization, owner and login written, the sign-up spent, in one transaction")
    try:
        register()
    except Conflict:
        done.append("a second confirmation of the same sign-up is a Conflict")
    else:
        raise AssertionError("a spent sign-up was confirmed again")
    assert [m.user_id for m in MembershipModel.query(org_id)] == [user_id]
    assert [m.org_id for m in of_account(user_id)] == [org_id]
    done.append("memberships list the organization's users; their account_memberships GSI a login's organizations")

    session_id = f"ses_{uuid.uuid4().hex}"
    start_session(SessionModel(session_id, user_id=user_id, org_id=org_id, email=email,
                               current_hash="h1", expires_at=now + 3600))  # fmt: skip
    assert rotate(find_session(session_id), "h1", "h2") is True
    assert rotate(find_session(session_id), "h1", "h3") is False
    done.append("session rotation is a conditional write")
    revoke_all_for_user(user_id, now)
    assert find_session(session_id).revoked_at == now
    done.append("sessions.user_sessions GSI finds every session of a user")
    return done


def main() -> None:
    client = boto3.client("dynamodb", endpoint_url=os.environ["DYNAMODB_ENDPOINT"])
    report = {"tables": {}, "flows": []}
    for model in ALL_MODELS:
        name = model.Meta.table_name
        report["tables"][model.Meta.logical_name] = {
            "table_name": name,
            "declared": describe(model),
            "live": live_schema(client, name),
            "protections": protections(client, name),
            "model_sees_table": model.exists(),
        }
    report["flows"] = run_flows()
    print(json.dumps(report))


if __name__ == "__main__":
    main()
