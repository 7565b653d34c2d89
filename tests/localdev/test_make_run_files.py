"""Files end to end against `make run`: the API signs, the browser's requests go to moto's S3 (the
server `make run` starts), which holds each upload to its POST policy as S3 does; the record's
deletion reaches the objects through the stream consumer `make run` runs."""
from __future__ import annotations

import re
import time

import requests

from tests.localdev.conftest import LocalServer

CONTENT = b"%PDF-1.7 quote for Ada"
CONSUMER_DEADLINE_SECONDS = 120


def create_customer(server: LocalServer) -> str:
    reply = server.call("POST", "/v1/customers", {"name": "Ada Lovelace"})
    assert reply.status == 201, reply.body
    return reply.json["id"]


def new_file(server: LocalServer, customer_id: str, **overrides):
    body = {"name": "Quote (final).pdf", "content_type": "application/pdf", "size": len(CONTENT),
            "record_type": "customers", "record_id": customer_id, **overrides}  # fmt: skip
    return server.call("POST", "/v1/files", body)


def post_form(upload: dict, content: bytes, **overrides: str) -> requests.Response:
    return requests.post(upload["url"], data={**upload["fields"], **overrides}, files={"file": ("x", content)}, timeout=30)


def test_make_run_prints_the_s3_endpoint_and_signs_for_it(local_server: LocalServer):
    endpoint = re.search(r"^S3: (http://127\.0\.0\.1:\d+)", local_server.log(), re.MULTILINE).group(1)
    customer_id = create_customer(local_server)
    created = new_file(local_server, customer_id)
    assert created.status == 201, created.body
    assert created.json["upload"]["url"].startswith(endpoint + "/")


def test_upload_then_download(local_server: LocalServer):
    customer_id = create_customer(local_server)
    created = new_file(local_server, customer_id).json
    assert created["status"] == "pending"

    assert post_form(created["upload"], CONTENT).status_code == 204

    shown = local_server.call("GET", f"/v1/files/{created['id']}")
    assert shown.status == 200 and shown.json["status"] == "uploaded"
    download = requests.get(shown.json["download_url"], timeout=30)
    assert download.status_code == 200 and download.content == CONTENT
    assert download.headers["Content-Type"] == "application/pdf"
    assert download.headers["Content-Disposition"] == (
        "attachment; filename=\"Quote (final).pdf\"; filename*=UTF-8''Quote%20%28final%29.pdf"
    )


def test_size_and_type_are_refused_by_the_api_and_by_s3(local_server: LocalServer):
    customer_id = create_customer(local_server)
    assert new_file(local_server, customer_id, content_type="text/html").status == 422
    assert new_file(local_server, customer_id, size=10 * 1024 * 1024 + 1).status == 422
    listed = local_server.call("GET", f"/v1/files?record_type=customers&record_id={customer_id}")
    assert listed.json["items"] == [], "a refused request writes nothing"

    upload = new_file(local_server, customer_id).json["upload"]
    too_large = post_form(upload, CONTENT + b" and more")
    assert too_large.status_code == 400 and b"<Code>EntityTooLarge</Code>" in too_large.content
    other_type = post_form(upload, CONTENT, **{"Content-Type": "text/html"})
    assert other_type.status_code == 403 and b"<Code>AccessDenied</Code>" in other_type.content
    assert requests.head(f"{upload['url']}/{upload['fields']['key']}", timeout=30).status_code in (403, 404)


def test_deleting_the_record_deletes_its_objects(local_server: LocalServer):
    customer_id = create_customer(local_server)
    created = new_file(local_server, customer_id).json
    assert post_form(created["upload"], CONTENT).status_code == 204
    download_url = local_server.call("GET", f"/v1/files/{created['id']}").json["download_url"]

    assert local_server.call("DELETE", f"/v1/customers/{customer_id}").status == 204
    assert local_server.call("GET", f"/v1/files/{created['id']}").status == 404
    # The stream consumer (polling moto's stream) deletes the file, then its object.
    deadline = time.monotonic() + CONSUMER_DEADLINE_SECONDS
    while requests.get(download_url, timeout=30).status_code == 200:
        assert time.monotonic() < deadline, "the object outlived its record"
        time.sleep(1)
