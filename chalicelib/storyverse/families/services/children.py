"""A family's child profiles (/v1/children): name, age band (or birth year), avatar; the PIN a
parent sets for a child's login; ending a child's sessions.

Parents manage their children: the `children` permissions (owner and admin, members; viewers read).
A child's own session has none of them, so a child neither lists nor edits profiles, its own
included; its token names it (`sub` is its child id).

The age band decides the content restrictions (services/restrictions.py). A profile may give a
birth year instead of a band: the band is derived from it; given both, they must agree (a child
born in 2016 is 9 or 10 this year, whether or not their birthday has passed: either band fits).

Deletion is the CRM's soft delete: restorable for 30 days, then DynamoDB's TTL removes the
profile. Deleting ends the child's sessions at once; while deleted, its PIN and device tokens log
in nothing (the login finds no child), and a restore lets them work again.

The PIN is hashed like a password (argon2id) and never shown, nor written in an audit entry or
event; setting one (or removing it) is audited without its value and does not change the profile's
version (ETag): it is no edit of what the profile says.
"""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from chalicelib.core import clock
from chalicelib.core.errors import ValidationFailed
from chalicelib.core.ids import new_id
from chalicelib.core.validation import validate
from chalicelib.observability import count
from chalicelib.platform.services.passwords import hash_password
from chalicelib.platform.services.roles import Principal
from chalicelib.platform.tables import sessions
from chalicelib.platform.tables.writes import Change, audited, commit
from chalicelib.storyverse.families.services.restrictions import AGE_BANDS, restrictions_for
from chalicelib.storyverse.families.tables.children import ChildModel, children, live

OLDEST_BIRTH_YEAR = 1900
PIN_PATTERN = "^[0-9]{4,8}$"
_FIELDS: dict[str, Any] = {
    "name": {"type": "string", "minLength": 1, "maxLength": 100, "pattern": r"\S"},
    "age_band": {"type": "string", "enum": list(AGE_BANDS)},
    "birth_year": {"type": ["integer", "null"], "minimum": OLDEST_BIRTH_YEAR, "maximum": 9999},
    # A built-in avatar's name or a file id (/v1/files): what the app draws for the child.
    "avatar": {"type": ["string", "null"], "minLength": 1, "maxLength": 200},
}
CHILD_SCHEMA = {
    "type": "object",
    "additionalProperties": False,
    "required": ["name"],
    "anyOf": [{"required": ["age_band"]}, {"required": ["birth_year"]}],
    "properties": _FIELDS,
}
PATCH_SCHEMA = {"type": "object", "additionalProperties": False, "minProperties": 1, "properties": _FIELDS}
PIN_SCHEMA = {
    "type": "object",
    "additionalProperties": False,
    "required": ["pin"],
    "properties": {"pin": {"type": "string", "pattern": PIN_PATTERN}},
}
_NULLABLE_TIME = {"type": ["string", "null"], "format": "date-time"}
CHILD_VIEW = {
    "type": "object",
    "required": ["id", "name", "age_band", "birth_year", "avatar", "restrictions", "has_pin", "pin_locked_until",
                 "created_at", "updated_at", "created_by", "updated_by", "version"],
    "properties": {
        "id": {"type": "string"},
        **_FIELDS,
        "age_band": _FIELDS["age_band"],
        # The content restrictions of the child's age band (services/restrictions.py).
        "restrictions": {
            "type": "object",
            "required": ["allowed_themes", "max_scariness", "vocabulary_level", "image_style", "blocked_words"],
            "properties": {
                "allowed_themes": {"type": "array", "items": {"type": "string"}},
                "max_scariness": {"type": "integer"},
                "vocabulary_level": {"type": "string"},
                "image_style": {"type": "string"},
                "blocked_words": {"type": "array", "items": {"type": "string"}},
            },
        },
        "has_pin": {"type": "boolean"},
        # Until when PIN logins are refused after too many wrong PINs.
        "pin_locked_until": _NULLABLE_TIME,
        "created_at": {"type": "string", "format": "date-time"},
        "updated_at": {"type": "string", "format": "date-time"},
        "created_by": {"type": "string"},
        "updated_by": {"type": "string"},
        "version": {"type": "integer"},
    },
}  # fmt: skip


