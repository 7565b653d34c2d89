"""The reminder schedule: every minute, meetings and tasks due soon are reminded (once each)."""
from chalice import Blueprint, Rate

from chalicelib.core.lazy import lazy_module
from chalicelib.observability import flush_metrics, logger

reminders_blueprint = Blueprint(__name__)
reminders = lazy_module("chalicelib.crm.contact_management.services.reminders")


@reminders_blueprint.schedule(Rate(1, unit=Rate.MINUTES))
def send_reminders(event):
    try:
        logger.info("reminders sent", extra={"reminded": reminders.send_due_reminders()})
    finally:
        flush_metrics()
