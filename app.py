"""Zebros API: creates the app, registers middleware and each product's blueprints. Nothing else
lives here. The platform comes first; a product adds its blueprints (chalicelib/<product>/blueprints.py)
and its tables (chalicelib/<product>/models.py, composed in chalicelib/tables.py)."""
from chalice import Chalice

from chalicelib.core.settings import get_settings
from chalicelib.crm.blueprints import CRM_BLUEPRINTS
from chalicelib.platform.attachables import register_attachables
from chalicelib.platform.blueprints import PLATFORM_BLUEPRINTS
from chalicelib.platform.event_consumers import register_consumers
from chalicelib.platform.exports import register_exports
from chalicelib.platform.kinds import register_kinds
from chalicelib.platform.routes.persisted_queries import register_persisted_queries
from chalicelib.platform.routes import websocket
from chalicelib.platform.routes.middleware import register_middleware
from chalicelib.storyverse.blueprints import STORYVERSE_BLUEPRINTS

app = Chalice(app_name="zebros")
app.debug = False

register_middleware(app)
if not get_settings().running_in_lambda:
    from chalicelib.platform.routes.local_gateway import emulate_api_gateway

    emulate_api_gateway(app)
    if get_settings().local_mailbox_file:
        from chalicelib.localdev.mailbox_routes import mailbox_blueprint

        app.register_blueprint(mailbox_blueprint)

for blueprint in (*PLATFORM_BLUEPRINTS, *CRM_BLUEPRINTS, *STORYVERSE_BLUEPRINTS):
    app.register_blueprint(blueprint)
# The record kinds clients sync, by product (imported on the first sync request).
register_kinds("chalicelib.crm.kinds")
register_kinds("chalicelib.storyverse.kinds")
# The GraphQL documents a product's screens run by GET /v1/graphql (read on the first such request).
register_persisted_queries("chalicelib/crm/graphql")
# The record types files attach to, by product (imported on the first files request).
register_attachables("chalicelib.crm.attachables")
register_attachables("chalicelib.storyverse.attachables")
# The consumers of domain events a product adds (imported on the stream consumer's first batch).
register_consumers("chalicelib.crm.event_consumers")
# The list routes POST /v1/exports may export, by product (imported on the first export).
register_exports("chalicelib.crm.exports")

# The WebSocket API (real-time events): Chalice takes WebSocket handlers from the app only.
app.experimental_feature_flags.update(["WEBSOCKETS"])


@app.on_ws_connect()
def websocket_connect(event):
    return websocket.on_connect(event)


@app.on_ws_message()
def websocket_message(event):
    return websocket.on_message(event)


@app.on_ws_disconnect()
def websocket_disconnect(event):
    return websocket.on_disconnect(event)