def create_child(principal: Principal, body: Any) -> dict[str, Any]:
    fields = validate(CHILD_SCHEMA, body)
    fields["name"] = fields["name"].strip()
    fields["age_band"] = _consistent_band(fields.get("age_band"), fields.get("birth_year"))
    child = ChildModel(principal.org_id, new_id(), **{name: value for name, value in fields.items() if value is not None})
    children.insert(child, principal.user_id)
    count("ChildCreated")
    return child_view(child)


def get_child(principal: Principal, child_id: str) -> dict[str, Any]:
    return child_view(children.get(principal.org_id, child_id))


def list_children(principal: Principal, limit: int, cursor: str | None) -> dict[str, Any]:
    items, next_cursor = children.page(principal.org_id, limit, cursor)
    return {"items": [child_view(item) for item in items], "next_cursor": next_cursor}


def patch_child(principal: Principal, child_id: str, body: Any, expected_version: int | None) -> dict[str, Any]:
    """JSON merge patch: a field set to null is removed (birth_year, avatar); the name and the
    band cannot be. The result's band and birth year must agree (422 otherwise, nothing written)."""
    changes = validate(PATCH_SCHEMA, body)
    if "name" in changes:
        changes["name"] = changes["name"].strip()
    current = children.get(principal.org_id, child_id)
    children.check_version(current, expected_version)
    birth_year = changes["birth_year"] if "birth_year" in changes else current.birth_year
    changes["age_band"] = _consistent_band(changes.get("age_band"), birth_year, current=current.age_band)
    to_commit, updated = children.modification(current, changes, principal.user_id)
    if to_commit:
        commit(to_commit)
        count("ChildUpdated")
    return child_view(updated)


def delete_child(principal: Principal, child_id: str, expected_version: int | None) -> None:
    children.soft_delete(principal.org_id, child_id, expected_version, principal.user_id)
    sessions.revoke_all_for_user(child_id, clock.epoch_seconds())
    count("ChildDeleted")


def restore_child(principal: Principal, child_id: str) -> dict[str, Any]:
    restored = children.restore(principal.org_id, child_id, principal.user_id)
    count("ChildRestored")
    return child_view(restored)


def age_band_of(org_id: str, child_id: str) -> str:
    """The child's age band (one of restrictions.AGE_BANDS); NotFound for a missing or deleted child."""
    return children.get(org_id, child_id).age_band


# Logins the parent controls


def set_pin(principal: Principal, child_id: str, body: Any) -> None:
    """Set (or replace) the child's PIN; a new PIN also lifts a lockout."""
    pin = validate(PIN_SCHEMA, body)["pin"]
    if _guessable(pin):
        detail = "is too easy to guess (one digit repeated, or digits in a row like 1234)"
        raise ValidationFailed(f"The request body is invalid: pin {detail}.", [{"field": "pin", "message": detail}])
    _commit_login_change(principal, child_id, "pin_set", [
        ChildModel.pin_hash.set(hash_password(pin)), ChildModel.pin_set_at.set(clock.now()),
        ChildModel.failed_pins.remove(), ChildModel.locked_until.remove(),
    ])  # fmt: skip
    count("ChildPinSet")


def remove_pin(principal: Principal, child_id: str) -> None:
    _commit_login_change(principal, child_id, "pin_removed", [
        ChildModel.pin_hash.remove(), ChildModel.pin_set_at.remove(), ChildModel.failed_pins.remove(),
        ChildModel.locked_until.remove(),
    ])  # fmt: skip
    count("ChildPinRemoved")


