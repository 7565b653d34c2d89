"""The local mailbox: under `make run`, mail the app sends (password reset, invitations, sign-ups) is
kept in a file instead of going to SES, and read at GET /_local/mail (a page), /_local/mail.json
and, for shell examples, /_local/mail/code?to=<email> (the newest code mailed to an address, as text).

The message is exactly what SES would be given (the SES notifier composes it); only the delivery
differs. Never used in Lambda: the notifier refuses anything but SES there, and this package is not
in the Lambda bundle.
"""
from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any

from chalicelib.aws.ses import SesNotifier
from chalicelib.core import clock

LOCAL_SENDER = "Zebros <no-reply@localhost>"


class MailboxNotifier(SesNotifier):
    def __init__(self, mailbox_file: str) -> None:
        super().__init__(from_address=LOCAL_SENDER)
        self.mailbox = Path(mailbox_file)

    def _send(self, email: str, subject: str, text: str, code: str) -> None:
        from chalicelib.observability import logger

        message = {
            "id": uuid.uuid4().hex,
            "sent_at": clock.now().strftime("%Y-%m-%dT%H:%M:%SZ"),
            "from": self.from_address,
            "to": email,
            "subject": subject,
            "text": text,
            "code": code,
        }
        self.mailbox.parent.mkdir(parents=True, exist_ok=True)
        with self.mailbox.open("a", encoding="utf-8") as out:
            out.write(json.dumps(message) + "\n")
        logger.info(f"Mail to {email}: {subject!r}; read it at /_local/mail")


def messages(mailbox_file: str) -> list[dict[str, Any]]:
    """Every message sent, newest first."""
    path = Path(mailbox_file)
    if not path.exists():
        return []
    return [json.loads(line) for line in reversed(path.read_text(encoding="utf-8").splitlines()) if line.strip()]


def newest_code(mailbox_file: str, email: str) -> str | None:
    """The code of the newest message to `email` (compared as the app normalizes emails)."""
    wanted = email.strip().lower()
    return next((m.get("code") for m in messages(mailbox_file) if m["to"] == wanted), None)
