"""Mail, the use cases: a night's mails (called by `bascule run` at the end of the night), the
staff deletion notices alone (`bascule mail notices`), the message d'essai (`bascule mail
test`), and the outbox (`bascule mail outbox`).

Every mail is recorded in the outbox before it is sent, then marked sent or failed. A failure
never raises out of a night (the run's results are already written): it is kept and reported
by the next digest."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import Engine

from bascule.domain import labels
from bascule.domain.calendar import Milestone, rentree_year_of
from bascule.domain.school import local_time
from bascule.errors import UserError
from bascule.mail.compose import DepartureNotice, held_plan_mail, held_topic, staff_notice
from bascule.mail.compose import test_mail as compose_test_mail
from bascule.mail.config import MailConfig, is_address
from bascule.mail.digest import ReportReference, night_digest
from bascule.mail.message import email_message
from bascule.mail.model import Attachment, Mail
from bascule.mail.smtp import MailFailure, deliver
from bascule.operations.calendars import load_calendar
from bascule.reports.night import NightReport, SchoolOutcome
from bascule.settings import Settings
from bascule.store.engine import open_store
from bascule.store.outbox import (
    OutboxEntry,
    Recorded,
    first_recorded,
    mark_reported,
    purge,
    recent,
    record_failed,
    record_pending,
    record_sent,
    unreported_failures,
    was_sent,
)
from bascule.store.recipients import direction_addresses, staff_awaiting_deletion

MAX_ATTACHED_REPORT = 5 * 1024 * 1024  # larger reports are named, not attached
NO_RECIPIENT = "aucune adresse à qui l'envoyer"


@dataclass(frozen=True, slots=True, kw_only=True)
class MailOutcome:
    """What the mails of a step became: counts, and one French sentence per failed mail.
    `configured` is False when bascule.toml has no [mail] (nothing was tried)."""

    configured: bool
    sent: int = 0
    failed: int = 0
    already_sent: int = 0  # skipped: sent earlier under the same key (a resumed night)
    failures: tuple[str, ...] = ()
    would_send: tuple[str, ...] = ()  # a dry run: « what → to : subject », nothing sent

    def __add__(self, other: MailOutcome) -> MailOutcome:
        return MailOutcome(configured=self.configured and other.configured,
                           sent=self.sent + other.sent, failed=self.failed + other.failed,
                           already_sent=self.already_sent + other.already_sent,
                           failures=self.failures + other.failures,
                           would_send=self.would_send + other.would_send)


def _recorded(mail: Mail) -> Recorded:
    return Recorded(kind=mail.kind.value, uai=mail.uai, recipients=mail.to,
                    subject=mail.subject, dedup_key=mail.dedup_key, topic=mail.topic)


def _describe(mail: Mail) -> str:
    kind = labels.label(labels.MAIL_KINDS, mail.kind.value)
    return f"{kind} → {', '.join(mail.to) or NO_RECIPIENT} : {mail.subject}"


def _send(engine: Engine, config: MailConfig, mails: Sequence[Mail], now: datetime,
          *, dry_run: bool = False) -> MailOutcome:
    """Record, send over one connection, record each fate; mails already sent are skipped."""
    fresh = [mail for mail in mails if mail.dedup_key is None
             or not was_sent(engine, mail.dedup_key)]
    skipped = len(mails) - len(fresh)
    if dry_run:
        return MailOutcome(configured=True, already_sent=skipped,
                           would_send=tuple(_describe(mail) for mail in fresh))
    ids = [record_pending(engine, _recorded(mail), now) for mail in fresh]
    addressed = [(entry_id, mail) for entry_id, mail in zip(ids, fresh, strict=True) if mail.to]
    results = deliver(config, [email_message(mail, sender=config.sender, now=now)
                               for _id, mail in addressed])
    fates: dict[int, MailFailure | str | None] = {entry_id: NO_RECIPIENT for entry_id in ids}
    fates.update({entry_id: result for (entry_id, _mail), result
                  in zip(addressed, results, strict=True)})
    failures = []
    for entry_id, mail in zip(ids, fresh, strict=True):
        fate = fates[entry_id]
        if fate is None:
            record_sent(engine, entry_id, now)
        else:
            record_failed(engine, entry_id, str(fate), now)
            failures.append(f"{_describe(mail)} : {fate}")
    return MailOutcome(configured=True, sent=len(fresh) - len(failures), failed=len(failures),
                       already_sent=skipped, failures=tuple(failures))


def _config(settings: Settings) -> MailConfig:
    if settings.mail is None:
        raise UserError("Aucun serveur de messagerie n'est réglé pour ce dossier.",
                        hint="Ajoutez une section [mail] à bascule.toml (host, security, sender, "
                             "operators… : voir « Courriels » dans le README).")
    return settings.mail


@dataclass(frozen=True, slots=True, kw_only=True)
class TestMailOutcome:
    to: tuple[str, ...]
    server: str
    security: str
    user: str


def send_test_mail(settings: Settings, *, to: str | None, now: datetime) -> TestMailOutcome:
    """Send the message d'essai to `to` (or the operators), recorded in the outbox.

    Raises UserError saying in French what failed: connection, TLS, authentication, refusal."""
    config = _config(settings)
    if to is not None and not is_address(to):
        raise UserError(f"« {to} » n'est pas une adresse e-mail.",
                        hint="Donnez --to prenom.nom@exemple.fr")
    recipients = (to,) if to else config.operators
    if not recipients:
        raise UserError("À qui envoyer le message d'essai ?",
                        hint="Donnez --to ADRESSE, ou réglez operators = [\"…\"] dans [mail].")
    engine = open_store(settings.store_url)
    mail = compose_test_mail(config, recipients, now)
    entry_id = record_pending(engine, _recorded(mail), now)
    failure = deliver(config, [email_message(mail, sender=config.sender, now=now)])[0]
    if failure is not None:
        record_failed(engine, entry_id, str(failure), now)
        mark_reported(engine, (entry_id,), now)  # said at once: no digest repeats it
        raise UserError(f"Message d'essai non envoyé. {failure.message}", hint=failure.hint)
    record_sent(engine, entry_id, now)
    return TestMailOutcome(to=recipients, server=f"{config.host}:{config.port}",
                           security=config.security.value, user=config.user)


def outbox(settings: Settings, *, limit: int = 30, failed_only: bool = False
           ) -> list[OutboxEntry]:
    """The newest mails of the outbox first."""
    return recent(open_store(settings.store_url), limit=limit, failed_only=failed_only)


def deletion_date(settings: Settings, uai: str, now: datetime) -> datetime | None:
    """The coming September deletion of the school's calendar (Milestone.DELETIONS)."""
    return load_calendar(settings.home, rentree_year_of(now), uai).start(Milestone.DELETIONS)


