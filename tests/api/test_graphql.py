"""POST/GET /v1/graphql (docs/api/graphql.md): the customer screen answers what its six REST calls
do, in fewer DynamoDB calls; tenancy and permissions hold per field; limits refuse before any
data call; malformed requests are GraphQL errors (400), never 500; mutations go through the REST
services (validation, versions, Idempotency-Key, events)."""
from __future__ import annotations

import hashlib
import json
from collections import Counter
from pathlib import Path
from urllib.parse import urlencode

import pytest

from tests import aws_calls

SCREEN = (Path(__file__).resolve().parents[2] / "chalicelib" / "crm" / "graphql" / "customer_screen.graphql").read_text()
GRAPHQL_JSON = "application/graphql-response+json"


def graphql(api, caller, query, variables=None, headers=None):
    return api.post("/v1/graphql", {"query": query, "variables": variables or {}}, as_=caller, headers=headers)


def route_dynamodb_calls() -> Counter[str]:
    """DynamoDB calls the REST function made so far (the authorizer's are a function of its own)."""
    calls: Counter[str] = Counter()
    for key, count in aws_calls.requirements_seen.items():
        requirement = json.loads(key)
        if requirement["function"] == aws_calls.REST_HANDLER and requirement["call"].startswith("dynamodb."):
            calls[requirement["call"]] += count
    return calls


@pytest.fixture
def screen(api, owner, customer):
    """A customer with contacts, an open deal with line items, notes, an activity and an open ticket."""
    def created(path, body):
        reply = api.post(path, body, as_=owner)
        assert reply.status == 201, reply.body
        return reply.json

    customer_id = customer["id"]
    for name in ("Grace", "Alan"):
        created("/v1/contacts", {"name": name, "email": f"{name.lower()}@example.com", "customer_id": customer_id})
    created("/v1/deals", {"name": "Engines", "customer_id": customer_id, "currency": "USD",
                          "line_items": [{"description": "Analytical engine", "quantity": 2, "unit_price": 1500}]})  # fmt: skip
    for body in ("Met at the fair.", "Wants a quote."):
        created("/v1/notes", {"customer_id": customer_id, "body": body})
    created("/v1/activities", {"customer_id": customer_id, "type": "task", "subject": "Send the quote", "due_at": "2030-01-02T09:00:00Z"})
    created("/v1/tickets", {"subject": "Engine jams", "priority": "urgent", "customer_id": customer_id})
    return customer_id


def _rest_screen(api, caller, customer_id):
    pages = {
        "contacts": f"/v1/customers/{customer_id}/contacts?limit=20",
        "deals": f"/v1/deals?customer_id={customer_id}&status=open&limit=20",
        "notes": f"/v1/notes?customer_id={customer_id}&limit=20",
        "activities": f"/v1/activities?customer_id={customer_id}&limit=20",
        "tickets": f"/v1/tickets?customer_id={customer_id}&status=open&limit=20",
    }
    customer = api.get(f"/v1/customers/{customer_id}", as_=caller)
    assert customer.status == 200
    found = {"customer": customer.json}
    for name, path in pages.items():
        reply = api.get(path, as_=caller)
        assert reply.status == 200, reply.body
        found[name] = reply.json
    return found


def _shown(record, selected):
    """The REST record as the query selects it."""
    return {
        name: [_shown(item, fields) for item in record[name]] if isinstance(fields, dict) else record.get(name)
        for name, fields in selected.items()
    }


def _selection(nodes):
    """The field names a GraphQL answer holds (nested ones for lists of objects)."""
    first = nodes[0]
    return {name: _selection(value) if isinstance(value, list) and value and isinstance(value[0], dict) else None
            for name, value in first.items()}  # fmt: skip


def test_the_customer_screen_is_the_six_rest_calls_in_one_request_with_fewer_dynamodb_calls(api, owner, screen):
    before = route_dynamodb_calls()
    reply = graphql(api, owner, SCREEN, {"id": screen})
    graphql_calls = route_dynamodb_calls() - before
    assert reply.status == 200 and reply.header("Content-Type") == GRAPHQL_JSON
    assert "errors" not in reply.json, reply.json
    answer = reply.json["data"]["customer"]

    before = route_dynamodb_calls()
    rest = _rest_screen(api, owner, screen)
    rest_calls = route_dynamodb_calls() - before

    scalars = {name: value for name, value in answer.items() if not isinstance(value, dict)}
    assert scalars == {name: rest["customer"][name] for name in scalars}
    for name in ("contacts", "deals", "notes", "activities", "tickets"):
        nodes = answer[name]["nodes"]
        assert nodes, name
        assert nodes == [_shown(item, _selection(nodes)) for item in rest[name]["items"]], name
        assert answer[name]["page_info"] == {"end_cursor": rest[name]["next_cursor"], "has_next_page": False}
    assert answer["deals"]["nodes"][0]["line_items"][0]["description"] == "Analytical engine"
    # One GetItem for the customer, one Query per list: no call per record.
    assert sum(graphql_calls.values()) <= 7, graphql_calls
    assert sum(graphql_calls.values()) < sum(rest_calls.values()), (graphql_calls, rest_calls)


