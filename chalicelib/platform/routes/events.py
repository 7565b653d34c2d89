"""The stream consumer: each committed audit entry becomes its domain events, delivered to every
consumer (chalicelib/platform/event_consumers.py). In AWS an event source mapping invokes it with
the audit_logs stream's records (retrying a failing batch, halved, then the dead-letter queue);
locally chalicelib/localdev/streams.py reads moto's stream and invokes it the same way."""
from chalice import Blueprint

from chalicelib.core.lazy import lazy_module
from chalicelib.observability import flush_metrics, logger
from chalicelib.platform import event_consumers

events_blueprint = Blueprint(__name__)
event_stream = lazy_module("chalicelib.platform.services.event_stream")


def table_stream(logical_table: str) -> str:
    """The stream ARN `chalice package` writes into the event source mapping. The stream exists
    only once Terraform has created the table, so infra/chalice_package.py replaces this with the
    dynamodb module's `stream_arns["<table>"]`."""
    return f"arn:aws:dynamodb:::table/{logical_table}/stream/from-terraform"


# TRIM_HORIZON: entries committed while the mapping is being (re)created are delivered too.
@events_blueprint.on_dynamodb_record(stream_arn=table_stream("audit_logs"), batch_size=100,
                                     starting_position="TRIM_HORIZON")
def deliver_events(event):
    try:
        images = [record.new_image for record in event if record.event_name == "INSERT"]
        delivered = event_stream.deliver(images, event_consumers.event_consumers())
        logger.info("events delivered", extra={"records": len(images), "events": delivered})
    except Exception:
        logger.exception("event delivery failed; the stream delivers the batch again")
        raise
    finally:
        flush_metrics()
