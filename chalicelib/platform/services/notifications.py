"""How users are told things out of band (password reset codes, invitations, sign-up confirmations), and
how products send the messages they compose (marketing automations' emails). Pluggable: in AWS set
NOTIFIER=ses; `make run` keeps mail in a local mailbox (LOCAL_MAILBOX_FILE, read at /_local/mail);
otherwise the log notifier writes the token to the server log."""
from __future__ import annotations

from functools import lru_cache
from typing import Callable, Protocol

from chalicelib.core.settings import get_settings


class DeliveryFailed(Exception):
    """The message could not be handed to the mail service (configuration, permission, rejection, network)."""


class Notifier(Protocol):
    def send_password_reset(self, email: str, token: str) -> None: ...

    def send_invitation(self, email: str, token: str) -> None: ...

    def send_signup_confirmation(self, email: str, token: str) -> None: ...

    def send_signup_for_existing_login(self, email: str, token: str) -> None: ...

    def send_message(self, email: str, subject: str, text: str) -> None:
        """A message a product composed (a marketing email from a template, a note to users)."""


class LogNotifier:
    def send_password_reset(self, email: str, token: str) -> None:
        from chalicelib.observability import logger

        logger.info("Password reset token issued (local notifier)", extra={"reset_email": email, "reset_token": token})

    def send_invitation(self, email: str, token: str) -> None:
        from chalicelib.observability import logger

        logger.info("Invitation token issued (local notifier)", extra={"invitation_email": email, "invitation_token": token})

    def send_signup_confirmation(self, email: str, token: str) -> None:
        from chalicelib.observability import logger

        logger.info("Sign-up token issued (local notifier)", extra={"signup_email": email, "signup_token": token})

    def send_signup_for_existing_login(self, email: str, token: str) -> None:
        from chalicelib.observability import logger

        logger.info(
            "Sign-up token for an existing login issued (local notifier)",
            extra={"signup_email": email, "signup_token": token, "signup_needs_password": True},
        )

    def send_message(self, email: str, subject: str, text: str) -> None:
        from chalicelib.observability import logger

        logger.info("Message sent (local notifier)", extra={"message_email": email, "message_subject": subject})


@lru_cache(maxsize=1)
def get_notifier() -> Notifier:
    settings = get_settings()
    if settings.notifier == "ses":
        from chalicelib.aws.ses import SesNotifier

        return SesNotifier(from_address=settings.notifier_from_address or "")
    if settings.running_in_lambda:
        raise DeliveryFailed("NOTIFIER=ses is required in AWS: the log notifier would log secrets")
    if settings.local_mailbox_file:
        from chalicelib.localdev.mailbox import MailboxNotifier

        return MailboxNotifier(settings.local_mailbox_file)
    return LogNotifier()


def deliver(kind: str, send: Callable[[], None]) -> bool:
    """Run `send`; a delivery failure is logged and counted (NotificationDeliveryFailed), never raised:
    whether a reset mail could be sent must not change what the caller sees."""
    from chalicelib.observability import count, logger

    try:
        send()
    except DeliveryFailed as failure:
        logger.warning("Notification not delivered", extra={"notification": kind, "reason": str(failure)})
        count("NotificationDeliveryFailed")
        return False
    return True