def test_references_of_a_page_are_one_batch_get(api, owner):
    customers = [api.post("/v1/customers", {"name": f"C{index}"}, as_=owner).json for index in range(4)]
    for customer in customers:
        assert api.post("/v1/notes", {"customer_id": customer["id"], "body": "hello"}, as_=owner).status == 201
    before = route_dynamodb_calls()
    reply = graphql(api, owner, "{ notes(first: 10) { nodes { body customer { id name } } } }")
    calls = route_dynamodb_calls() - before
    assert "errors" not in reply.json, reply.json
    names = sorted(node["customer"]["name"] for node in reply.json["data"]["notes"]["nodes"])
    assert names == ["C0", "C1", "C2", "C3"]
    assert calls["dynamodb.BatchGetItem"] == 1 and calls["dynamodb.GetItem"] == 0, calls


def test_a_persisted_query_runs_by_get_with_its_sha256(api, owner, screen):
    digest = hashlib.sha256(SCREEN.encode()).hexdigest()
    query = urlencode({"extensions": json.dumps({"persistedQuery": {"version": 1, "sha256Hash": digest}}),
                       "variables": json.dumps({"id": screen, "first": 5})})  # fmt: skip
    reply = api.get(f"/v1/graphql?{query}", as_=owner)
    assert reply.status == 200 and reply.json["data"]["customer"]["id"] == screen
    assert len(reply.json["data"]["customer"]["contacts"]["nodes"]) == 2
    unknown = api.get("/v1/graphql?" + urlencode({"extensions": json.dumps({"persistedQuery": {"sha256Hash": "0" * 64}})}), as_=owner)
    assert unknown.status == 400 and unknown.json["errors"][0]["extensions"]["code"] == "PERSISTED_QUERY_NOT_FOUND"
    assert api.get("/v1/graphql?query={customers{nodes{id}}}", as_=owner).status == 400


def test_connections_page_with_the_rest_cursors(api, owner):
    for index in range(3):
        api.post("/v1/customers", {"name": f"Page {index}"}, as_=owner)
    first = graphql(api, owner, "{ customers(first: 2) { nodes { name } page_info { end_cursor has_next_page } } }").json
    page = first["data"]["customers"]
    assert len(page["nodes"]) == 2 and page["page_info"]["has_next_page"] is True
    rest = api.get("/v1/customers?limit=2", as_=owner).json
    assert page["page_info"]["end_cursor"] == rest["next_cursor"]
    query = "query($after: String) { customers(first: 2, after: $after) { nodes { name } page_info { has_next_page } } }"
    second = graphql(api, owner, query, {"after": page["page_info"]["end_cursor"]}).json["data"]["customers"]
    assert [node["name"] for node in second["nodes"]] == [item["name"] for item in api.get(f"/v1/customers?limit=2&cursor={rest['next_cursor']}", as_=owner).json["items"]]
    assert second["page_info"]["has_next_page"] is False


# Tenancy and permissions

SINGLE_FIELDS = {
    "customer": "/v1/customers", "contact": "/v1/contacts", "deal": "/v1/deals", "note": "/v1/notes",
    "activity": "/v1/activities", "ticket": "/v1/tickets",
}  # fmt: skip


def test_another_organizations_records_are_not_found_for_every_type(api, login_as, owner, screen):
    intruder = login_as("owner")
    for field, collection in SINGLE_FIELDS.items():
        plural = collection.removeprefix("/v1/")
        ids = [item["id"] for item in api.get(f"{collection}?customer_id={screen}" if field != "customer" else collection, as_=owner).json["items"]]
        assert ids, field
        reply = graphql(api, intruder, f'{{ {field}(id: "{ids[0]}") {{ id }} }}')
        assert reply.status == 200 and reply.json["data"] == {field: None}, field
        assert reply.json["errors"][0]["extensions"]["status"] == 404, field
        listed = graphql(api, intruder, f"{{ {plural} {{ nodes {{ id }} }} }}").json["data"][plural]["nodes"]
        assert listed == [], field
    # Linking filters cannot reach another organization either.
    reply = graphql(api, intruder, f'{{ deals(filter: {{customer_id: "{screen}"}}) {{ nodes {{ id }} }} }}')
    assert reply.json["data"]["deals"]["nodes"] == []


