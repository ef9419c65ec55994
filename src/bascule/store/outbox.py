"""The mail outbox (table mail_outbox): record a mail before sending it, then its fate; the
failures a digest has not reported yet; the recent mails for `bascule mail outbox`; the old
ones removed."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine, delete, func, insert, select, update

from bascule.store.schema import mail_outbox

PENDING, SENT, FAILED = "pending", "sent", "failed"


@dataclass(frozen=True, slots=True, kw_only=True)
class OutboxEntry:
    id: int
    created_at: datetime
    kind: str
    uai: str | None
    recipients: tuple[str, ...]
    subject: str
    status: str  # pending, sent, failed
    attempts: int
    sent_at: datetime | None
    failure: str | None
    reported_at: datetime | None


@dataclass(frozen=True, slots=True, kw_only=True)
class Recorded:
    """What a mail to send is, for the outbox (the composed mail's header fields)."""

    kind: str
    uai: str | None
    recipients: tuple[str, ...]
    subject: str
    dedup_key: str | None = None
    topic: str | None = None


def _entry(row: object) -> OutboxEntry:
    mapping = row._mapping  # type: ignore[attr-defined]
    return OutboxEntry(
        id=mapping["id"], created_at=mapping["created_at"], kind=mapping["kind"],
        uai=mapping["uai"],
        recipients=tuple(one for one in mapping["recipients"].split(", ") if one),
        subject=mapping["subject"], status=mapping["status"], attempts=mapping["attempts"],
        sent_at=mapping["sent_at"], failure=mapping["failure"],
        reported_at=mapping["reported_at"])


def was_sent(engine: Engine, dedup_key: str) -> bool:
    with engine.connect() as connection:
        status = connection.execute(select(mail_outbox.c.status).where(
            mail_outbox.c.dedup_key == dedup_key)).scalar_one_or_none()
    return status == SENT


def record_pending(engine: Engine, mail: Recorded, now: datetime) -> int:
    """The outbox row of this mail, as pending: a new one, or the earlier failed attempt of
    the same `dedup_key` tried again (its failure, reported or not, stays until this one
    ends). Returns the row's id."""
    fields = {"kind": mail.kind, "uai": mail.uai, "topic": mail.topic,
              "recipients": ", ".join(mail.recipients), "subject": mail.subject[:400]}
    with engine.begin() as connection:
        earlier = None if mail.dedup_key is None else connection.execute(
            select(mail_outbox.c.id).where(mail_outbox.c.dedup_key == mail.dedup_key)
        ).scalar_one_or_none()
        if earlier is None:
            inserted = connection.execute(insert(mail_outbox).values(
                created_at=now, dedup_key=mail.dedup_key, status=PENDING, attempts=1,
                **fields)).inserted_primary_key
            assert inserted is not None
            return int(inserted[0])
        connection.execute(update(mail_outbox).where(mail_outbox.c.id == earlier).values(
            status=PENDING, attempts=mail_outbox.c.attempts + 1, **fields))
        return int(earlier)


def record_sent(engine: Engine, entry_id: int, now: datetime) -> None:
    with engine.begin() as connection:
        connection.execute(update(mail_outbox).where(mail_outbox.c.id == entry_id).values(
            status=SENT, sent_at=now, failure=None))


def record_failed(engine: Engine, entry_id: int, failure: str, now: datetime) -> None:
    """A failed attempt: its reason, to be reported by the next digest (reported_at cleared)."""
    with engine.begin() as connection:
        connection.execute(update(mail_outbox).where(mail_outbox.c.id == entry_id).values(
            status=FAILED, failure=failure, sent_at=None, reported_at=None))


def unreported_failures(engine: Engine) -> list[OutboxEntry]:
    """Failed mails no digest has reported yet, oldest first."""
    with engine.connect() as connection:
        rows = connection.execute(select(mail_outbox).where(
            (mail_outbox.c.status == FAILED) & mail_outbox.c.reported_at.is_(None))
            .order_by(mail_outbox.c.id))
        return [_entry(row) for row in rows]


def mark_reported(engine: Engine, ids: Iterable[int], now: datetime) -> None:
    wanted = list(ids)
    if not wanted:
        return
    with engine.begin() as connection:
        connection.execute(update(mail_outbox).where(mail_outbox.c.id.in_(wanted)).values(
            reported_at=now))


def first_recorded(engine: Engine, topic: str) -> datetime | None:
    """When the first mail of a topic was recorded (a held plan waits since then)."""
    with engine.connect() as connection:
        found: datetime | None = connection.execute(
            select(func.min(mail_outbox.c.created_at)).where(mail_outbox.c.topic == topic)
        ).scalar_one_or_none()
    return found


def recent(engine: Engine, *, limit: int, failed_only: bool = False) -> list[OutboxEntry]:
    """The newest mails first."""
    query = select(mail_outbox).order_by(mail_outbox.c.id.desc()).limit(limit)
    if failed_only:
        query = query.where(mail_outbox.c.status == FAILED)
    with engine.connect() as connection:
        return [_entry(row) for row in connection.execute(query)]


def purge(engine: Engine, older_than: datetime) -> int:
    """Remove the mails recorded before `older_than` that are settled: sent, or failed and
    already reported by a digest (a pending mail or an unreported failure stays). Returns how
    many were removed."""
    settled = (mail_outbox.c.status == SENT) | (
        (mail_outbox.c.status == FAILED) & mail_outbox.c.reported_at.is_not(None))
    with engine.begin() as connection:
        removed = connection.execute(delete(mail_outbox).where(
            settled & (mail_outbox.c.created_at < older_than))).rowcount
    return int(removed or 0)
