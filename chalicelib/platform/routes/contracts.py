"""What a route takes and gives, declared where the route is (`Routes.public/protected/batch`,
`record_routes`), for the OpenAPI document (platform/routes/openapi.py).

`Routes` already knows a route's path, methods, permission, path id shapes, content types and
whether it is idempotent; a `Contract` adds the rest: its body, query parameters, the bodies it
answers per status and the errors its service raises beyond those the route's shape implies.

Schemas are referenced, never imported, where routes are declared: importing the app must not load
a service (cold start, core/lazy.py). A `SchemaRef` is resolved only when the document is generated:
- "package.module:ATTRIBUTE" (a service's JSON Schema, e.g. its `INVITE_SCHEMA`),
- "#Name", a schema of the document's components (a record's view, "#Problem"),
- a callable returning the schema, or the schema itself (a dict).
"""
from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

SchemaRef = str | Callable[[], Any] | Mapping[str, Any]

# A response whose shape the API does not fix (a computed report, a free-form record): said honestly.
FREE_FORM: dict[str, Any] = {"type": "object", "additionalProperties": True}


@dataclass(frozen=True)
class Contract:
    """`body`: the request body's schema (None: the route reads no body); `body_required`: False
    when an empty body stands for `{}`. `query`: query parameter name -> schema (or a callable returning them); `pages`: the route
    takes `limit` and `cursor`. `responses`: success status -> body schema (None: no body); a route
    declaring none answers 200 with a free-form object. `errors`: statuses the service answers
    beyond those implied by the route (401/403 for a protected route, 404 for a path id, 400/413/
    415/422 for a body, 400/409/422 for an Idempotency-Key, 400/412/428 for If-Match...).
    `if_match`: "required" or "optional" when the route reads If-Match. `created`: the path of what
    a creation made (its id is the response's `created_id`, `id` by default), linked to every
    operation on it. `media_types`: what a success's body is served as (a page of /docs is HTML).
    `tag`, `operation_id` and `summary` default to the path's resource, the view's name and nothing.
    `required_query`: the query parameters the route cannot answer without (a record's files)."""

    body: SchemaRef | None = None
    body_required: bool = True
    query: Mapping[str, SchemaRef] | Callable[[], Mapping[str, SchemaRef]] = field(default_factory=dict)
    pages: bool = False
    responses: Mapping[int, SchemaRef | None] = field(default_factory=dict)
    errors: tuple[int, ...] = ()
    if_match: str | None = None
    created: str | None = None
    created_id: str = "id"
    response_headers: Mapping[str, str] = field(default_factory=dict)
    media_types: tuple[str, ...] = ("application/json",)
    tag: str | None = None
    operation_id: str | None = None
    summary: str | None = None
    required_query: tuple[str, ...] = ()


@dataclass(frozen=True)
class Declaration:
    """A route as `Routes` registered it: what the document says about one operation."""

    path: str
    method: str
    view_name: str
    permission: str | None
    idempotent: bool
    api_key_required: bool
    content_types: tuple[str, ...]
    path_ids: Mapping[str, str]
    contract: Contract


def resolve(reference: SchemaRef) -> Any:
    """The schema a reference names; "#Name" stays a reference into the components."""
    if isinstance(reference, Mapping):
        return reference
    if callable(reference):
        return reference()
    if reference.startswith("#"):
        return {"$ref": f"#/components/schemas/{reference[1:]}"}
    module, _, attribute = reference.partition(":")
    value: Any = importlib.import_module(module)
    for name in attribute.split("."):
        value = getattr(value, name)
    return value


def object_of(**fields: Any) -> dict[str, Any]:
    """An object with exactly these fields, each always present: `object_of(message=STRING)`."""
    return {"type": "object", "required": list(fields), "properties": fields, "additionalProperties": False}


STRING: dict[str, Any] = {"type": "string"}


