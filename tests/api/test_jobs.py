"""The jobs platform through HTTP with the export machine running on moto's interpreter."""
from __future__ import annotations

from tests.jobs_fixtures import wait_for_job


def test_an_export_of_a_few_customers_succeeds(api, owner, step_functions):
    for number in range(3):
        assert api.post("/v1/customers", {"name": f"C{number}"}, as_=owner).status == 201
    reply = api.post("/v1/exports", {"resource": "customers", "format": "csv"}, as_=owner)
    assert reply.status == 202, reply.body
    job = wait_for_job(api, owner, reply.json["id"])
    assert job["status"] == "succeeded", job
    assert job["result"]["rows"] == 3
