"""API versions (docs/api/versions.md): v2's structured person names through the same services,
version selection by path, `Zebros-Version` and Accept, the 404/406 answers, the echoed version,
v1 unchanged but for its deprecation headers, and tenancy and roles on the v2 routes."""
from __future__ import annotations

import pytest

from app import app
from chalicelib.platform.routes.versions import ALIAS_PATHS

ADA = {"name": {"given": "Ada", "family": "Lovelace"}, "email": "ada@example.com", "tags": ["vip"]}
V2 = {"Zebros-Version": "2"}
V2_ACCEPT = {"Accept": "application/vnd.zebros.v2+json"}


def created(api, caller, path, body, headers=None):
    reply = api.post(path, body, as_=caller, headers=headers)
    assert reply.status == 201, reply.body
    return reply


@pytest.mark.parametrize("resource", ["customers", "leads", "contacts"])
def test_v2_round_trips_a_structured_name(api, owner, resource):
    reply = created(api, owner, f"/v2/{resource}", ADA)
    record = reply.json
    assert record["name"] == {"given": "Ada", "family": "Lovelace", "full": "Ada Lovelace"}
    assert reply.header("Location") == f"/v2/{resource}/{record['id']}"
    assert reply.header("Zebros-Version") == "2" and reply.header("Deprecation") is None
    path = f"/v2/{resource}/{record['id']}"
    assert api.get(path, as_=owner).json == record
    assert api.get(f"/v2/{resource}", as_=owner).json["items"] == [record]
    # A merge patch of one part keeps the other; the display name follows.
    patched = api.patch(path, {"name": {"family": "King"}}, as_=owner, headers={"If-Match": '"1"'})
    assert patched.status == 200, patched.body
    assert patched.json["name"] == {"given": "Ada", "family": "King", "full": "Ada King"}
    # Parts with spaces survive unchanged: nothing is re-split from the display name.
    replaced = api.put(path, {"name": {"given": "Ludwig", "family": "van Beethoven"}}, as_=owner, headers={"If-Match": '"2"'})
    assert replaced.json["name"] == {"given": "Ludwig", "family": "van Beethoven", "full": "Ludwig van Beethoven"}
    # v1 sees the same record with its display name, and search by name uses it.
    in_v1 = api.get(f"/v1/{resource}/{record['id']}", as_=owner).json
    assert in_v1["name"] == "Ludwig van Beethoven" and in_v1["version"] == 3
    assert [item["id"] for item in api.get(f"/v2/{resource}?q=ludwig", as_=owner).json["items"]] == [record["id"]]


def test_a_v1_write_of_the_name_clears_the_parts(api, owner):
    record = created(api, owner, "/v2/customers", ADA).json
    api.patch(f"/v1/customers/{record['id']}", {"name": "Augusta Ada King"}, as_=owner)
    shown = api.get(f"/v2/customers/{record['id']}", as_=owner).json["name"]
    assert shown == {"given": None, "family": None, "full": "Augusta Ada King"}
    # A v1 write of another field leaves them.
    record = created(api, owner, "/v2/customers", ADA).json
    api.patch(f"/v1/customers/{record['id']}", {"phone": "+44 20 7946 0000"}, as_=owner)
    assert api.get(f"/v2/customers/{record['id']}", as_=owner).json["name"]["given"] == "Ada"


def test_v2_validation_names_v2_fields(api, owner):
    reply = api.post("/v2/customers", {"name": "Ada Lovelace", "email": "nope"}, as_=owner)
    assert reply.status == 422 and reply.header("Content-Type") == "application/problem+json"
    assert reply.json["errors"] == [
        {"field": "name", "message": "name must be an object"},
        {"field": "email", "message": "email must be an email address like ada@example.com"},
    ]
    reply = api.post("/v2/contacts", {"name": {"given": "A" * 101, "middle": "B"}}, as_=owner)
    assert [error["field"] for error in reply.json["errors"]] == ["name.given", "name.middle"]
    reply = api.post("/v2/leads", {"name": {"given": None, "family": None}}, as_=owner)
    assert reply.status == 422 and reply.json["errors"] == [{"field": "name", "message": "name needs a given or a family name"}]
    assert api.get("/v2/leads", as_=owner).json["items"] == []
    # v1 keeps its own messages.
    assert api.post("/v1/customers", {"name": {"given": "Ada"}}, as_=owner).json["errors"][0]["field"] == "name"


