"""The mails' words, composed from values (no SMTP)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

from bascule.mail.compose import held_plan_mail
from bascule.mail.digest import night_span
from bascule.mail.message import email_message
from tests.mail.test_night_mails import NIGHT, _report


def test_the_night_span_is_short_within_a_day_and_dated_across_midnight() -> None:
    start = datetime(2026, 8, 28, 0, 30, tzinfo=UTC)  # 02:30 in Paris
    assert night_span(start, start.replace(minute=41)) == "de 02:30 à 02:41"
    assert night_span(start.replace(hour=21), start.replace(day=29, hour=0)) == (
        "du vendredi 28/08/2026 23:30 au samedi 29/08/2026 02:30")


def test_names_from_the_exports_are_text_in_the_html_never_markup() -> None:
    school = replace(_report(NIGHT).schools[0], name="Collège <script>x</script>")
    assert school.held is not None
    mail = held_plan_mail(school, school.held, to=("d@ac.test",), night=NIGHT,
                          console_url="", waiting_since=None)
    assert "<script>" not in mail.html and "&lt;script&gt;" in mail.html
    assert "Collège <script>x</script>" in mail.text  # the plain text keeps it as written
    assert "console bascule, page Plan" in mail.text  # no console_url: no link


def test_a_line_break_in_a_name_never_reaches_the_headers() -> None:
    school = replace(_report(NIGHT).schools[0], name="Collège\r\nBcc: x@evil.test")
    assert school.held is not None
    mail = held_plan_mail(school, school.held, to=("d@ac.test",), night=NIGHT,
                          console_url="", waiting_since=None)
    message = email_message(mail, sender="b@cd86.test", now=datetime(2026, 8, 28, tzinfo=UTC))
    assert message["Subject"] == "bascule : le plan de Collège Bcc: x@evil.test attend votre accord"
    assert message["Bcc"] is None
