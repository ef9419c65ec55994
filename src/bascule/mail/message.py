"""A Mail as an RFC 5322 message (the standard library's `email` package)."""

from __future__ import annotations

from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid, parseaddr

from bascule.mail.model import Mail


def email_message(mail: Mail, *, sender: str, now: datetime) -> EmailMessage:
    """multipart/alternative (text, then HTML), inside multipart/mixed when it has
    attachments. Marked Auto-Submitted so that auto-replies do not answer it (RFC 3834)."""
    message = EmailMessage()
    message["From"] = sender
    message["To"] = ", ".join(mail.to)
    # One line whatever the names it holds (a line break would end the header: refused).
    message["Subject"] = " ".join(mail.subject.split())
    message["Date"] = format_datetime(now)
    message["Message-ID"] = make_msgid(domain=parseaddr(sender)[1].rpartition("@")[2] or None)
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(mail.text)
    message.add_alternative(mail.html, subtype="html")
    for attachment in mail.attachments:
        message.add_attachment(attachment.content, maintype=attachment.maintype,
                               subtype=attachment.subtype, filename=attachment.filename)
    return message
