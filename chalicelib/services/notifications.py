"""How users are told things out of band (password reset codes, invitations). Pluggable: the log notifier is
for local runs (the token appears in the server log); in AWS set NOTIFIER=ses."""
from __future__ import annotations

from functools import lru_cache
from typing import Protocol

from chalicelib.core.settings import get_settings


class Notifier(Protocol):
    def send_password_reset(self, email: str, token: str) -> None: ...

    def send_invitation(self, email: str, token: str) -> None: ...


class LogNotifier:
    def send_password_reset(self, email: str, token: str) -> None:
        from chalicelib.observability import logger

        logger.info("Password reset token issued (local notifier)", extra={"reset_email": email, "reset_token": token})

    def send_invitation(self, email: str, token: str) -> None:
        from chalicelib.observability import logger

        logger.info("Invitation token issued (local notifier)", extra={"invitation_email": email, "invitation_token": token})


@lru_cache(maxsize=1)
def get_notifier() -> Notifier:
    settings = get_settings()
    if settings.notifier == "ses":
        from chalicelib.aws.ses import SesNotifier

        return SesNotifier(from_address=settings.notifier_from_address or "")
    if settings.running_in_lambda:
        raise RuntimeError("NOTIFIER=ses is required in AWS: the log notifier would log secrets")
    return LogNotifier()