def notices_open_at(config: MailConfig, deletion: datetime) -> datetime:
    """From when the former staff are told: `notice_days` before the deletions."""
    return deletion - timedelta(days=config.notice_days)



@dataclass(frozen=True, slots=True, kw_only=True)
class NoticeWindow:
    uai: str
    opens: datetime     # notices go from then on
    deletion: datetime  # until the deletions


def notice_windows(settings: Settings, *, now: datetime, uais: Collection[str] = ()
                   ) -> list[NoticeWindow]:
    """When each school's deletion notices go (the coming deletions of its calendar)."""
    if settings.mail is None:
        return []
    found = []
    for uai in sorted(uais or settings.uais):
        deletion = deletion_date(settings, uai, now)
        if deletion is not None and now < deletion:
            found.append(NoticeWindow(uai=uai, opens=notices_open_at(settings.mail, deletion),
                                      deletion=deletion))
    return found

def _due_notices(settings: Settings, engine: Engine, config: MailConfig,
                 uais: Collection[str], now: datetime) -> list[Mail]:
    names = {school.uai: school.name for school in settings.schools}
    mails = []
    for uai in sorted(uais):
        deletion = deletion_date(settings, uai, now)
        if deletion is None or not notices_open_at(config, deletion) <= now < deletion:
            continue
        mails += [staff_notice(DepartureNotice(
            uai=uai, school_name=names.get(uai, ""), person_key=staff.key,
            full_name=f"{staff.first_name} {staff.last_name}", email=staff.email,
            logins=staff.logins, deletion=deletion,
            retention_days=settings.archive_retention.days,
            keeps_reading=settings.leavers_keep_files))
            for staff in staff_awaiting_deletion(engine, uai, deletion)]
    return mails