def revoke_sessions(principal: Principal, child_id: str) -> None:
    """End every session of the child: its access tokens are refused from the next request (the
    authorizer reads the session), its refresh tokens renew nothing. Device tokens and the PIN
    still log in; revoke those (or remove the PIN) to keep the child out."""
    children.get(principal.org_id, child_id)
    sessions.revoke_all_for_user(child_id, clock.epoch_seconds())
    audit, event = audited(principal.org_id, principal.user_id, "sessions_revoked", "child", child_id, {})
    commit([Change("check", ChildModel(principal.org_id, child_id), condition=live(), on_condition_failed=children.not_found(),
                   audit=audit, event=event)])  # fmt: skip
    count("ChildSessionsRevoked")


def _commit_login_change(principal: Principal, child_id: str, action: str, actions: list) -> None:
    audit, event = audited(principal.org_id, principal.user_id, action, "child", child_id, {})
    commit([Change("update", ChildModel(principal.org_id, child_id), actions=actions, condition=live(),
                   on_condition_failed=children.not_found(), audit=audit, event=event)])  # fmt: skip


def _guessable(pin: str) -> bool:
    steps = {int(b) - int(a) for a, b in zip(pin, pin[1:])}
    return len(steps) == 1 and steps <= {-1, 0, 1}


def bands_of_birth_year(birth_year: int, year: int) -> list[str]:
    """The bands a child born in `birth_year` may be in during `year` (before and after their birthday)."""
    return list(dict.fromkeys(_band_of_age(age) for age in (year - birth_year - 1, year - birth_year)))


def _band_of_age(age: int) -> str:
    return "under_7" if age < 7 else "7_12" if age <= 12 else "13_plus"


def _consistent_band(age_band: str | None, birth_year: int | None, current: str | None = None) -> str:
    """The band the profile ends with: the one given, else the `current` one if the birth year
    allows it, else the one the birth year gives (the age the child turns this year); 422 when
    the band given and the birth year disagree."""
    if birth_year is None:
        band = age_band or current
        assert band is not None  # the creation schema requires a band or a birth year
        return band
    year = clock.now().year
    if birth_year > year:
        detail = f"must not be in the future (it is {year})"
        raise ValidationFailed(f"The request body is invalid: birth_year {detail}.", [{"field": "birth_year", "message": detail}])
    possible = bands_of_birth_year(birth_year, year)
    if age_band is None:
        return current if current in possible else possible[-1]
    if age_band not in possible:
        ages = f"{year - birth_year - 1} or {year - birth_year}" if year > birth_year else "0"
        detail = f"is {age_band}, but a child born in {birth_year} is {ages} this year ({' or '.join(possible)})"
        raise ValidationFailed(f"The request body is invalid: age_band {detail}.", [{"field": "age_band", "message": detail}])
    return age_band


def child_view(child: ChildModel) -> dict[str, Any]:
    rules = restrictions_for(child.age_band)
    locked = child.locked_until if child.locked_until and child.locked_until > clock.epoch_seconds() else None
    locked_until = datetime.fromtimestamp(locked, timezone.utc) if locked else None
    return {
        "id": child.child_id,
        "name": child.name,
        "age_band": child.age_band,
        "birth_year": child.birth_year,
        "avatar": child.avatar,
        "restrictions": {
            "allowed_themes": list(rules.allowed_themes),
            "max_scariness": rules.max_scariness,
            "vocabulary_level": rules.vocabulary_level,
            "image_style": rules.image_style,
            "blocked_words": list(rules.blocked_words),
        },
        "has_pin": child.pin_hash is not None,
        "pin_locked_until": clock.isoformat(locked_until) if locked_until else None,
        "created_at": clock.isoformat(child.created_at),
        "updated_at": clock.isoformat(child.updated_at),
        "created_by": child.created_by,
        "updated_by": child.updated_by,
        "version": child.version,
    }
