"""The mails, in French, each as plain text and a simple HTML alternative, from values only:
the message d'essai, the direction's held-plan mail (and its nightly reminder), the notice to a
former staff member whose account will be deleted. The digest is in mail/digest.py."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from bascule.domain import labels
from bascule.domain.school import SCHOOL_TIMEZONE, describe_moment
from bascule.mail.config import MailConfig
from bascule.mail.model import Mail, MailKind
from bascule.reports.night import HeldPlan, SchoolNight

_LOADER = PackageLoader("bascule", "templates/mail")
_TEXT = Environment(loader=_LOADER, autoescape=False, trim_blocks=True, lstrip_blocks=True,
                    undefined=StrictUndefined, keep_trailing_newline=True)
_HTML = Environment(loader=_LOADER, autoescape=select_autoescape(default=True),
                    trim_blocks=True, lstrip_blocks=True, undefined=StrictUndefined)


def render_pair(name: str, subject: str, values: Mapping[str, Any]) -> tuple[str, str]:
    """`name`.txt.j2 and `name`.html.j2 with the same values: (text, html)."""
    text = _TEXT.get_template(f"{name}.txt.j2").render(subject=subject, **values)
    html = _HTML.get_template(f"{name}.html.j2").render(subject=subject, **values)
    return text, html


def school_title(uai: str, name: str) -> str:
    """« Collège Jean Moulin (0860999U) », or the UAI alone when the name is unknown."""
    return f"{name} ({uai})" if name else uai


def test_mail(config: MailConfig, to: tuple[str, ...], now: datetime) -> Mail:
    subject = "bascule : message d'essai"
    text, html = render_pair("test", subject, {
        "moment": describe_moment(now, clock=True), "server": f"{config.host}:{config.port}",
        "security": config.security.value, "user": config.user, "sender": config.sender})
    return Mail(kind=MailKind.TEST, to=to, subject=subject, text=text, html=html)


def held_topic(uai: str, held: HeldPlan) -> str:
    return f"held:{uai}:{held.plan_sha256}"


def held_plan_mail(school: SchoolNight, held: HeldPlan, *, to: tuple[str, ...], night: date,
                   console_url: str, waiting_since: datetime | None) -> Mail:
    """To the direction: what is held and why, the console's link; a reminder (another
    subject, « depuis le … ») when an earlier night already told them."""
    name = school.name or school.uai
    subject = (f"Rappel : le plan de {name} attend votre accord" if waiting_since
               else f"bascule : le plan de {name} attend votre accord")
    plan_counts = next((step.counts for step in school.steps if step.step == "plan"), {})
    text, html = render_pair("held", subject, {
        "school": name, "uai": school.uai, "night": describe_moment(_midnight(night)),
        "since": describe_moment(waiting_since) if waiting_since else "",
        "reasons": held.reasons or (school.reason,),
        "would": labels.step_counts_text("plan", plan_counts),
        "link": f"{console_url}{held.console_path}" if console_url else ""})
    topic = held_topic(school.uai, held)
    return Mail(kind=MailKind.HELD_PLAN, to=to, subject=subject, text=text, html=html,
                uai=school.uai, topic=topic, dedup_key=f"{topic}:{night.isoformat()}")


def _midnight(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=SCHOOL_TIMEZONE)


@dataclass(frozen=True, slots=True, kw_only=True)
class DepartureNotice:
    """A former staff member to tell, before the deletions."""

    uai: str
    school_name: str
    person_key: str
    full_name: str
    email: str
    logins: tuple[str, ...]
    deletion: datetime
    retention_days: int
    keeps_reading: bool = False  # [lifecycle] leavers_keep_files_until_deletion


def staff_notice(notice: DepartureNotice) -> Mail:
    """To one person (alone in To:): the date their account goes, how to keep their files."""
    when = describe_moment(notice.deletion)
    subject = f"Votre compte du {notice.school_name or notice.uai} sera supprimé le {when}"
    text, html = render_pair("notice", subject, {
        "name": notice.full_name, "school": notice.school_name or notice.uai, "uai": notice.uai,
        "logins": ", ".join(notice.logins), "deletion": when,
        "retention": notice.retention_days, "keeps_reading": notice.keeps_reading})
    key = f"suppression:{notice.uai}:{notice.person_key}:{notice.deletion.date().isoformat()}"
    return Mail(kind=MailKind.STAFF_NOTICE, to=(notice.email,), subject=subject, text=text,
                html=html, uai=notice.uai, dedup_key=key, topic=key)
