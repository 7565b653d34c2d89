"""GET /_local/mail, /_local/mail.json and /_local/mail/code: the local mailbox (chalicelib/localdev/mailbox.py).
Registered by app.py only outside Lambda and only when LOCAL_MAILBOX_FILE is set (`make run`)."""
from __future__ import annotations

import html

from chalice import Blueprint, Response

from chalicelib.core.settings import get_settings
from chalicelib.localdev.mailbox import messages, newest_code

mailbox_blueprint = Blueprint(__name__)
_TEXT = {"Content-Type": "text/plain; charset=utf-8"}


@mailbox_blueprint.route("/_local/mail.json", methods=["GET"])
def mail_json():
    return {"items": messages(get_settings().local_mailbox_file)}


@mailbox_blueprint.route("/_local/mail/code", methods=["GET"])
def mail_code():
    """The newest code mailed to `?to=<email>`, as plain text, so a shell example can read it
    without a JSON tool: CODE=$(curl -s "$API/_local/mail/code?to=ada@example.com")."""
    email = (mailbox_blueprint.current_request.query_params or {}).get("to", "")
    code = newest_code(get_settings().local_mailbox_file, email) if email else None
    if code is None:
        return Response(body="No code was mailed to this address.\n", status_code=404, headers=_TEXT)
    return Response(body=code, status_code=200, headers=_TEXT)


@mailbox_blueprint.route("/_local/mail", methods=["GET"])
def mail_page():
    rows = "".join(
        f"<article><h2>{html.escape(m['subject'])}</h2>"
        f"<p>To {html.escape(m['to'])}, {html.escape(m['sent_at'])}</p><pre>{html.escape(m['text'])}</pre></article>"
        for m in messages(get_settings().local_mailbox_file)
    )
    page = (
        "<!doctype html><meta charset=utf-8><title>Local mailbox</title>"
        "<style>body{font:15px system-ui;max-width:50em;margin:2em auto}article{border-top:1px solid #ccc}"
        "pre{white-space:pre-wrap}</style><h1>Local mailbox</h1>"
        "<p>Mail the API sent while running under <code>make run</code>, newest first "
        "(JSON: <a href=/_local/mail.json>/_local/mail.json</a>).</p>" + (rows or "<p>No mail yet.</p>")
    )
    return Response(body=page, status_code=200, headers={"Content-Type": "text/html; charset=utf-8"})
