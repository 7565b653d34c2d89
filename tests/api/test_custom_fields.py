"""Custom fields: definitions per organization and entity, and every write of a customer, lead,
contact or company validated against them."""
from __future__ import annotations

import pytest

ENTITY_PATHS = {"customers": "/v1/customers", "leads": "/v1/leads", "contacts": "/v1/contacts", "companies": "/v1/companies"}


def define(api, caller, entity, key, type_, **extra):
    reply = api.post("/v1/custom-fields", {"entity": entity, "key": key, "label": key.title(), "type": type_, **extra}, as_=caller)
    assert reply.status == 201, reply.body
    return reply.json


def history(api, caller, target_id):
    reply = api.get(f"/v1/audit-logs?target_type=custom_field&target_id={target_id}", as_=caller)
    return [entry["action"] for entry in reply.json["items"]]


def test_definition_crud_and_audit(api, owner):
    created = define(api, owner, "customers", "tier", "select", options=["gold", "silver"], required=True)
    assert created["id"] == "customers.tier" and created["required"] is True and created["options"] == ["gold", "silver"]
    path = "/v1/custom-fields/customers.tier"
    assert api.get(path, as_=owner).json == created
    patched = api.patch(path, {"label": "Tier level", "options": ["gold", "silver", "bronze"]}, as_=owner,
                        headers={"If-Match": '"1"'})
    assert patched.status == 200 and patched.json["options"] == ["gold", "silver", "bronze"]
    assert api.patch(path, {"type": "text"}, as_=owner).status == 422
    assert api.patch(path, {"label": "Stale"}, as_=owner, headers={"If-Match": '"1"'}).status == 412
    duplicate = api.post("/v1/custom-fields", {"entity": "customers", "key": "tier", "label": "T", "type": "text"}, as_=owner)
    assert duplicate.status == 409
    define(api, owner, "leads", "tier", "text")
    define(api, owner, "customers", "seats", "number")
    listed = api.get("/v1/custom-fields?entity=customers", as_=owner).json["items"]
    assert [item["id"] for item in listed] == ["customers.seats", "customers.tier"]
    assert len(api.get("/v1/custom-fields", as_=owner).json["items"]) == 3
    assert api.get("/v1/custom-fields?entity=widgets", as_=owner).status == 400
    assert api.get("/v1/custom-fields?colour=red", as_=owner).status == 400
    assert api.delete(path, as_=owner).status == 204
    assert api.get(path, as_=owner).status == 404
    assert api.post(f"{path}/restore", as_=owner).status == 200
    assert history(api, owner, "customers.tier") == ["restored", "deleted", "updated", "created"]


@pytest.mark.parametrize(
    "body, field",
    [({"entity": "deals", "key": "x", "label": "X", "type": "text"}, "entity"),
     ({"entity": "leads", "key": "9x", "label": "X", "type": "text"}, "key"),
     ({"entity": "leads", "key": "x", "label": "X", "type": "color"}, "type"),
     ({"entity": "leads", "key": "x", "label": "X", "type": "select"}, "options"),
     ({"entity": "leads", "key": "x", "type": "text"}, "label")],
)
def test_invalid_definitions_are_422(api, owner, body, field):
    reply = api.post("/v1/custom-fields", body, as_=owner)
    assert reply.status == 422
    assert field in [error["field"] for error in reply.json["errors"]] or field in reply.json["detail"]


def test_options_only_on_select(api, owner):
    reply = api.post("/v1/custom-fields", {"entity": "leads", "key": "x", "label": "X", "type": "text", "options": ["a"]}, as_=owner)
    assert reply.status == 422


