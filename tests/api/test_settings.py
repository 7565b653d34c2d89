"""Settings: defaults, replace with If-Match, merge patch, validation, audit, roles, tenancy."""
from __future__ import annotations

import pytest

from chalicelib.platform.services.org_settings import DEFAULT_SLA_TARGETS, DEFAULT_STAGE_PROBABILITIES


def history(api, caller):
    reply = api.get(f"/v1/audit-logs?target_type=settings&target_id={caller.org_id}", as_=caller)
    assert reply.status == 200, reply.body
    return reply.json["items"]


def test_a_new_organization_has_the_defaults_at_version_0(api, owner):
    reply = api.get("/v1/settings", as_=owner)
    assert reply.status == 200 and reply.header("etag") == '"0"'
    assert reply.json == {"currency": "USD", "stage_probabilities": DEFAULT_STAGE_PROBABILITIES,
                          "sla_targets": DEFAULT_SLA_TARGETS, "record_visibility": "everyone",
                          "time_zone": "UTC", "version": 0}


def test_put_replaces_with_if_match_and_is_audited(api, owner):
    body = {"currency": "EUR", "stage_probabilities": {"lead": 5, "proposal": 60},
            "sla_targets": {"urgent": {"first_response_minutes": 15, "resolution_minutes": 120}}}
    reply = api.put("/v1/settings", body, as_=owner, headers={"If-Match": '"0"'})
    assert reply.status == 200, reply.body
    assert reply.header("etag") == '"1"'
    settings = reply.json
    assert settings["currency"] == "EUR"
    assert settings["stage_probabilities"] == {**DEFAULT_STAGE_PROBABILITIES, "lead": 5, "proposal": 60}
    assert settings["sla_targets"]["urgent"] == {"first_response_minutes": 15, "resolution_minutes": 120}
    assert settings["sla_targets"]["low"] == DEFAULT_SLA_TARGETS["low"]
    assert api.get("/v1/settings", as_=owner).json == settings
    (entry,) = history(api, owner)
    assert entry["action"] == "updated" and entry["actor"] == owner.user_id
    assert entry["changes"]["currency"] == {"from": "USD", "to": "EUR"}
    assert set(entry["changes"]) == {"currency", "stage_probabilities", "sla_targets"}
    again = api.put("/v1/settings", {"currency": "GBP"}, as_=owner, headers={"If-Match": '"1"'})
    assert again.json["stage_probabilities"] == DEFAULT_STAGE_PROBABILITIES, "PUT replaces: left out is default"


def test_put_needs_a_current_if_match(api, owner):
    assert api.put("/v1/settings", {"currency": "EUR"}, as_=owner).status == 428
    stale = api.put("/v1/settings", {"currency": "EUR"}, as_=owner, headers={"If-Match": '"3"'})
    assert stale.status == 412 and stale.json["current_version"] == 0
    assert api.put("/v1/settings", {"currency": "EUR"}, as_=owner, headers={"If-Match": '"0"'}).status == 200
    assert api.put("/v1/settings", {"currency": "JPY"}, as_=owner, headers={"If-Match": '"0"'}).status == 412
    assert api.get("/v1/settings", as_=owner).json["currency"] == "EUR"


def test_patch_merges_per_stage_and_per_priority(api, owner):
    api.patch("/v1/settings", {"currency": "CAD"}, as_=owner)
    reply = api.patch("/v1/settings", {"stage_probabilities": {"negotiation": 80},
                                       "sla_targets": {"high": {"resolution_minutes": 600}}},
                      as_=owner, headers={"Content-Type": "application/merge-patch+json", "If-Match": '"1"'})
    assert reply.status == 200, reply.body
    assert reply.json["currency"] == "CAD" and reply.json["version"] == 2
    assert reply.json["stage_probabilities"]["negotiation"] == 80
    assert reply.json["stage_probabilities"]["lead"] == DEFAULT_STAGE_PROBABILITIES["lead"]
    assert reply.json["sla_targets"]["high"] == {"first_response_minutes": 120, "resolution_minutes": 600}
    reset = api.patch("/v1/settings", {"currency": None, "stage_probabilities": None}, as_=owner)
    assert reset.json["currency"] == "USD" and reset.json["stage_probabilities"] == DEFAULT_STAGE_PROBABILITIES
    assert [entry["action"] for entry in history(api, owner)] == ["updated"] * 3


