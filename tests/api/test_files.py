"""/v1/files: attachments on customers and tickets, uploaded to and downloaded from (moto's) S3
through the presigned requests the API answers. moto's S3 holds uploads to their POST policy here
as S3 does (chalicelib/localdev/s3.py); the end-to-end run against a real server is
tests/localdev/test_make_run_files.py."""
from __future__ import annotations

from typing import Any

import pytest
import requests

from chalicelib.platform.tables.organizations import OrganizationModel

TEXT = b"hello, files"


def file_body(record: dict[str, Any], record_type: str = "customers", **overrides: Any) -> dict[str, Any]:
    return {"name": "notes.txt", "content_type": "text/plain", "size": len(TEXT),
            "record_type": record_type, "record_id": record["id"], **overrides}  # fmt: skip


def upload(created: dict[str, Any], content: bytes = TEXT, **field_overrides: str) -> requests.Response:
    fields = {**created["upload"]["fields"], **field_overrides}
    return requests.post(created["upload"]["url"], data=fields, files={"file": ("ignored-name", content)}, timeout=10)


@pytest.fixture
def created(api, owner, customer) -> dict[str, Any]:
    reply = api.post("/v1/files", file_body(customer), as_=owner)
    assert reply.status == 201, reply.body
    return reply.json


def test_upload_then_download(api, owner, customer, created):
    assert created["status"] == "pending"
    assert created["upload"]["fields"]["key"] == f"orgs/{owner.org_id}/files/{created['id']}"
    assert "download_url" not in api.get(f"/v1/files/{created['id']}", as_=owner).json

    uploaded = upload(created)
    assert uploaded.status_code == 204, uploaded.content

    shown = api.get(f"/v1/files/{created['id']}", as_=owner).json
    assert shown["status"] == "uploaded" and shown["uploaded_at"]
    assert shown["download_expires_at"] > shown["uploaded_at"]
    download = requests.get(shown["download_url"], timeout=10)
    assert download.status_code == 200 and download.content == TEXT
    assert download.headers["Content-Disposition"].startswith('attachment; filename="notes.txt"')

    listed = api.get(f"/v1/files?record_type=customers&record_id={customer['id']}", as_=owner).json
    assert [f["id"] for f in listed["items"]] == [created["id"]]
    assert listed["items"][0]["status"] == "uploaded"
    trail = api.get(f"/v1/audit-logs?target_type=file&target_id={created['id']}", as_=owner).json["items"]
    assert [entry["action"] for entry in trail] == ["uploaded", "created"]


def test_a_ticket_takes_files_too(api, owner):
    ticket = api.post("/v1/tickets", {"subject": "Printer on fire"}, as_=owner).json
    reply = api.post("/v1/files", file_body(ticket, "tickets", name="photo.png", content_type="image/png"), as_=owner)
    assert reply.status == 201, reply.body
    assert upload(reply.json).status_code == 204


@pytest.mark.parametrize("content_type", ["text/html", "image/svg+xml", "application/x-sh"])
def test_a_type_outside_the_allow_list_is_refused_and_writes_nothing(api, owner, customer, content_type):
    reply = api.post("/v1/files", file_body(customer, content_type=content_type), as_=owner)
    assert reply.status == 422
    assert reply.json["errors"][0]["field"] == "content_type"
    assert api.get(f"/v1/files?record_type=customers&record_id={customer['id']}", as_=owner).json["items"] == []


def test_the_plans_size_limit(api, owner, customer):
    over_basic = 10 * 1024 * 1024 + 1
    refused = api.post("/v1/files", file_body(customer, size=over_basic), as_=owner)
    assert refused.status == 422 and refused.json["errors"] == [
        {"field": "size", "message": "must be at most 10485760 bytes on this plan"}
    ]
    assert api.get(f"/v1/files?record_type=customers&record_id={customer['id']}", as_=owner).json["items"] == []

    OrganizationModel(owner.org_id).update(actions=[OrganizationModel.plan.set("premium")])
    assert api.post("/v1/files", file_body(customer, size=over_basic), as_=owner).status == 201
    assert api.post("/v1/files", file_body(customer, size=100 * 1024 * 1024 + 1), as_=owner).status == 422


def test_s3_holds_the_upload_to_the_declared_size_type_and_key(api, owner, created):
    too_large = upload(created, TEXT + b"!")
    assert too_large.status_code == 400 and b"EntityTooLarge" in too_large.content
    too_small = upload(created, TEXT[:-1])
    assert too_small.status_code == 400 and b"EntityTooSmall" in too_small.content
    other_type = upload(created, **{"Content-Type": "text/html"})
    assert other_type.status_code == 403 and b"Policy Condition failed" in other_type.content
    other_key = upload(created, key=f"orgs/{owner.org_id}/files/chosen-by-client")
    assert other_key.status_code == 403
    forged = upload(created, policy=created["upload"]["fields"]["policy"][:-4] + "AAAA")
    assert forged.status_code == 403

    still = api.get(f"/v1/files/{created['id']}", as_=owner).json
    assert still["status"] == "pending" and "download_url" not in still