def test_another_organizations_record_cannot_be_written(api, login_as, owner, customer):
    intruder = login_as("owner")
    for mutation in (f'update_customer(id: "{customer["id"]}", input: {{name: "Hijacked"}}) {{ id }}',
                     f'delete_customer(id: "{customer["id"]}")'):  # fmt: skip
        reply = graphql(api, intruder, f"mutation {{ {mutation} }}")
        assert reply.json["errors"][0]["extensions"]["status"] == 404
    assert api.get(f"/v1/customers/{customer['id']}", as_=owner).json == customer


def test_a_field_the_role_cannot_read_is_an_error_for_that_field_only(api, login_as, owner, screen):
    role = api.post("/v1/roles", {"name": "Front desk", "permissions": ["customers:read", "contacts:read"]}, as_=owner).json
    desk = login_as("member", org_of=owner)
    assert api.put(f"/v1/users/{desk.user_id}/role", {"role": role["id"]}, as_=owner).status == 200
    desk.access_token = api.login(desk.email).json["access_token"]
    reply = graphql(api, desk, f'{{ customer(id: "{screen}") {{ name contacts {{ nodes {{ name }} }} deals {{ nodes {{ id }} }} tickets {{ nodes {{ id }} }} }} }}')
    assert reply.status == 200
    customer = reply.json["data"]["customer"]
    assert customer["name"] == "Ada Lovelace" and len(customer["contacts"]["nodes"]) == 2
    assert customer["deals"] is None and customer["tickets"] is None
    denied = {tuple(error["path"]): error["extensions"]["status"] for error in reply.json["errors"]}
    assert denied == {("customer", "deals"): 403, ("customer", "tickets"): 403}
    assert graphql(api, desk, "{ leads { nodes { id } } }").json["errors"][0]["extensions"]["status"] == 403


def test_a_viewer_reads_but_cannot_write(api, login_as, owner, customer):
    viewer = login_as("viewer", org_of=owner)
    assert graphql(api, viewer, f'{{ customer(id: "{customer["id"]}") {{ name }} }}').json == {"data": {"customer": {"name": "Ada Lovelace"}}}
    reply = graphql(api, viewer, 'mutation { create_customer(input: {name: "Nope"}) { id } }')
    assert reply.json["data"] == {"create_customer": None} and reply.json["errors"][0]["extensions"]["status"] == 403
    assert [item["name"] for item in api.get("/v1/customers", as_=owner).json["items"]] == ["Ada Lovelace"]


def test_deleted_records_are_gone_as_in_rest(api, owner, customer):
    note = api.post("/v1/notes", {"customer_id": customer["id"], "body": "soon gone"}, as_=owner).json
    assert api.delete(f"/v1/notes/{note['id']}", as_=owner).status == 204
    reply = graphql(api, owner, f'{{ note(id: "{note["id"]}") {{ id }} customer(id: "{customer["id"]}") {{ notes {{ nodes {{ id }} }} }} }}')
    assert reply.json["data"] == {"note": None, "customer": {"notes": {"nodes": []}}}
    assert reply.json["errors"][0]["extensions"]["status"] == 404


# Limits: refused before anything runs


@pytest.mark.parametrize(
    "query, words",
    [
        ("{ customers { nodes { contacts { nodes { customer { contacts { nodes { customer { contacts { nodes { id } } } } } } } } } } }", "deep"),
        ("{ customers(first: 100) { nodes { deals(first: 100) { nodes { id } } } } }", "costs"),
        ("{ " + " ".join(f'a{index}: customers(first: 1) {{ nodes {{ id }} }}' for index in range(31)) + " }", "aliases"),
        ("query($n: Int) { customers(first: $n) { nodes { contacts(first: $n) { nodes { id name email } } } } }", "costs"),
        ("{ a: customers(first: -100000) { nodes { id name email status owner tags phone } } "
         "customers(first: 100) { nodes { deals(first: 100) { nodes { id } } } } }", "costs"),
    ],
)
def test_over_limit_queries_are_refused_without_a_data_call(api, owner, query, words):
    before = route_dynamodb_calls()
    reply = graphql(api, owner, query, {"n": 100})
    assert route_dynamodb_calls() - before == Counter()
    assert reply.status == 400 and reply.header("Content-Type") == GRAPHQL_JSON
    assert "data" not in reply.json
    (error,) = reply.json["errors"]
    assert words in error["message"] and error["extensions"]["code"] == "LIMIT_EXCEEDED"


def test_fragments_count_toward_the_limits(api, owner):
    query = """
    query { customers(first: 100) { nodes { ...Deep } } }
    fragment Deep on Customer { deals(first: 100) { nodes { id name } } }
    """
    assert graphql(api, owner, query).status == 400