def test_v1_is_unchanged_and_says_it_is_deprecated(api, owner):
    reply = created(api, owner, "/v1/customers", {"name": "Ada Lovelace"})
    assert reply.json["name"] == "Ada Lovelace" and reply.header("Location") == f"/v1/customers/{reply.json['id']}"
    assert reply.header("Content-Type") == "application/json"
    assert reply.header("Zebros-Version") == "1"
    assert reply.header("Deprecation") == "@1796083200"
    assert reply.header("Sunset") == "Tue, 01 Jun 2027 00:00:00 GMT"
    assert '</docs/versions>; rel="deprecation"' in reply.header("Link")
    assert 'rel="sunset"' in reply.header("Link")
    # v2 shows a name written through v1 without guessing its parts.
    assert api.get(f"/v2/customers/{reply.json['id']}", as_=owner).json["name"] == {
        "given": None, "family": None, "full": "Ada Lovelace"
    }
    # Unchanged resources are not deprecated in v1.
    company = created(api, owner, "/v1/companies", {"name": "Initech"})
    assert company.header("Zebros-Version") == "1" and company.header("Deprecation") is None


def test_the_unversioned_paths_choose_by_header_or_accept(api, owner):
    record = created(api, owner, "/v2/customers", ADA).json
    path = f"/customers/{record['id']}"
    by_header = api.get(path, as_=owner, headers=V2)
    assert by_header.status == 200 and by_header.json == record
    assert by_header.header("Zebros-Version") == "2" and by_header.header("Content-Type") == "application/json"
    assert {"Zebros-Version", "Accept"} <= {part.strip() for part in by_header.header("Vary").split(",")}
    by_accept = api.get(path, as_=owner, headers=V2_ACCEPT)
    assert by_accept.json == record and by_accept.header("Content-Type") == "application/vnd.zebros.v2+json"
    both = api.get(path, as_=owner, headers={**V2, "Accept": "application/json, application/vnd.zebros.v2+json;q=0.9"})
    assert both.status == 200 and both.json == record
    # Neither: v1, deprecated.
    default = api.get(path, as_=owner)
    assert default.json["name"] == "Ada Lovelace" and default.header("Zebros-Version") == "1"
    assert default.header("Deprecation") == "@1796083200"
    explicit_v1 = api.get(path, as_=owner, headers={"Accept": "application/vnd.zebros.v1+json"})
    assert explicit_v1.json["name"] == "Ada Lovelace" and explicit_v1.header("Content-Type") == "application/vnd.zebros.v1+json"
    # Writes too, with the Location of the version that answered.
    reply = api.post("/customers", {"name": {"family": "Hopper"}}, as_=owner, headers=V2)
    assert reply.status == 201 and reply.header("Location") == f"/v2/customers/{reply.json['id']}"
    assert reply.json["name"] == {"given": None, "family": "Hopper", "full": "Hopper"}
    # The same resources are whole under both: notes, activities, companies, contacts lists.
    note = api.post(f"/customers/{record['id']}/notes", {"body": "Called."}, as_=owner, headers=V2)
    assert note.status == 201 and note.header("Location") == f"/v2/notes/{note.json['id']}"
    assert api.get(f"/v2/notes/{note.json['id']}", as_=owner).json == note.json
    assert api.get(f"/customers/{record['id']}/notes", as_=owner, headers=V2).json["items"] == [note.json]


