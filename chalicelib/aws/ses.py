"""Password-reset, invitation and sign-up mail, and the messages products compose, through Amazon SES."""
from __future__ import annotations

from botocore.exceptions import BotoCoreError, ClientError

from chalicelib.core.settings import get_settings
from chalicelib.platform.services.notifications import DeliveryFailed


class SesNotifier:
    def __init__(self, from_address: str) -> None:
        if not from_address:
            raise DeliveryFailed("NOTIFIER_FROM_ADDRESS is required for NOTIFIER=ses")
        self.from_address = from_address

    def send_password_reset(self, email: str, token: str) -> None:
        self._send(
            email,
            "Reset your Zebros password",
            "Use this code to reset your password within one hour:\n\n"
            f"{token}\n\nIf you did not ask for it, ignore this message.",
            code=token,
        )

    def send_invitation(self, email: str, token: str) -> None:
        self._send(
            email,
            "You are invited to Zebros",
            "You have been invited to a Zebros organization. Use this code within seven days to set your "
            f"password and accept:\n\n{token}\n\nIf you did not expect it, ignore this message.",
            code=token,
        )

    # Sign-up mails name no organization: its name is whatever the requester typed, and the mail
    # goes to an address they need not own.
    def send_signup_confirmation(self, email: str, token: str) -> None:
        self._send(
            email,
            "Confirm your Zebros sign-up",
            "Someone, probably you, signed up to Zebros with this address. Use this code within 24 hours "
            f"to confirm and create your organization:\n\n{token}\n\n{_link(token)}"
            "If you did not sign up, ignore this message: nothing is created without it.",
            code=token,
        )

    def send_signup_for_existing_login(self, email: str, token: str) -> None:
        self._send(
            email,
            "A new Zebros organization for your login",
            "Someone asked to create a new Zebros organization with this address, which already has a Zebros "
            "login. To create it, confirm within 24 hours with this code and your current password:\n\n"
            f"{token}\n\n{_link(token)}"
            "If you did not ask for it, ignore this message: your login and organizations are unchanged.",
            code=token,
        )

    def send_message(self, email: str, subject: str, text: str) -> None:
        self._send(email, subject, text, code="")

    def _send(self, email: str, subject: str, text: str, code: str) -> None:
        """`code` is the one the text carries (the local mailbox serves it apart; SES sends the text)."""
        from chalicelib.aws.sessions import client

        try:
            client("ses").send_email(
                Source=self.from_address,
                Destination={"ToAddresses": [email]},
                Message={
                    "Subject": {"Data": subject},
                    "Body": {"Text": {"Data": text}},
                },
            )
        except (ClientError, BotoCoreError) as error:
            raise DeliveryFailed(f"SES did not take the message: {error}") from error


def _link(token: str) -> str:
    """The web client's confirmation page with the code, when one is configured (SIGNUP_CONFIRM_URL)."""
    page = get_settings().signup_confirm_url
    return f"Or open {page}?token={token}\n\n" if page else ""
