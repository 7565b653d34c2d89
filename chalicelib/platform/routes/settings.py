"""/v1/settings: the organization's currency, stage probabilities, SLA targets and record visibility."""
from chalice import Blueprint

from chalicelib.core.lazy import lazy_module
from chalicelib.platform.routes.authorizer import jwt_authorizer
from chalicelib.platform.routes.contracts import Contract, as_stored
from chalicelib.platform.routes.requests import etag
from chalicelib.platform.routes.routing import JSON_TYPES, Routes, json_response
from chalicelib.platform.services.roles import READ, WRITE, can

settings_blueprint = Blueprint(__name__)
routes = Routes(settings_blueprint, jwt_authorizer)
MERGE_PATCH_TYPES = [*JSON_TYPES, "application/merge-patch+json"]
settings_admin = lazy_module("chalicelib.platform.services.settings_admin")
ETAG_HEADER = {"ETag": "The settings' version, for If-Match."}


def settings_view() -> dict:
    """The settings as answered, for the OpenAPI document: SETTINGS_SCHEMA's fields as stored, and
    the version."""
    fields = as_stored(settings_admin.SETTINGS_SCHEMA)
    return {**fields, "properties": {**fields["properties"], "version": {"type": "integer"}}, "additionalProperties": True}


def _settings_response(settings):
    return json_response(settings, headers={"ETag": etag(settings["version"])})


@routes.protected(
    "/v1/settings", methods=["GET"], permission=can("settings", READ),
    contract=Contract(responses={200: settings_view}, response_headers=ETAG_HEADER),
)  # fmt: skip
def get_settings(request):
    return _settings_response(settings_admin.get_settings(request.principal))


@routes.protected(
    "/v1/settings", methods=["PUT"], permission=can("settings", WRITE),
    contract=Contract(
        body=lambda: settings_admin.SETTINGS_SCHEMA, if_match="required", responses={200: settings_view}, errors=(409,),
        response_headers=ETAG_HEADER,
    ),
)  # fmt: skip
def replace_settings(request):
    version = request.expected_version(required=True)
    return _settings_response(settings_admin.replace_settings(request.principal, request.json(), version))


@routes.protected(
    "/v1/settings", methods=["PATCH"], permission=can("settings", WRITE), content_types=MERGE_PATCH_TYPES,
    contract=Contract(
        body=lambda: settings_admin.SETTINGS_PATCH_SCHEMA, if_match="optional", responses={200: settings_view}, errors=(409,),
        response_headers=ETAG_HEADER,
    ),
)  # fmt: skip
def patch_settings(request):
    version = request.expected_version()
    return _settings_response(settings_admin.patch_settings(request.principal, request.json(), version))