@pytest.mark.parametrize("entity", list(ENTITY_PATHS))
def test_writes_are_validated_against_the_definitions(api, owner, entity):
    path = ENTITY_PATHS[entity]
    define(api, owner, entity, "tier", "select", options=["gold", "silver"], required=True)
    define(api, owner, entity, "seats", "number")
    define(api, owner, entity, "renewal", "date")
    define(api, owner, entity, "active", "boolean")
    define(api, owner, entity, "note", "text")
    good = {"tier": "gold", "seats": 3, "renewal": "2027-01-31", "active": True, "note": "hi"}
    created = api.post(path, {"name": "Valid", "custom_fields": good}, as_=owner)
    assert created.status == 201, created.body
    assert created.json["custom_fields"] == good
    bad = [
        ({"tier": "gold", "colour": "red"}, "custom_fields.colour"),
        ({"tier": "platinum"}, "custom_fields.tier"),
        ({"seats": 2}, "custom_fields.tier"),
        ({"tier": "gold", "seats": "two"}, "custom_fields.seats"),
        ({"tier": "gold", "seats": True}, "custom_fields.seats"),
        ({"tier": "gold", "renewal": "31/01/2027"}, "custom_fields.renewal"),
        ({"tier": "gold", "active": "yes"}, "custom_fields.active"),
        ({"tier": "gold", "note": 5}, "custom_fields.note"),
    ]
    record = f"{path}/{created.json['id']}"
    for values, field in bad:
        for reply in (api.post(path, {"name": "Invalid", "custom_fields": values}, as_=owner),
                      api.patch(record, {"custom_fields": values}, as_=owner),
                      api.put(record, {"name": "Invalid", "custom_fields": values}, as_=owner, headers={"If-Match": '"1"'})):
            assert reply.status == 422, (values, reply.status)
            assert field in [error["field"] for error in reply.json["errors"]], (values, reply.json)
    assert len(api.get(path, as_=owner).json["items"]) == 1
    assert api.get(record, as_=owner).json["version"] == 1
    # A patch that leaves custom_fields alone is not held to definitions made later.
    assert api.patch(record, {"name": "Renamed"}, as_=owner).status == 200


def test_without_definitions_custom_fields_stay_free_form(api, owner):
    define(api, owner, "leads", "tier", "text", required=True)
    reply = api.post("/v1/customers", {"name": "Free", "custom_fields": {"anything": 1}}, as_=owner)
    assert reply.status == 201
    assert api.post("/v1/leads", {"name": "Strict"}, as_=owner).status == 422


def test_a_deleted_definition_no_longer_applies(api, owner):
    define(api, owner, "customers", "tier", "text", required=True)
    assert api.post("/v1/customers", {"name": "X"}, as_=owner).status == 422
    api.delete("/v1/custom-fields/customers.tier", as_=owner)
    assert api.post("/v1/customers", {"name": "X"}, as_=owner).status == 201


def test_definitions_are_per_organization(api, login_as, owner):
    define(api, owner, "customers", "tier", "text", required=True)
    intruder = login_as("owner")
    for method, body in (("GET", None), ("PATCH", {"label": "Mine"}), ("DELETE", None)):
        assert api.call(method, "/v1/custom-fields/customers.tier", body, as_=intruder).status == 404
    assert api.post("/v1/custom-fields/customers.tier/restore", as_=intruder).status == 404
    assert api.get("/v1/custom-fields", as_=intruder).json["items"] == []
    assert api.post("/v1/customers", {"name": "Not bound by the other org"}, as_=intruder).status == 201


def test_only_admins_define_fields_members_and_viewers_read(api, login_as, owner):
    define(api, owner, "leads", "tier", "text")
    admin = login_as("admin", org_of=owner)
    assert api.post("/v1/custom-fields", {"entity": "leads", "key": "x", "label": "X", "type": "text"}, as_=admin).status == 201
    for role in ("member", "viewer"):
        caller = login_as(role, org_of=owner)
        assert api.get("/v1/custom-fields", as_=caller).status == 200
        assert api.get("/v1/custom-fields/leads.tier", as_=caller).status == 200
        for method, path, body in [
            ("POST", "/v1/custom-fields", {"entity": "leads", "key": "y", "label": "Y", "type": "text"}),
            ("POST", "/v1/custom-fields/batch", {"items": [{"entity": "leads", "key": "z", "label": "Z", "type": "text"}]}),
            ("PATCH", "/v1/custom-fields/leads.tier", {"label": "Nope"}),
            ("DELETE", "/v1/custom-fields/leads.tier", None),
            ("POST", "/v1/custom-fields/leads.tier/restore", None),
        ]:
            assert api.call(method, path, body, as_=caller).status == 403, (role, method, path)


def test_batch(api, owner):
    body = {"items": [{"entity": "leads", "key": "a", "label": "A", "type": "text"},
                      {"entity": "leads", "key": "a", "label": "A again", "type": "text"}]}
    results = api.post("/v1/custom-fields/batch", body, as_=owner).json["results"]
    assert [result["status"] for result in results] == [201, 409]
    assert results[0]["id"] == "leads.a"
