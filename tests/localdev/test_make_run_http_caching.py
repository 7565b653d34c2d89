"""Compression, conditional GETs and CORS preflight as `make run` serves them over a real socket:
the same rule API Gateway applies in AWS (gzip or deflate from 1,024 bytes, by Accept-Encoding)."""
from __future__ import annotations

import gzip
import json
import zlib

import pytest

from chalicelib.localdev.run import LOCAL_CORS_ALLOWED_ORIGINS

THRESHOLD = json.loads(open(".chalice/config.json").read())["minimum_compression_size"]


@pytest.fixture(scope="module")
def large_path(local_server) -> str:
    """A list whose body is well over the threshold."""
    for number in range(12):
        reply = local_server.call("POST", "/v1/customers", {"name": f"Compressible customer {number}", "tags": ["gzip"]})
        assert reply.status == 201, reply.body
    path = "/v1/customers?tag=gzip"
    assert len(local_server.call("GET", path).body) > 2 * THRESHOLD
    return path


@pytest.mark.parametrize(
    "accept_encoding, coding",
    [("gzip", "gzip"), ("gzip, deflate, br", "gzip"), ("deflate", "deflate"), ("gzip;q=0.5, deflate;q=1.0", "deflate"),
     ("*", "gzip"), ("gzip;q=0, *;q=0.1", "deflate"), ("x-gzip", "gzip"), ("GZIP", "gzip")],
)  # fmt: skip
def test_a_body_over_the_threshold_is_compressed_as_the_client_prefers(local_server, large_path, accept_encoding, coding):
    plain = local_server.call("GET", large_path)
    reply = local_server.call("GET", large_path, headers={"Accept-Encoding": accept_encoding})
    assert reply.status == 200 and reply.header("Content-Encoding") == coding
    decode = gzip.decompress if coding == "gzip" else zlib.decompress
    assert json.loads(decode(reply.body))["items"] == plain.json["items"]
    assert int(reply.header("Content-Length")) == len(reply.body) < len(plain.body)
    assert "Accept-Encoding" in reply.header("Vary")
    assert reply.header("ETag") == plain.header("ETag")


@pytest.mark.parametrize("accept_encoding", [None, "", "identity", "gzip;q=0", "br", "*;q=0", "gzip;q=0, deflate;q=0"])
def test_a_body_is_sent_as_is_when_the_client_accepts_no_coding_we_offer(local_server, large_path, accept_encoding):
    reply = local_server.call("GET", large_path, headers={} if accept_encoding is None else {"Accept-Encoding": accept_encoding})
    assert reply.status == 200 and reply.header("Content-Encoding") is None
    assert len(reply.json["items"]) == 12


def test_a_body_under_the_threshold_is_never_compressed(local_server):
    reply = local_server.call("GET", "/v1/health", headers={"Accept-Encoding": "gzip"})
    assert reply.status == 200 and len(reply.body) < THRESHOLD
    assert reply.header("Content-Encoding") is None and reply.json["status"] == "ok"


def test_a_conditional_get_answers_304_with_no_body_over_the_socket(local_server, large_path):
    etag = local_server.call("GET", large_path).header("ETag")
    reply = local_server.call("GET", large_path, headers={"If-None-Match": etag, "Accept-Encoding": "gzip"})
    assert reply.status == 304 and reply.body == b""
    assert reply.header("ETag") == etag and reply.header("Cache-Control") == "private, no-cache"
    assert reply.header("Content-Type") is None and reply.header("Content-Encoding") is None


def test_the_preflight_answers_make_runs_origins_only(local_server):
    origin = LOCAL_CORS_ALLOWED_ORIGINS.split(",")[0]
    headers = {"Origin": origin, "Access-Control-Request-Method": "POST"}
    reply = local_server.call("OPTIONS", "/v1/customers", headers=headers)
    assert reply.status == 204 and reply.header("Access-Control-Allow-Origin") == origin
    assert reply.header("Access-Control-Allow-Methods") == "GET,OPTIONS,POST"
    refused = local_server.call("OPTIONS", "/v1/customers", headers={**headers, "Origin": "https://evil.example"})
    assert refused.status == 204 and refused.header("Access-Control-Allow-Origin") is None
    actual = local_server.call("GET", "/v1/health", headers={"Origin": origin})
    assert actual.header("Access-Control-Allow-Origin") == origin