@pytest.mark.parametrize(
    "path, headers",
    [
        ("/customers", {"Zebros-Version": "3"}),
        ("/customers", {"Zebros-Version": "two"}),
        ("/customers", {"Accept": "application/vnd.zebros.v9+json"}),
        ("/customers", {"Zebros-Version": "1", "Accept": "application/vnd.zebros.v2+json"}),
        ("/customers", {"Accept": "application/vnd.zebros.v1+json, application/vnd.zebros.v2+json"}),
        ("/v1/customers", {"Zebros-Version": "2"}),
        ("/v2/customers", {"Accept": "application/vnd.zebros.v1+json"}),
        ("/v2/customers", {"Zebros-Version": "0"}),
    ],
)
def test_unknown_or_conflicting_versions_are_406(api, owner, path, headers):
    reply = api.post(path, {"name": {"family": "Nobody"}}, as_=owner, headers=headers)
    assert reply.status == 406, reply.body
    assert reply.header("Content-Type") == "application/problem+json" and reply.json["status"] == 406
    assert api.get("/v1/customers", as_=owner).json["items"] == []


def test_an_unknown_version_in_the_path_is_404(api, owner):
    for path in ("/v3/customers", "/v0/customers", "/v2/opportunities"):
        reply = api.get(path, as_=owner)
        assert reply.status == 404, path
        assert reply.header("Content-Type") == "application/problem+json"


def test_a_version_matching_the_path_is_accepted(api, owner):
    reply = api.post("/v2/customers", ADA, as_=owner, headers={**V2, **V2_ACCEPT})
    assert reply.status == 201 and reply.header("Content-Type") == "application/vnd.zebros.v2+json"


def test_lead_conversion_carries_the_parts(api, owner):
    lead = created(api, owner, "/v2/leads", {"name": {"given": "Grace", "family": "Hopper"}, "company": "Navy"}).json
    result = api.post(f"/v2/leads/{lead['id']}/convert", {}, as_=owner)
    assert result.status == 201 and result.header("Location") == f"/v2/customers/{result.json['customer_id']}"
    expected = {"given": "Grace", "family": "Hopper", "full": "Grace Hopper"}
    assert api.get(f"/v2/customers/{result.json['customer_id']}", as_=owner).json["name"] == expected
    assert api.get(f"/v2/contacts/{result.json['contact_id']}", as_=owner).json["name"] == expected
    company_contacts = api.get(f"/v2/companies/{result.json['company_id']}/contacts", as_=owner)
    assert [item["name"] for item in company_contacts.json["items"]] == [expected]
    customer_contacts = api.get(f"/customers/{result.json['customer_id']}/contacts", as_=owner, headers=V2)
    assert [item["name"] for item in customer_contacts.json["items"]] == [expected]
    assert customer_contacts.header("Deprecation") is None


def test_merge_answers_in_the_requested_version(api, owner):
    target = created(api, owner, "/v2/customers", ADA).json
    source = created(api, owner, "/v2/customers", {"name": {"given": "A.", "family": "Lovelace"}}).json
    merged = api.post("/v2/customers/merge", {"target_id": target["id"], "source_ids": [source["id"]]}, as_=owner)
    assert merged.status == 200 and merged.json["name"] == {"given": "Ada", "family": "Lovelace", "full": "Ada Lovelace"}


def test_batch_in_v2(api, owner):
    body = {"items": [ADA, {"name": "Plain string"}]}
    results = api.post("/v2/contacts/batch", body, as_=owner).json["results"]
    assert [result["status"] for result in results] == [201, 422]
    assert results[1]["error"]["errors"] == [{"field": "name", "message": "name must be an object"}]


V2_ROUTES = [
    ("GET", "/v2/customers/{id}", None),
    ("PATCH", "/v2/customers/{id}", {"name": {"family": "Hijacked"}}),
    ("PUT", "/v2/customers/{id}", {"name": {"family": "Hijacked"}}),
    ("DELETE", "/v2/customers/{id}", None),
    ("POST", "/v2/customers/{id}/restore", None),
    ("GET", "/v2/customers/{id}/contacts", None),
    ("POST", "/v2/customers/{id}/notes", {"body": "planted"}),
    ("GET", "/customers/{id}", None),
    ("PATCH", "/customers/{id}", {"name": {"family": "Hijacked"}}),
]


