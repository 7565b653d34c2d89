"""/v1/settings: the organization's currency, stage probabilities and SLA targets."""
from chalice import Blueprint

from chalicelib.core.lazy import lazy_module
from chalicelib.platform.routes.authorizer import jwt_authorizer
from chalicelib.platform.routes.requests import etag
from chalicelib.platform.routes.routing import JSON_TYPES, Routes, json_response
from chalicelib.platform.services.roles import READ, WRITE, can

settings_blueprint = Blueprint(__name__)
routes = Routes(settings_blueprint, jwt_authorizer)
MERGE_PATCH_TYPES = [*JSON_TYPES, "application/merge-patch+json"]
settings_admin = lazy_module("chalicelib.platform.services.settings_admin")


def _settings_response(settings):
    return json_response(settings, headers={"ETag": etag(settings["version"])})


@routes.protected("/v1/settings", methods=["GET"], permission=can("settings", READ))
def get_settings(request):
    return _settings_response(settings_admin.get_settings(request.principal))


@routes.protected("/v1/settings", methods=["PUT"], permission=can("settings", WRITE))
def replace_settings(request):
    version = request.expected_version(required=True)
    return _settings_response(settings_admin.replace_settings(request.principal, request.json(), version))


@routes.protected("/v1/settings", methods=["PATCH"], permission=can("settings", WRITE), content_types=MERGE_PATCH_TYPES)
def patch_settings(request):
    version = request.expected_version()
    return _settings_response(settings_admin.patch_settings(request.principal, request.json(), version))
