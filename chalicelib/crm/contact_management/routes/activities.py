"""/v1/activities: calls, emails, meetings and tasks of customers as records of their own (read,
change, delete, restore; list by customer, type, status, assignee and due range;
`?assignee=me&status=open` is the caller's task list). They take the customers permissions: an
activity is part of a customer's history."""
from chalice import Blueprint

from chalicelib.core.lazy import lazy_module
from chalicelib.platform.routes.authorizer import jwt_authorizer
from chalicelib.platform.routes.records import RecordSchemas, functions_of, query_parameters, record_routes
from chalicelib.platform.routes.routing import Routes
from chalicelib.platform.routes.versions import UNCHANGED

activities_blueprint = Blueprint(__name__)
routes = Routes(activities_blueprint, jwt_authorizer)
activities = lazy_module("chalicelib.crm.contact_management.services.activities")

record_routes(
    routes, "customers", "/v1/activities", "activity_id", ("activity", "activities"),
    functions_of(activities, "activity", "activities"),
    operations=("list", "create", "get", "patch", "delete", "restore"), list_arguments=query_parameters,
    schemas=RecordSchemas(activities, create="ACTIVITY_SCHEMA", patch="PATCH_SCHEMA", filters="LIST_FILTERS", choices="LIST_CHOICES"),
    versioning=UNCHANGED,
)