def test_bad_bodies(api, owner, customer):
    cases = {
        "record_type": file_body(customer, record_type="invoices"),
        "record_id": file_body(customer, record_id="01J0000000000000000000000Z"),
        "size": file_body(customer, size=0),
        "name": file_body(customer, name=""),
    }
    for field, body in cases.items():
        reply = api.post("/v1/files", body, as_=owner)
        assert reply.status == 422, (field, reply.body)
        assert reply.json["errors"][0]["field"] == field
    assert api.get("/v1/files?record_type=customers", as_=owner).status == 400
    assert api.get(f"/v1/files?record_type=invoices&record_id={customer['id']}", as_=owner).status == 400
    assert api.get(f"/v1/files?record_type=customers&record_id={customer['id']}&name=x", as_=owner).status == 400


def test_another_tenants_record_and_file_are_404(api, owner, customer, created, login_as):
    stranger = login_as("owner")
    assert api.get(f"/v1/files/{created['id']}", as_=stranger).status == 404
    assert api.delete(f"/v1/files/{created['id']}", as_=stranger).status == 404
    assert api.get(f"/v1/files?record_type=customers&record_id={customer['id']}", as_=stranger).status == 404
    reply = api.post("/v1/files", file_body(customer), as_=stranger)
    assert reply.status == 422 and reply.json["errors"][0]["field"] == "record_id"
    assert api.get(f"/v1/files/{created['id']}", as_=owner).status == 200


def test_roles(api, owner, customer, created, login_as):
    viewer = login_as("viewer", org_of=owner)
    assert api.get(f"/v1/files/{created['id']}", as_=viewer).status == 200
    assert api.get(f"/v1/files?record_type=customers&record_id={customer['id']}", as_=viewer).status == 200
    assert api.post("/v1/files", file_body(customer), as_=viewer).status == 403
    assert api.delete(f"/v1/files/{created['id']}", as_=viewer).status == 403
    member = login_as("member", org_of=owner)
    assert api.post("/v1/files", file_body(customer), as_=member).status == 201


def test_a_custom_role_needs_the_records_permission_too(api, owner, customer, created, login_as):
    role = api.post("/v1/roles", {"name": "filer", "permissions": ["files:read", "files:write", "tickets:read"]}, as_=owner)
    assert role.status == 201, role.body
    filer = login_as("member", org_of=owner)
    assert api.put(f"/v1/users/{filer.user_id}/role", {"role": role.json["id"]}, as_=owner).status == 200
    headers = {"Authorization": f"Bearer {api.login(filer.email).json['access_token']}"}
    assert api.get(f"/v1/files/{created['id']}", headers=headers).status == 403
    assert api.post("/v1/files", file_body(customer), headers=headers).status == 403
    ticket = api.post("/v1/tickets", {"subject": "Jammed"}, as_=owner).json
    assert api.post("/v1/files", file_body(ticket, "tickets"), headers=headers).status == 403, "tickets:read only"


def test_delete_removes_the_file_and_its_object(api, owner, created, event_stream):
    assert upload(created).status_code == 204
    download_url = api.get(f"/v1/files/{created['id']}", as_=owner).json["download_url"]
    assert api.delete(f"/v1/files/{created['id']}", as_=owner).status == 204
    assert api.get(f"/v1/files/{created['id']}", as_=owner).status == 404
    event_stream.drain()
    # S3 answers 403 for a missing key to a signer without s3:ListBucket (the app's role has none).
    assert requests.get(download_url, timeout=10).status_code in (403, 404)


def test_deleting_the_record_deletes_its_files_and_objects(api, owner, customer, created, event_stream):
    assert upload(created).status_code == 204
    download_url = api.get(f"/v1/files/{created['id']}", as_=owner).json["download_url"]
    assert api.delete(f"/v1/customers/{customer['id']}", as_=owner).status == 204
    # Hidden at once with the record; deleted with their objects once the event is delivered.
    assert api.get(f"/v1/files/{created['id']}", as_=owner).status == 404
    event_stream.drain()
    event_stream.drain()
    trail = api.get(f"/v1/audit-logs?target_type=file&target_id={created['id']}", as_=owner).json["items"]
    assert trail[0]["action"] == "deleted" and trail[0]["actor"] == owner.user_id
    assert requests.get(download_url, timeout=10).status_code in (403, 404)
    restored = api.post(f"/v1/customers/{customer['id']}/restore", as_=owner)
    assert restored.status == 200
    assert api.get(f"/v1/files?record_type=customers&record_id={customer['id']}", as_=owner).json["items"] == []


def test_a_stale_if_match_deletes_nothing(api, owner, created):
    assert api.delete(f"/v1/files/{created['id']}", as_=owner, headers={"If-Match": '"7"'}).status == 412
    assert api.get(f"/v1/files/{created['id']}", as_=owner).status == 200
