"""A mail as bascule writes it, before any SMTP: pure values."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class MailKind(StrEnum):
    """What a mail is for: the outbox's `kind` column and `mail outbox --json`."""

    DIGEST = "digest"              # the operators' nightly digest
    HELD_PLAN = "held_plan"        # the direction of a school whose plan waits for approval
    STAFF_NOTICE = "staff_notice"  # a former staff member whose account will be deleted
    TEST = "test"                  # `bascule mail test`


@dataclass(frozen=True, slots=True, kw_only=True)
class Attachment:
    filename: str
    content: bytes
    maintype: str = "text"
    subtype: str = "html"


@dataclass(frozen=True, slots=True, kw_only=True)
class Mail:
    """A mail to send: plain text and its simple HTML alternative, in French.

    `dedup_key` names what the mail is about and when (« held:0860999U:<sha>:2026-08-28 »): a
    mail already sent under the same key is not sent again. `topic` groups the mails of one
    subject across nights (a held plan's reminders)."""

    kind: MailKind
    to: tuple[str, ...]
    subject: str
    text: str
    html: str
    uai: str | None = None
    dedup_key: str | None = None
    topic: str | None = None
    attachments: tuple[Attachment, ...] = ()
