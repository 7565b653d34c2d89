"""Password-reset and invitation mail through Amazon SES."""
from __future__ import annotations

from botocore.exceptions import BotoCoreError, ClientError

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
        )

    def send_invitation(self, email: str, token: str) -> None:
        self._send(
            email,
            "You are invited to Zebros",
            "You have been invited to a Zebros organization. Use this code within seven days to set your "
            f"password and accept:\n\n{token}\n\nIf you did not expect it, ignore this message.",
        )

    def _send(self, email: str, subject: str, text: str) -> None:
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