@pytest.mark.parametrize("method, template, body", V2_ROUTES)
def test_another_organizations_record_is_404_in_v2(api, login_as, owner, method, template, body):
    record = created(api, owner, "/v2/customers", ADA).json
    intruder = login_as("owner")
    reply = api.call(method, template.format(id=record["id"]), body, as_=intruder, headers={**V2, "If-Match": '"1"'})
    assert reply.status == 404 and reply.header("Content-Type") == "application/problem+json"
    assert api.get(f"/v2/customers/{record['id']}", as_=owner).json == record
    assert api.get("/v2/customers", as_=intruder, headers=V2).json["items"] == []


@pytest.mark.parametrize(
    "method, template, body",
    [
        ("POST", "/v2/customers", ADA),
        ("PATCH", "/v2/customers/{id}", {"name": {"family": "Changed"}}),
        ("POST", "/customers", ADA),
        ("DELETE", "/customers/{id}", None),
        ("POST", "/v2/leads", ADA),
        ("POST", "/v2/contacts/batch", {"items": [ADA]}),
    ],
)
def test_a_viewer_cannot_write_in_v2(api, login_as, owner, method, template, body):
    record = created(api, owner, "/v2/customers", ADA).json
    viewer = login_as("viewer", org_of=owner)
    reply = api.call(method, template.format(id=record["id"]), body, as_=viewer, headers=V2)
    assert reply.status == 403 and reply.header("Content-Type") == "application/problem+json"
    assert api.get(f"/v2/customers/{record['id']}", as_=viewer).json == record
    assert api.get("/v2/leads", as_=viewer).json["items"] == []


def test_every_versioned_route_answers_on_each_version_with_the_same_permission():
    for path, methods in app.routes.items():
        if path not in ALIAS_PATHS or not path.startswith("/v2/"):
            continue
        for method, entry in methods.items():
            v1 = app.routes[f"/v1/{path.removeprefix('/v2/')}"][method]
            unversioned = app.routes[path.removeprefix("/v2")][method]
            assert entry.view_function.permission == v1.view_function.permission == unversioned.view_function.permission
            assert entry.view_name == f"{v1.view_name}_v2" and unversioned.view_name == f"{v1.view_name}_unversioned"


def test_one_openapi_document_per_version(api):
    from openapi_spec_validator import validate as validate_openapi

    v1, v2 = api.get("/v1/openapi.json").json, api.get("/v2/openapi.json").json
    validate_openapi(v2)
    assert v2["info"]["version"] == "v2" and v1["info"]["version"] == "v1"
    assert not any(path.startswith("/v2/") for path in v1["paths"]) and "/customers" not in v1["paths"]
    assert {"/v2/customers/{customer_id}", "/customers/{customer_id}", "/v2/notes", "/v2/openapi.json"} <= set(v2["paths"])
    # The same declaration, each version's shapes: v1's name a string, v2's the structured name.
    v1_body = v1["paths"]["/v1/customers"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    v2_body = v2["paths"]["/v2/customers"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    assert v1_body["properties"]["name"]["type"] == "string"
    assert set(v2_body["properties"]["name"]["properties"]) == {"given", "family"}
    assert set(v2["components"]["schemas"]["CustomerV2"]["properties"]["name"]["properties"]) == {"given", "family", "full"}
    merged = v2["paths"]["/v2/customers/merge"]["post"]["responses"]["200"]["content"]["application/json"]["schema"]
    assert merged == {"$ref": "#/components/schemas/CustomerV2"}
    # Companies did not change: the same view in both.
    company = v2["paths"]["/v2/companies/{company_id}"]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
    assert company == {"$ref": "#/components/schemas/Company"}
    # The unversioned paths are v2's when they say so.
    header = next(p for p in v2["paths"]["/customers/{customer_id}"]["get"]["parameters"] if p["name"] == "Zebros-Version")
    assert header["required"] and header["schema"]["enum"] == ["2"]
    ids = [operation["operationId"] for methods in v2["paths"].values() for operation in methods.values()]
    assert len(ids) == len(set(ids))
    links = v2["paths"]["/v2/customers"]["post"]["responses"]["201"]["links"]
    assert links["get_customer_v2"]["parameters"] == {"customer_id": "$response.body#/id"}