def send_staff_notices(settings: Settings, *, now: datetime, uais: Collection[str] = (),
                       dry_run: bool = False) -> MailOutcome:
    """Tell each former staff member (with an address) whose account the coming September
    deletions will remove, from `notice_days` before them: once per person and date. The
    schools of `uais`, or all of the folder's."""
    if settings.mail is None:
        return MailOutcome(configured=False)
    engine = open_store(settings.store_url)
    mails = _due_notices(settings, engine, settings.mail, uais or settings.uais, now)
    return _send(engine, settings.mail, mails, now, dry_run=dry_run)


def _direction(engine: Engine, config: MailConfig, uai: str) -> tuple[str, ...]:
    """bascule.toml's addresses, then the store's (the direction's MEL)."""
    return tuple(dict.fromkeys((*config.direction_of(uai), *direction_addresses(engine, uai))))


def _held_mails(engine: Engine, config: MailConfig, report: NightReport) -> list[Mail]:
    mails = []
    for school in report.schools:
        if school.outcome is not SchoolOutcome.HELD or school.held is None:
            continue
        since = first_recorded(engine, held_topic(school.uai, school.held))
        earlier_night = since is not None and local_time(since).date() < report.at
        mails.append(held_plan_mail(
            school, school.held, night=report.at, console_url=config.console_url,
            to=_direction(engine, config, school.uai),
            waiting_since=since if earlier_night else None))
    return mails


def _report_reference(config: MailConfig, report: NightReport) -> ReportReference:
    """The run's HTML report: linked when reports are published, else attached (a path when
    too large or unreadable)."""
    if not report.html_report:
        return ReportReference()
    path = Path(report.html_report)
    if config.reports_url:
        return ReportReference(link=f"{config.reports_url}/{path.name}")
    try:
        if path.stat().st_size > MAX_ATTACHED_REPORT:
            return ReportReference(path=str(path))
        return ReportReference(attachment=Attachment(filename=path.name,
                                                     content=path.read_bytes()))
    except OSError:
        return ReportReference(path=str(path))


def send_night_mails(settings: Settings, report: NightReport, *, now: datetime) -> MailOutcome:
    """A night's mails, once its results are written: the direction of each held school
    (each night while it waits), the staff deletion notices due, then the operators' digest,
    which reports the failed mails since the last digest (those of this night included); then
    the outbox's settled mails older than `outbox_kept_days` are removed.

    Never raises for a mail that cannot be sent: it is in the outbox and in the outcome. A dry
    run sends nothing and lists what it would send. Run twice for the same night (a resumed
    run), a mail already sent is not sent again."""
    config = settings.mail
    if config is None:
        return MailOutcome(configured=False)
    try:
        return _night_mails(settings, config, report, now)
    except UserError as exc:  # the store or a calendar file unreadable: said, not raised
        return MailOutcome(configured=True, failed=1, failures=(exc.message,))


def _night_mails(settings: Settings, config: MailConfig, report: NightReport,
                 now: datetime) -> MailOutcome:
    engine = open_store(settings.store_url)
    dry_run = report.dry_run
    held = _send(engine, config, _held_mails(engine, config, report), now, dry_run=dry_run)
    uais = [school.uai for school in report.schools]
    notices = _send(engine, config, _due_notices(settings, engine, config, uais, now), now,
                    dry_run=dry_run)
    failures = unreported_failures(engine)
    digest = night_digest(report, to=config.operators, failures=failures,
                          notices_sent=notices.sent, console_url=config.console_url,
                          report_reference=_report_reference(config, report))
    summary = _send(engine, config, [digest], now, dry_run=dry_run)
    if summary.sent:
        mark_reported(engine, (entry.id for entry in failures), now)
    if not dry_run:
        purge(engine, older_than=now - timedelta(days=config.outbox_kept_days))
    return held + notices + summary
