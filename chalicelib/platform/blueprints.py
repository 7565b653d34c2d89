"""The platform's blueprints, registered by app.py before any product's."""
from chalicelib.platform.routes.api_keys import api_keys_blueprint
from chalicelib.platform.routes.audit_logs import audit_logs_blueprint
from chalicelib.platform.routes.auth import auth_blueprint
from chalicelib.platform.routes.authorizer import authorizer_blueprint
from chalicelib.platform.routes.custom_fields import custom_fields_blueprint
from chalicelib.platform.routes.docs import docs_blueprint
from chalicelib.platform.routes.events import events_blueprint
from chalicelib.platform.routes.exports import exports_blueprint
from chalicelib.platform.routes.files import files_blueprint
from chalicelib.platform.routes.graphql_endpoint import graphql_blueprint
from chalicelib.platform.routes.health import health_blueprint
from chalicelib.platform.routes.hello import hello_blueprint
from chalicelib.platform.routes.jobs import jobs_blueprint
from chalicelib.platform.routes.openapi import openapi_blueprint
from chalicelib.platform.routes.roles import roles_blueprint
from chalicelib.platform.routes.settings import settings_blueprint
from chalicelib.platform.routes.sync import sync_blueprint
from chalicelib.platform.routes.sync_push import sync_push_blueprint
from chalicelib.platform.routes.teams import teams_blueprint
from chalicelib.platform.routes.usage import usage_blueprint
from chalicelib.platform.routes.users import users_blueprint

PLATFORM_BLUEPRINTS = (
    authorizer_blueprint,
    health_blueprint,
    auth_blueprint,
    hello_blueprint,
    # The API's contract, generated from the routes' declarations
    openapi_blueprint,
    # The API reference and the errors page (GET /docs)
    docs_blueprint,
    # Admin
    users_blueprint,
    roles_blueprint,
    settings_blueprint,
    teams_blueprint,
    custom_fields_blueprint,
    audit_logs_blueprint,
    # Metered actions' daily counts
    usage_blueprint,
    # Organization API keys (server-to-server access)
    api_keys_blueprint,
    # Offline sync: the change feed
    sync_blueprint,
    # Offline sync: changes pushed by devices
    sync_push_blueprint,
    # Domain events from the audit_logs stream
    events_blueprint,
    # GraphQL over the record types the REST routes declare
    graphql_blueprint,
    # Files attached to records (presigned S3 uploads and downloads)
    files_blueprint,
    # Long-running work on Step Functions, and data export
    jobs_blueprint,
    exports_blueprint,
)