def page_of(item: SchemaRef) -> Callable[[], dict[str, Any]]:
    """A list page: `{"items": [...], "next_cursor": ...}` (docs/conventions.md, Reads)."""
    return lambda: {
        "type": "object",
        "required": ["items", "next_cursor"],
        "properties": {"items": {"type": "array", "items": resolve(item)}, "next_cursor": {"type": ["string", "null"]}},
    }


# Keywords that constrain what a client may send but not what a stored record holds: a record
# read back carries defaults, nulls and values written before a limit changed, and choices only
# other routes make (a lead is created editable and converted by its own route; an opportunity is
# created at its first stage and moved by /stage), so choices (`enum`, `const`) go too.
_INPUT_ONLY = (
    "enum", "const", "required", "minProperties", "maxProperties", "minLength", "maxLength", "pattern", "format", "minimum",
    "maximum", "exclusiveMinimum", "exclusiveMaximum", "minItems", "maxItems", "uniqueItems", "propertyNames",
    "multipleOf", "not", "dependentRequired", "default",
)


def as_stored(schema: Any) -> Any:
    """A request schema turned into what a response shows of the same fields: the types it
    keeps, the input limits and choices dropped, further properties allowed (views add computed
    fields), and `oneOf` as `anyOf` (alternatives loosened alike may overlap)."""
    if isinstance(schema, list):
        return [as_stored(item) for item in schema]
    if not isinstance(schema, Mapping):
        return schema
    stored: dict[str, Any] = {}
    for keyword, value in schema.items():
        if keyword in _INPUT_ONLY:
            continue
        if keyword == "additionalProperties":
            if isinstance(value, Mapping):
                stored[keyword] = as_stored(value)
        elif keyword == "properties":
            stored[keyword] = {name: as_stored(property_schema) for name, property_schema in value.items()}
        elif keyword == "oneOf":
            stored["anyOf"] = as_stored(value)
        else:
            stored[keyword] = as_stored(value)
    return stored


def nullable(schema: Any) -> dict[str, Any]:
    """A field a view shows as null when the record has no value for it."""
    return {"anyOf": [schema, {"type": "null"}]}


BOOKKEEPING: dict[str, Any] = {
    "id": {"type": "string"},
    "created_at": {"type": "string"},
    "updated_at": {"type": "string"},
    "version": {"type": "integer"},
}


def record_view(
    properties: SchemaRef,
    shown: Callable[[], tuple[str, ...]] | None = None,
    optional: Callable[[], tuple[str, ...]] | None = None,
) -> Callable[[], dict[str, Any]]:
    """A record as its view answers it: `id`, the record's fields (`properties`, the request
    schema's, as stored and nullable) and the bookkeeping every record view returns. With `shown`,
    the exact attributes the view lists (a searchable record's `view`); otherwise the view may show
    more than its request schema names, and says so. `optional`: the fields that may be null (by
    default all but the bookkeeping)."""

    def schema() -> dict[str, Any]:
        fields = resolve(properties)
        fields = fields.get("properties", fields) if "type" in fields else fields
        listed = shown() if shown is not None else None
        names = listed if listed is not None else tuple(fields)
        may_be_null = optional() if optional is not None else names

        def stored(name: str) -> Any:
            schema = as_stored(fields[name])
            return nullable(schema) if name in may_be_null else schema

        view: dict[str, Any] = {
            "type": "object",
            "required": ["id", *(listed or ())],
            "properties": {
                "id": BOOKKEEPING["id"],
                **{name: stored(name) if name in fields else {} for name in names},
                **{name: schema for name, schema in BOOKKEEPING.items() if name != "id"},
            },
        }
        if listed is None:
            view["additionalProperties"] = True
        else:
            view["required"] += ["created_at", "updated_at", "version"]
            view["additionalProperties"] = False
        return view

    return schema


def query_of(contract: Contract) -> Mapping[str, SchemaRef]:
    return contract.query() if callable(contract.query) else contract.query
