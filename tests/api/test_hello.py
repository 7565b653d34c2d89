"""POST /api/abc/hello behind an API key (design note 001)."""
import pytest


@pytest.mark.parametrize("headers", [{}, {"x-api-key": "wrong-key"}, {"x-api-key": ""}])
def test_hello_without_a_valid_api_key_is_403(api, headers):
    reply = api.post("/api/abc/hello", headers=headers)
    assert reply.status == 403
    assert reply.header("content-type") == "application/problem+json"
    assert reply.json["detail"] == "A valid API key is required in the x-api-key header."


def test_hello_with_an_api_key_greets(api):
    assert api.post("/api/abc/hello", headers={"x-api-key": "test-api-key"}).json == {"message": "Hello, world!"}
    named = api.post("/api/abc/hello", {"name": "Zebra"}, headers={"x-api-key": "test-api-key"})
    assert named.status == 200 and named.json == {"message": "Hello, Zebra!"}


def test_hello_validates_its_body(api):
    reply = api.post("/api/abc/hello", {"name": 5}, headers={"x-api-key": "test-api-key"})
    assert reply.status == 422
