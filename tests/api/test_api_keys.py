"""/v1/api-keys: organization API keys, and requests authenticated by the x-api-key header."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from unittest import mock

import boto3
import pytest

from chalicelib.core import clock

READ_CUSTOMERS = ["customers:read"]


def create_key(api, caller, permissions=READ_CUSTOMERS, **fields):
    reply = api.post("/v1/api-keys", {"name": "Billing sync", "permissions": permissions, **fields}, as_=caller)
    assert reply.status == 201, reply.body
    return reply.json


def with_key(key):
    return {"x-api-key": key}


def test_an_owner_creates_a_key_shown_once_with_a_visible_prefix(api, owner):
    created = create_key(api, owner)
    assert created["key"].startswith("zk_local_") and len(created["key"]) == len("zk_local_") + 40
    assert created["key"].startswith(created["prefix"]) and len(created["prefix"]) == len("zk_local_") + 6
    assert created["permissions"] == READ_CUSTOMERS and created["status"] == "active" and created["revoked"] is False
    listed = api.get("/v1/api-keys", as_=owner).json["items"]
    assert [k["id"] for k in listed] == [created["id"]]
    assert all("key" not in k for k in listed)
    shown = api.get(f"/v1/api-keys/{created['id']}", as_=owner)
    assert shown.status == 200 and "key" not in shown.json and shown.json["prefix"] == created["prefix"]


def test_a_key_is_never_stored_in_clear(api, owner):
    created = create_key(api, owner)
    dynamodb = boto3.client("dynamodb", region_name="us-east-1")
    tables = [name for name in dynamodb.list_tables()["TableNames"] if name.startswith("zebros-test-")]
    for table in tables:  # the test reads every table whole; the app never scans
        for page in dynamodb.get_paginator("scan").paginate(TableName=table):
            assert created["key"] not in str(page["Items"]), table
            assert created["key"][len(created["prefix"]):] not in str(page["Items"]), table


def test_a_key_authenticates_with_its_organization_and_permissions(api, owner, customer):
    created = create_key(api, owner)
    listed = api.get("/v1/customers", headers=with_key(created["key"]))
    assert listed.status == 200, listed.body
    assert [c["id"] for c in listed.json["items"]] == [customer["id"]]
    shown = api.get(f"/v1/api-keys/{created['id']}", as_=owner).json
    assert shown["last_used_at"] is not None


def test_a_key_is_scoped_to_its_permissions(api, owner):
    created = create_key(api, owner)
    reply = api.post("/v1/customers", {"name": "Grace Hopper"}, headers=with_key(created["key"]))
    assert reply.status == 403
    assert reply.json["detail"] == "This API key lacks the customers:write permission."
    assert api.get("/v1/customers", as_=owner).json["items"] == []


def test_a_key_writes_within_its_permissions_and_the_audit_log_names_it(api, owner):
    created = create_key(api, owner, permissions=["customers:read", "customers:write"])
    reply = api.post("/v1/customers", {"name": "Grace Hopper"}, headers=with_key(created["key"]))
    assert reply.status == 201, reply.body
    entries = api.get("/v1/audit-logs", as_=owner).json["items"]
    assert any(e["actor"] == created["id"] and e["target_type"] == "customer" for e in entries)


def test_a_revoked_key_is_refused_at_once(api, owner):
    created = create_key(api, owner)
    assert api.get("/v1/customers", headers=with_key(created["key"])).status == 200
    assert api.delete(f"/v1/api-keys/{created['id']}", as_=owner).status == 204
    reply = api.get("/v1/customers", headers=with_key(created["key"]))
    assert reply.status == 401
    assert 'error="invalid_token"' in reply.header("www-authenticate")
    shown = api.get(f"/v1/api-keys/{created['id']}", as_=owner).json
    assert shown["revoked"] is True and shown["status"] == "revoked" and shown["revoked_at"] is not None
    # Revoking again is answered the same.
    assert api.delete(f"/v1/api-keys/{created['id']}", as_=owner).status == 204


def test_a_key_the_authorizer_let_through_before_its_revocation_is_refused_by_the_route(api, owner):
    """A request the authorizer let through just before the revocation: the route checks the key itself."""
    from chalicelib.platform.services.api_keys import authenticate_key

    created = create_key(api, owner)
    cached = authenticate_key(created["key"])
    assert api.delete(f"/v1/api-keys/{created['id']}", as_=owner).status == 204
    with mock.patch("chalicelib.platform.services.api_keys.authenticate_key", return_value=cached):
        reply = api.get("/v1/customers", headers=with_key(created["key"]))
    assert reply.status == 401


def test_an_expired_key_is_refused(api, owner):
    expires = datetime.now(timezone.utc) + timedelta(hours=1)
    created = create_key(api, owner, expires_at=clock.isoformat(expires))
    assert api.get("/v1/customers", headers=with_key(created["key"])).status == 200
    later = expires + timedelta(seconds=1)
    with mock.patch.object(clock, "now", return_value=later):
        reply = api.get("/v1/customers", headers=with_key(created["key"]))
        assert reply.status == 401 and reply.json["detail"] == "The API key has expired."
        assert api.get(f"/v1/api-keys/{created['id']}", as_=owner).json["status"] == "expired"


def test_each_key_is_an_api_gateway_key_of_its_tiers_usage_plan(api, owner):
    created = create_key(api, owner)
    gateway = boto3.client("apigateway", region_name="us-east-1")
    plans = {p["name"]: p["id"] for p in gateway.get_usage_plans()["items"]}
    attached = gateway.get_usage_plan_keys(usagePlanId=plans["zebros-local-basic"])["items"]
    assert [k["name"] for k in attached] == [created["id"]]
    assert gateway.get_api_key(apiKey=attached[0]["id"], includeValue=True)["value"] == created["key"]
    assert api.delete(f"/v1/api-keys/{created['id']}", as_=owner).status == 204
    assert gateway.get_usage_plan_keys(usagePlanId=plans["zebros-local-basic"])["items"] == []
    assert created["id"] not in [k["name"] for k in gateway.get_api_keys()["items"]]


def test_a_premium_organizations_key_is_on_the_premium_plan(api, owner):
    from chalicelib.platform.tables.organizations import OrganizationModel

    OrganizationModel(owner.org_id).update(actions=[OrganizationModel.plan.set("premium")])
    created = create_key(api, owner)
    assert created["tier"] == "premium"
    gateway = boto3.client("apigateway", region_name="us-east-1")
    plans = {p["name"]: p["id"] for p in gateway.get_usage_plans()["items"]}
    assert [k["name"] for k in gateway.get_usage_plan_keys(usagePlanId=plans["zebros-local-premium"])["items"]] == [created["id"]]


def test_when_the_gateway_fails_no_key_is_left(api, owner):
    with mock.patch("chalicelib.aws.api_gateway.usage_plan_id", side_effect=RuntimeError("gateway down")):
        reply = api.post("/v1/api-keys", {"name": "x", "permissions": READ_CUSTOMERS}, as_=owner)
    assert reply.status == 503
    assert api.get("/v1/api-keys", as_=owner).json["items"] == []
    assert boto3.client("apigateway", region_name="us-east-1").get_api_keys()["items"] == []


def test_a_key_is_refused_on_routes_of_a_users_session(api, owner):
    created = create_key(api, owner, permissions=["users:read"])
    for method, path in [("GET", "/v1/me/organizations"), ("POST", "/v1/auth/logout"), ("GET", "/v1/auth/userinfo")]:
        reply = api.call(method, path, headers=with_key(created["key"]))
        assert reply.status == 403, (path, reply.body)
        assert "API key" in reply.json["detail"]


def test_a_key_cannot_manage_keys(api, owner):
    refused = api.post("/v1/api-keys", {"name": "x", "permissions": ["api_keys:write"]}, as_=owner)
    assert refused.status == 422
    created = create_key(api, owner, permissions=["users:read"])
    assert api.post("/v1/api-keys", {"name": "child", "permissions": ["users:read"]}, headers=with_key(created["key"])).status == 403
    assert api.get("/v1/api-keys", headers=with_key(created["key"])).status == 403
    assert api.delete(f"/v1/api-keys/{created['id']}", headers=with_key(created["key"])).status == 403


@pytest.mark.parametrize("role", ["member", "viewer"])
def test_members_and_viewers_cannot_create_or_list_keys(api, login_as, owner, role):
    caller = login_as(role, org_of=owner)
    assert api.post("/v1/api-keys", {"name": "x", "permissions": READ_CUSTOMERS}, as_=caller).status == 403
    assert api.get("/v1/api-keys", as_=caller).status == 403


def test_an_admin_creates_keys(api, login_as, owner):
    admin = login_as("admin", org_of=owner)
    assert create_key(api, admin)["created_by"] == admin.user_id


@pytest.mark.parametrize(
    "body",
    [
        {"name": "x", "permissions": ["customers:fly"]},
        {"name": "x", "permissions": []},
        {"name": "", "permissions": READ_CUSTOMERS},
        {"permissions": READ_CUSTOMERS},
        {"name": "x", "permissions": READ_CUSTOMERS, "expires_at": "2001-01-01T00:00:00Z"},
        {"name": "x", "permissions": READ_CUSTOMERS, "expires_at": "tomorrow"},
        {"name": "x", "permissions": READ_CUSTOMERS, "key": "zk_local_chosen"},
    ],
)
def test_invalid_creations_are_422_and_write_nothing(api, owner, body):
    reply = api.post("/v1/api-keys", body, as_=owner)
    assert reply.status == 422, reply.body
    assert reply.header("content-type") == "application/problem+json"
    assert api.get("/v1/api-keys", as_=owner).json["items"] == []


def test_a_key_cannot_hold_permissions_its_creator_lacks(api, owner, login_as):
    """A custom role with api_keys:write but not customers:write cannot hand customers:write out."""
    role = api.post("/v1/roles", {"name": "Integrations", "permissions": ["api_keys:read", "api_keys:write", "customers:read"]},
                    as_=owner).json  # fmt: skip
    member = login_as("member", org_of=owner)
    assert api.put(f"/v1/users/{member.user_id}/role", {"role": role["id"]}, as_=owner).status == 200
    headers = {"Authorization": f"Bearer {api.login(member.email).json['access_token']}"}
    refused = api.post("/v1/api-keys", {"name": "x", "permissions": ["customers:read", "customers:write"]}, headers=headers)
    assert refused.status == 422 and "customers:write" in refused.json["errors"][0]["message"]
    assert api.post("/v1/api-keys", {"name": "x", "permissions": ["customers:read"]}, headers=headers).status == 201


def test_another_organizations_key_is_404_and_cannot_be_revoked(api, owner, login_as):
    created = create_key(api, owner)
    other = login_as("owner")
    assert api.get(f"/v1/api-keys/{created['id']}", as_=other).status == 404
    assert api.delete(f"/v1/api-keys/{created['id']}", as_=other).status == 404
    assert api.get("/v1/api-keys", as_=other).json["items"] == []
    assert api.get("/v1/customers", headers=with_key(created["key"])).status == 200


def test_a_key_sees_only_its_own_organizations_records(api, owner, customer, login_as):
    other = login_as("owner")
    created = create_key(api, other)
    assert api.get("/v1/customers", headers=with_key(created["key"])).json["items"] == []
    assert api.get(f"/v1/customers/{customer['id']}", headers=with_key(created["key"])).status == 404


@pytest.mark.parametrize(
    "presented",
    [
        "zk_local_" + "a" * 40,  # the right shape, no such key
        "zk_live_" + "a" * 40,  # another environment's prefix
        "zk_local_" + "a" * 39 + "!",
        "zk_local_",
        "x" * 5000,
        "Bearer zk_local_" + "a" * 40,
    ],
)
def test_forged_and_malformed_keys_are_401(api, presented):
    reply = api.get("/v1/customers", headers=with_key(presented))
    assert reply.status == 401
    assert reply.header("content-type") == "application/problem+json"


def test_a_real_key_with_another_environments_prefix_is_401(api, owner):
    created = create_key(api, owner)
    moved = "zk_live_" + created["key"][len("zk_local_"):]
    assert api.get("/v1/customers", headers=with_key(moved)).status == 401


def test_the_hello_route_keeps_its_key_and_takes_an_organizations_key(api, owner):
    assert api.post("/api/abc/hello", headers=with_key("test-api-key")).status == 200
    created = create_key(api, owner)
    assert api.post("/api/abc/hello", headers=with_key(created["key"])).status == 200
    api.delete(f"/v1/api-keys/{created['id']}", as_=owner)
    assert api.post("/api/abc/hello", headers=with_key(created["key"])).status == 403


def test_a_key_in_the_authorization_header_under_the_apikey_scheme_authenticates_the_same(api, owner):
    created = create_key(api, owner)
    assert api.get("/v1/customers", headers={"Authorization": f"ApiKey {created['key']}"}).status == 200
    assert api.get("/v1/customers", headers={"Authorization": "ApiKey zk_local_forged"}).status == 401


# The packaged authorizer in AWS is a REQUEST authorizer without cache (infra/chalice_package.py):
# its Lambda handler gets API Gateway's REQUEST event, headers spelled as the client sent them.
METHOD_ARN = "arn:aws:execute-api:us-east-1:123456789012:a1b2c3d4e5/api/GET/v1/customers"


def request_event(headers: dict) -> dict:
    """API Gateway's REQUEST authorizer event for a REST API (GET /v1/customers on stage api)."""
    return {
        "type": "REQUEST",
        "methodArn": METHOD_ARN,
        "resource": "/v1/customers",
        "path": "/v1/customers",
        "httpMethod": "GET",
        "headers": {"Host": "a1b2c3d4e5.execute-api.us-east-1.amazonaws.com", "Accept": "*/*", **headers},
        "multiValueHeaders": {name: [value] for name, value in headers.items()},
        "queryStringParameters": None,
        "multiValueQueryStringParameters": None,
        "pathParameters": None,
        "stageVariables": None,
        "requestContext": {
            "resourcePath": "/v1/customers", "httpMethod": "GET", "path": "/api/v1/customers", "stage": "api",
            "accountId": "123456789012", "apiId": "a1b2c3d4e5", "requestId": "c6af9ac6-7b61-11e6-9a41-93e8deadbeef",
            "identity": {"sourceIp": "203.0.113.9", "userAgent": "curl/8.5.0", "apiKey": None},
        },  # fmt: skip
    }


