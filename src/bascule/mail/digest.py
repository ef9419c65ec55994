"""The operators' nightly digest: per school applied / held / failed / skipped and why, the
steps' counts, verification findings, the mails not delivered since the last digest, and the
run's HTML report attached or linked."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from bascule.domain import labels
from bascule.domain.school import SCHOOL_TIMEZONE, describe_moment, local_time
from bascule.mail.compose import render_pair, school_title
from bascule.mail.model import Attachment, Mail, MailKind
from bascule.reports.night import (
    NEEDS_ATTENTION,
    NightReport,
    SchoolNight,
    SchoolOutcome,
)
from bascule.store.outbox import OutboxEntry

_ORDER = (SchoolOutcome.APPLIED, SchoolOutcome.UNCHANGED, SchoolOutcome.HELD,
          SchoolOutcome.FAILED, SchoolOutcome.SKIPPED)


@dataclass(frozen=True, slots=True, kw_only=True)
class ReportReference:
    """Where the run's HTML report is for the reader: a link, an attachment, or a path on the
    server (when it is too large to attach and not published)."""

    link: str = ""
    attachment: Attachment | None = None
    path: str = ""

    def text(self) -> str:
        if self.link:
            return self.link
        if self.attachment is not None:
            return f"en pièce jointe ({self.attachment.filename})"
        return f"sur le serveur de bascule, {self.path}" if self.path else "pas de rapport écrit"


def overview(report: NightReport) -> str:
    """« 3 établissements : 2 appliqués, 1 retenu »."""
    outcomes = Counter(school.outcome for school in report.schools)
    parts = [labels.count_of(outcomes[outcome], labels.NIGHT_OUTCOMES[outcome.value],
                             labels.NIGHT_OUTCOMES_PLURAL[outcome.value])
             for outcome in _ORDER if outcomes[outcome]]
    total = labels.count_of(len(report.schools), "établissement", "établissements")
    return total + (" : " + ", ".join(parts) if parts else "")


def digest_subject(report: NightReport) -> str:
    outcomes = Counter(school.outcome for school in report.schools)
    troubles = [labels.count_of(outcomes[outcome], labels.NIGHT_OUTCOMES[outcome.value],
                                labels.NIGHT_OUTCOMES_PLURAL[outcome.value])
                for outcome in NEEDS_ATTENTION if outcomes[outcome]]
    state = ", ".join(troubles) if troubles else "tout va bien"
    dry = " (simulation)" if report.dry_run else ""
    return f"bascule · nuit du {_day(report.at)}{dry} : {state}"


def night_span(started: datetime, finished: datetime) -> str:
    """« de 02:30 à 02:41 », with the days when the night ran past midnight."""
    start, end = local_time(started), local_time(finished)
    if start.date() == end.date():
        return f"de {start:%H:%M} à {end:%H:%M}"
    return (f"du {describe_moment(started, clock=True)} au "
            f"{describe_moment(finished, clock=True)}")


def _day(day: date) -> str:
    return describe_moment(datetime(day.year, day.month, day.day, tzinfo=SCHOOL_TIMEZONE))


def _school(school: SchoolNight, console_url: str) -> dict[str, Any]:
    held = school.held
    return {
        "title": school_title(school.uai, school.name),
        "outcome": labels.label(labels.NIGHT_OUTCOMES, school.outcome.value),
        "reason": " ; ".join(held.reasons) if held and held.reasons else school.reason,
        "link": f"{console_url}{held.console_path}" if held and console_url else "",
        "findings": school.verification_findings,
        "held_people": _names(school.waiting.held if school.waiting else ()),
        "open_reviews": _names(school.waiting.reviews if school.waiting else ()),
        "steps": [{"name": labels.label(labels.NIGHT_STEPS, step.step),
                   "status": labels.label(labels.STEP_STATUSES, step.status.value),
                   "reason": step.reason,
                   "counts": labels.step_counts_text(step.step, step.counts)}
                  for step in school.steps],
    }


NAMES_SHOWN = 30  # per school and kind: the rest is counted, and listed by the plan


def _names(who: tuple[str, ...]) -> list[str]:
    """« MARTIN Léa : pas encore de compte », at most NAMES_SHOWN, then « … et 12 autres »."""
    shown = list(who[:NAMES_SHOWN])
    if len(who) > NAMES_SHOWN:
        shown.append(f"… et {len(who) - NAMES_SHOWN} autres (bascule plan les liste tous)")
    return shown


def _failure(entry: OutboxEntry) -> dict[str, str]:
    return {"when": describe_moment(entry.created_at, clock=True),
            "what": labels.label(labels.MAIL_KINDS, entry.kind),
            "to": ", ".join(entry.recipients) or "aucun destinataire",
            "why": entry.failure or "raison inconnue"}


def night_digest(report: NightReport, *, to: tuple[str, ...],
                 failures: Sequence[OutboxEntry], notices_sent: int, console_url: str,
                 report_reference: ReportReference) -> Mail:
    """The digest of one night, to the operators; sent once per run (`dedup_key`)."""
    subject = digest_subject(report)
    schools = [_school(school, console_url) for school in report.schools]
    text, html = render_pair("digest", subject, {
        "night": _day(report.at), "dry_run": report.dry_run,
        "span": night_span(report.started_at, report.finished_at),
        "overview": overview(report),
        "attention": [one for one, school in zip(schools, report.schools, strict=True)
                      if school.outcome in NEEDS_ATTENTION],
        "schools": schools, "failures": [_failure(entry) for entry in failures],
        "notices": notices_sent, "report": report_reference.text(),
        "report_link": report_reference.link})
    attachments = (report_reference.attachment,) if report_reference.attachment else ()
    return Mail(kind=MailKind.DIGEST, to=to, subject=subject, text=text, html=html,
                dedup_key=f"digest:{report.started_at.isoformat()}", attachments=attachments)