def test_introspection_is_allowed_at_a_rate(api, owner):
    for _ in range(10):
        reply = graphql(api, owner, "{ __schema { queryType { name } } }")
        assert reply.status == 200 and reply.json["data"]["__schema"]["queryType"]["name"] == "Query"
    refused = graphql(api, owner, "{ __type(name: \"Customer\") { name } }")
    assert refused.status == 429 and refused.header("Retry-After")
    assert graphql(api, owner, "{ customers { nodes { id } } }").status == 200


# Malformed requests


@pytest.mark.parametrize(
    "body",
    [
        {"query": "{ customer(id: "},
        {"query": "{ nope }"},
        {"query": "{ customers { nodes { id } } }", "variables": [1]},
        {"query": 3},
        {"query": ""},
        {"variables": {}},
        [1, 2],
        {"query": "query A { customers { nodes { id } } } query B { leads { nodes { id } } }"},
        {"query": "query A { customers { nodes { id } } }", "operationName": "C"},
        {"query": 'query($id: ID!) { customer(id: $id) { id } }', "variables": {"id": {"x": 1}}},
        {"query": "{ customers(first: 0) { nodes { id } } }"},
    ],
)
def test_malformed_queries_are_graphql_errors_never_500(api, owner, body):
    reply = api.post("/v1/graphql", body, as_=owner)
    assert reply.status in (200, 400), reply.body
    assert reply.header("Content-Type") == GRAPHQL_JSON
    assert reply.json["errors"] and all(error["message"] for error in reply.json["errors"])
    assert all(error.get("extensions", {}).get("status") != 500 for error in reply.json["errors"])


def test_a_body_that_is_not_json_is_a_problem(api, owner):
    reply = api.call("POST", "/v1/graphql", raw=b"{nope", as_=owner)
    assert reply.status == 400 and reply.header("Content-Type") == "application/problem+json"


def test_an_unknown_id_shape_is_not_found_without_a_data_call(api, owner):
    before = route_dynamodb_calls()
    reply = graphql(api, owner, '{ customer(id: "x") { id } }')
    assert reply.json["errors"][0]["extensions"]["status"] == 404
    assert route_dynamodb_calls() - before == Counter()


# Mutations through the REST services


def test_mutations_validate_version_and_publish_like_rest(api, owner, delivered_events):
    created = graphql(api, owner, 'mutation { create_customer(input: {name: "Bob", email: "bob@example.com"}) { id name version } }').json
    customer = created["data"]["create_customer"]
    assert customer["version"] == 1
    assert api.get(f"/v1/customers/{customer['id']}", as_=owner).json["email"] == "bob@example.com"

    invalid = graphql(api, owner, 'mutation { create_customer(input: {name: "", bogus: 1}) { id } }').json
    (error,) = invalid["errors"]
    assert error["extensions"]["status"] == 422
    assert {item["field"] for item in error["extensions"]["errors"]} >= {"name", "bogus"}

    stale = 'mutation($id: ID!) { update_customer(id: $id, version: 7, input: {name: "Robert"}) { name } }'
    assert graphql(api, owner, stale, {"id": customer["id"]}).json["errors"][0]["extensions"]["status"] == 412
    fresh = 'mutation($id: ID!) { update_customer(id: $id, version: 1, input: {name: "Robert"}) { name version } }'
    assert graphql(api, owner, fresh, {"id": customer["id"]}).json["data"]["update_customer"] == {"name": "Robert", "version": 2}
    deleted = graphql(api, owner, 'mutation($id: ID!) { delete_customer(id: $id, version: 2) }', {"id": customer["id"]}).json
    assert deleted == {"data": {"delete_customer": True}}
    assert api.get(f"/v1/customers/{customer['id']}", as_=owner).status == 404
    restored = graphql(api, owner, 'mutation($id: ID!) { restore_customer(id: $id) { name } }', {"id": customer["id"]}).json
    assert restored["data"]["restore_customer"] == {"name": "Robert"}
    types = [event.type for event in delivered_events()]
    assert {"customer.created", "customer.updated", "customer.deleted", "customer.restored"} <= set(types)


def test_an_idempotency_key_replays_a_mutation(api, owner):
    mutation = 'mutation { create_contact(input: {name: "Once"}) { id } }'
    headers = {"Idempotency-Key": "graphql-once"}
    first = graphql(api, owner, mutation, headers=headers)
    again = graphql(api, owner, mutation, headers=headers)
    assert first.status == again.status == 200 and first.json == again.json
    assert [item["name"] for item in api.get("/v1/contacts", as_=owner).json["items"]] == ["Once"]