def authorize(headers: dict) -> dict:
    from chalicelib.platform.routes.authorizer import jwt_authorizer

    return jwt_authorizer(request_event(headers), None)


def allowed(answer: dict) -> bool:
    statements = answer["policyDocument"]["Statement"]
    return [s["Effect"] for s in statements] == ["Allow"] and all(
        r.startswith("arn:aws:execute-api:us-east-1:123456789012:a1b2c3d4e5/api/") for s in statements for r in s["Resource"]
    )


def test_the_request_authorizer_takes_a_bearer_token(owner):
    answer = authorize({"Authorization": f"Bearer {owner.access_token}"})
    assert allowed(answer) and answer["principalId"] == owner.user_id
    assert answer["context"]["kind"] == "user" and answer["context"]["org_id"] == owner.org_id


def test_the_request_authorizer_takes_an_x_api_key_alone_as_the_client_spells_it(api, owner):
    created = create_key(api, owner)
    answer = authorize({"X-API-Key": created["key"]})
    assert allowed(answer) and answer["principalId"] == created["id"]
    assert answer["context"]["kind"] == "api_key" and answer["context"]["org_id"] == owner.org_id
    assert answer["context"]["permissions"] == "customers:read"


def test_the_request_authorizer_prefers_the_bearer_token_when_both_are_sent(api, owner):
    created = create_key(api, owner)
    answer = authorize({"Authorization": f"Bearer {owner.access_token}", "x-api-key": created["key"]})
    assert allowed(answer) and answer["principalId"] == owner.user_id and answer["context"]["kind"] == "user"


@pytest.mark.parametrize("headers", [{}, {"Authorization": ""}, {"x-api-key": ""}, {"Authorization": " ", "x-api-key": " "}])
def test_the_request_authorizer_without_credentials_is_api_gateways_401(headers):
    # "Unauthorized" is API Gateway's signal for its UNAUTHORIZED gateway response (a Bearer challenge).
    with pytest.raises(Exception, match="^Unauthorized$"):
        authorize(headers)


def test_a_request_without_credentials_gets_the_unauthorized_gateway_response(api):
    reply = api.get("/v1/customers")
    assert reply.status == 401 and reply.header("content-type") == "application/problem+json"
    assert reply.header("www-authenticate") == 'Bearer realm="zebros"'


def test_the_request_authorizer_lets_a_revoked_key_through_only_to_be_refused_with_its_reason(api, owner):
    created = create_key(api, owner)
    assert api.delete(f"/v1/api-keys/{created['id']}", as_=owner).status == 204
    answer = authorize({"x-api-key": created["key"]})
    # The principal grants nothing: the route answers 401 error="invalid_token" with this reason.
    assert answer["principalId"] == "refused-token" and "org_id" not in answer["context"]
    assert answer["context"]["token_error"]
