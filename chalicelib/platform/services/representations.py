"""How a record type's fields look in each API version (docs/api/versions.md): the body schema a
version validates (so its errors name that version's fields), what a validated body stores, and
what a stored record shows. One service serves every version through its representation; a record
type declares it once, with its service.

v2 splits a person's name: `{"given": "Ada", "family": "Lovelace"}` in bodies, plus the read-only
`full` in responses. The parts are stored beside the display name (`given_name`, `family_name`),
which v1, search and sort keep using, so no version guesses a split: a v1 write of `name` clears
the parts, and v2 shows a name written through v1 with `given` and `family` null and its `full`."""
from __future__ import annotations

from typing import Any

from chalicelib.core.errors import ValidationFailed

# The API's versions, oldest first (negotiated in platform/routes/versions.py).
VERSIONS = (1, 2)

_PART = {"type": ["string", "null"], "minLength": 1, "pattern": r"\S"}
# The display name is "<given> <family>", at most 200 characters as in v1.
PERSON_NAME_SCHEMA = {
    "type": "object",
    "additionalProperties": False,
    "minProperties": 1,
    "properties": {"given": {**_PART, "maxLength": 100}, "family": {**_PART, "maxLength": 99}},
}
PERSON_NAME_VIEW = {
    "type": "object",
    "required": ["given", "family", "full"],
    "properties": {
        "given": {"type": ["string", "null"]},
        "family": {"type": ["string", "null"]},
        "full": {"type": "string", "description": "The display name (v1's `name`): given and family, space-separated."},
    },
}


class Representation:
    """A record type shown the same in every version."""

    def properties(self, properties: dict[str, Any], version: int) -> dict[str, Any]:
        return properties

    def view_properties(self, properties: dict[str, Any], version: int) -> dict[str, Any]:
        """The fields of a record's view in `version`, for the OpenAPI document."""
        return self.properties(properties, version)

    def stored(self, changes: dict[str, Any], current: Any, version: int) -> dict[str, Any]:
        """Validated body fields as the record stores them; `current` is the record a merge patch
        applies to (None for a create or a replacement)."""
        return changes

    def shown(self, view: dict[str, Any], record: Any, version: int) -> dict[str, Any]:
        return view


class PersonName(Representation):
    """From v2, the record's `name` is a person's, in parts (module docstring)."""

    def properties(self, properties: dict[str, Any], version: int) -> dict[str, Any]:
        return properties if version == 1 else {**properties, "name": PERSON_NAME_SCHEMA}

    def view_properties(self, properties: dict[str, Any], version: int) -> dict[str, Any]:
        return properties if version == 1 else {**properties, "name": PERSON_NAME_VIEW}

    def stored(self, changes: dict[str, Any], current: Any, version: int) -> dict[str, Any]:
        if "name" not in changes:
            return changes
        if version == 1:
            return {**changes, "given_name": None, "family_name": None}
        parts = {"given": None, "family": None}
        if current is not None:  # JSON Merge Patch: the parts a patch leaves out stay
            parts = {"given": current.given_name, "family": current.family_name}
        parts.update(changes["name"])
        if not (parts["given"] or parts["family"]):
            raise ValidationFailed(
                "The request body is invalid: name needs a given or a family name",
                [{"field": "name", "message": "name needs a given or a family name"}],
            )
        full = " ".join(part for part in (parts["given"], parts["family"]) if part)
        return {**changes, "name": full, "given_name": parts["given"], "family_name": parts["family"]}

    def shown(self, view: dict[str, Any], record: Any, version: int) -> dict[str, Any]:
        if version == 1:
            return view
        return {**view, "name": {"given": record.given_name, "family": record.family_name, "full": record.name}}