def test_the_time_zone_is_an_iana_name_and_null_resets_it(api, owner):
    reply = api.patch("/v1/settings", {"time_zone": "Europe/Paris"}, as_=owner)
    assert reply.status == 200 and reply.json["time_zone"] == "Europe/Paris"
    assert api.put("/v1/settings", {"currency": "EUR"}, as_=owner, headers={"If-Match": '"1"'}).json["time_zone"] == "UTC"
    api.patch("/v1/settings", {"time_zone": "Asia/Kolkata"}, as_=owner)
    assert api.patch("/v1/settings", {"time_zone": None}, as_=owner).json["time_zone"] == "UTC"
    assert history(api, owner)[0]["changes"]["time_zone"] == {"from": "Asia/Kolkata", "to": "UTC"}


def test_a_patch_that_changes_nothing_writes_nothing(api, owner):
    reply = api.patch("/v1/settings", {"currency": "USD"}, as_=owner)
    assert reply.status == 200 and reply.json["version"] == 0
    assert history(api, owner) == []


@pytest.mark.parametrize(
    "body, field",
    [
        ({"currency": "euro"}, "currency"),
        ({"currency": "EU"}, "currency"),
        ({"stage_probabilities": {"lead": 101}}, "stage_probabilities.lead"),
        ({"stage_probabilities": {"lead": -1}}, "stage_probabilities.lead"),
        ({"stage_probabilities": {"lead": 0.5}}, "stage_probabilities.lead"),
        ({"stage_probabilities": {"closed_won": 90}}, "stage_probabilities.closed_won"),
        ({"stage_probabilities": {"closed_lost": 5}}, "stage_probabilities.closed_lost"),
        ({"stage_probabilities": {"won": 50}}, "stage_probabilities.won"),
        ({"sla_targets": {"urgent": {"first_response_minutes": 0}}}, "sla_targets.urgent.first_response_minutes"),
        ({"sla_targets": {"urgent": {"resolution_minutes": "soon"}}}, "sla_targets.urgent.resolution_minutes"),
        ({"sla_targets": {"critical": {"resolution_minutes": 5}}}, "sla_targets.critical"),
        ({"sla_targets": {"low": {"first_response_minutes": 20000}}}, "sla_targets.low"),
        ({"timezone": "UTC"}, "timezone"),
        ({"time_zone": "Mars/Olympus_Mons"}, "time_zone"),
        ({"time_zone": "../../etc/passwd"}, "time_zone"),
        ({"time_zone": ""}, "time_zone"),
    ],
)
@pytest.mark.parametrize("method", ["put", "patch"])
def test_invalid_settings_are_422_naming_the_field(api, owner, body, field, method):
    reply = getattr(api, method)("/v1/settings", body, as_=owner, headers={"If-Match": '"0"'})
    assert reply.status == 422, reply.body
    assert field in [error["field"] for error in reply.json["errors"]]
    assert api.get("/v1/settings", as_=owner).json["version"] == 0


@pytest.mark.parametrize("role", ["member", "viewer"])
def test_members_and_viewers_read_settings_but_cannot_change_them(api, login_as, owner, role):
    caller = login_as(role, org_of=owner)
    assert api.get("/v1/settings", as_=caller).status == 200
    assert api.put("/v1/settings", {"currency": "EUR"}, as_=caller, headers={"If-Match": '"0"'}).status == 403
    assert api.patch("/v1/settings", {"currency": "EUR"}, as_=caller).status == 403
    assert api.get("/v1/settings", as_=owner).json["currency"] == "USD"


def test_admins_change_settings(api, login_as, owner):
    admin = login_as("admin", org_of=owner)
    assert api.patch("/v1/settings", {"currency": "EUR"}, as_=admin).status == 200


def test_settings_are_per_organization(api, login_as, owner):
    other = login_as("owner")
    api.patch("/v1/settings", {"currency": "EUR"}, as_=other)
    assert api.get("/v1/settings", as_=owner).json["currency"] == "USD"
    assert api.get("/v1/settings", as_=other).json["currency"] == "EUR"
    assert history(api, owner) == []
