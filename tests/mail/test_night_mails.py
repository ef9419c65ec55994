"""A night's mails, sent over a real SMTP server: the direction of a held school (and its
reminder each night), the operators' digest (with the run's report attached), failures kept
and reported by the next digest, nothing sent twice for one night."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from bascule.operations.mailing import MailOutcome, send_night_mails
from bascule.reports.night import (
    HeldPlan,
    NightReport,
    SchoolNight,
    SchoolOutcome,
    StepReport,
    StepStatus,
)
from bascule.settings import load_settings
from tests.conftest import UAI, Cli
from tests.mail.conftest import reach
from tests.servers.smtp import SmtpServer, free_port

OTHER = "0861000V"
NIGHT = date(2026, 8, 28)
CONSOLE = "https://bascule.cd86.test"
DIRECTION = {UAI: {"direction": ["ce.0860999u@ac.test"]}}


def _report(night: date, *, report_file: Path | None = None, held_sha: str = "a" * 64,
            dry_run: bool = False) -> NightReport:
    started = datetime(night.year, night.month, night.day, 0, 30, tzinfo=UTC)
    held = SchoolNight(
        uai=UAI, name="Collège Jean Moulin", outcome=SchoolOutcome.HELD,
        reason="seuils dépassés",
        steps=(StepReport("import", StepStatus.DONE, counts={"eleves": 12}),
               StepReport("plan", StepStatus.HELD, "seuils dépassés",
                          counts={"create": 3, "disable": 140})),
        held=HeldPlan(plan_sha256=held_sha, reasons=(
            "140 élèves désactivés sur 600 (23 %), au-delà du seuil de 10 %.",)))
    applied = SchoolNight(
        uai=OTHER, name="Collège Camille Claudel", outcome=SchoolOutcome.APPLIED, reason="",
        steps=(StepReport("apply", StepStatus.DONE, counts={"create": 4}),
               StepReport("sync", StepStatus.SKIPPED,
                          "serveur pédagogique : reprise le vendredi 28/08/2026")),
        verification_findings=2)
    return NightReport(started_at=started, finished_at=started + timedelta(minutes=11),
                       at=night, schools=(held, applied), dry_run=dry_run,
                       html_report=str(report_file) if report_file else "")


def _night(cli: Cli, night: date, *, report_file: Path | None = None,
           dry_run: bool = False) -> MailOutcome:
    settings = load_settings(cli.home)
    report = _report(night, report_file=report_file, dry_run=dry_run)
    return send_night_mails(settings, report, now=report.finished_at)


def _to(server: SmtpServer, address: str) -> list[str]:
    return [one.message["Subject"] for one in server.messages if address in one.recipients]


def test_the_direction_of_a_held_school_is_told_what_why_and_where(
        home_cli: Cli, smtp_server: SmtpServer) -> None:
    reach(home_cli.home, smtp_server, schools=DIRECTION, console_url=CONSOLE)
    outcome = _night(home_cli, NIGHT)
    assert outcome.sent == 2 and outcome.failed == 0
    [held] = [one for one in smtp_server.messages if "ce.0860999u@ac.test" in one.recipients]
    assert held.message["Subject"] == "bascule : le plan de Collège Jean Moulin attend votre accord"
    text = held.part("plain")
    assert "Cette nuit (vendredi 28/08/2026), bascule n'a pas appliqué" in text
    assert "140 élèves désactivés sur 600 (23 %)" in text
    assert "Ce que le plan ferait : 3 comptes à créer, 140 comptes à désactiver." in text
    assert f"{CONSOLE}/plan" in text
    assert f'<a href="{CONSOLE}/plan">' in held.part("html")


def test_the_digest_tells_each_school_and_attaches_the_run_report(
        home_cli: Cli, smtp_server: SmtpServer, tmp_path: Path) -> None:
    reach(home_cli.home, smtp_server, schools=DIRECTION, console_url=CONSOLE)
    report_file = tmp_path / "nuit-2026-08-28.html"
    report_file.write_text("<html><body>rapport</body></html>", encoding="utf-8")
    _night(home_cli, NIGHT, report_file=report_file)
    [digest] = [one for one in smtp_server.messages if "dsi@cd86.test" in one.recipients]
    assert digest.message["Subject"] == ("bascule · nuit du vendredi 28/08/2026 : "
                                         "1 retenu, en attente d'accord")
    text = digest.part("plain")
    assert "En bref : 2 établissements : 1 appliqué, 1 retenu, en attente d'accord." in text
    assert "Collège Jean Moulin (0860999U) : retenu, en attente d'accord. 140 élèves" in text
    assert f"Lire et approuver le plan : {CONSOLE}/plan" in text
    assert "synchronisation des annuaires : non fait (serveur pédagogique : reprise" in text
    assert "constats de la vérification : 2" in text
    assert "en pièce jointe (nuit-2026-08-28.html)" in text
    [attached] = list(digest.message.iter_attachments())
    assert attached.get_filename() == "nuit-2026-08-28.html"
    assert b"rapport" in attached.get_payload(decode=True)
    assert "<table" in digest.part("html")


def test_each_night_while_it_waits_the_direction_gets_a_reminder_once(
        home_cli: Cli, smtp_server: SmtpServer) -> None:
    reach(home_cli.home, smtp_server, schools=DIRECTION)
    _night(home_cli, NIGHT)
    again = _night(home_cli, NIGHT)  # the same night, resumed: nothing sent twice
    assert again.sent == 0 and again.already_sent == 2
    _night(home_cli, NIGHT + timedelta(days=1))
    subjects = _to(smtp_server, "ce.0860999u@ac.test")
    assert subjects == ["bascule : le plan de Collège Jean Moulin attend votre accord",
                        "Rappel : le plan de Collège Jean Moulin attend votre accord"]
    reminder = next(one for one in smtp_server.messages if "Rappel" in one.message["Subject"])
    assert "attend toujours votre accord, depuis le vendredi 28/08/2026" in reminder.part("plain")


def test_a_held_school_without_direction_address_is_reported_in_the_digest(
        home_cli: Cli, smtp_server: SmtpServer) -> None:
    reach(home_cli.home, smtp_server)
    outcome = _night(home_cli, NIGHT)
    assert outcome.failed == 1
    [digest] = smtp_server.messages
    text = digest.part("plain")
    assert "Courriels non remis depuis le dernier résumé" in text
    assert "plan en attente (direction) · aucun destinataire : aucune adresse" in text
    _night(home_cli, NIGHT + timedelta(days=1))
    second = smtp_server.messages[-1].part("plain")
    assert second.count("aucune adresse à qui l'envoyer") == 1  # tonight's only, not last's


def test_a_relay_down_loses_nothing_and_the_next_digest_reports_it(
        home_cli: Cli, smtp_server: SmtpServer) -> None:
    reach(home_cli.home, smtp_server, schools=DIRECTION, port=free_port())
    down = _night(home_cli, NIGHT)
    assert down.sent == 0 and down.failed == 2
    assert all("Impossible de joindre" in line for line in down.failures)
    reach(home_cli.home, smtp_server, schools=DIRECTION)
    _night(home_cli, NIGHT + timedelta(days=1))
    digest = next(one for one in smtp_server.messages if "dsi@cd86.test" in one.recipients)
    text = digest.part("plain")
    assert "résumé de la nuit · dsi@cd86.test : Impossible de joindre" in text
    assert "plan en attente (direction) · ce.0860999u@ac.test : Impossible de joindre" in text
    listed = home_cli("mail", "outbox", "--failed", "--json")
    assert len(json.loads(listed.stdout)) == 2


def test_a_dry_run_sends_nothing_and_says_what_it_would_send(
        home_cli: Cli, smtp_server: SmtpServer) -> None:
    reach(home_cli.home, smtp_server, schools=DIRECTION)
    outcome = _night(home_cli, NIGHT, dry_run=True)
    assert smtp_server.messages == []
    assert len(outcome.would_send) == 2
    assert outcome.would_send[1].startswith(
        "résumé de la nuit → dsi@cd86.test : bascule · nuit du vendredi 28/08/2026 (simulation)")


def test_without_mail_settings_a_night_sends_nothing(home_cli: Cli) -> None:
    outcome = _night(home_cli, NIGHT)
    assert outcome.configured is False


def test_settled_mails_leave_the_outbox_after_outbox_kept_days(
        home_cli: Cli, smtp_server: SmtpServer) -> None:
    reach(home_cli.home, smtp_server, schools=DIRECTION, port=free_port(), outbox_kept_days=30)
    _night(home_cli, NIGHT)  # the relay down: two failures, not reported yet
    _night(home_cli, NIGHT + timedelta(days=31))  # still down: no failure reported, none removed
    assert len(json.loads(home_cli("mail", "outbox", "--json").stdout)) == 4
    reach(home_cli.home, smtp_server, schools=DIRECTION, outbox_kept_days=30)
    _night(home_cli, NIGHT + timedelta(days=32))  # sent, and the failures reported
    _night(home_cli, NIGHT + timedelta(days=70))
    kept = json.loads(home_cli("mail", "outbox", "--json").stdout)
    assert len(kept) == 2 and all(one["status"] == "sent" for one in kept)
    assert {one["created_at"][:10] for one in kept} == {"2026-11-06"}  # tonight's only


def test_the_night_s_html_report_is_in_french_and_dated_by_its_day(tmp_path: Path) -> None:
    """Its title is the night's day, not « 02:00 » (a UTC midnight shown in Paris), and its
    counts are words (newcomer 9, finding 6)."""
    from bascule.reports.night_files import write_night_html

    path = tmp_path / "nuit.html"
    write_night_html(path, _report(date(2026, 9, 1)))
    html = path.read_text(encoding="utf-8")
    assert "<h1>Nuit du mardi 01/09/2026</h1>" in html
    assert "3 comptes à créer, 140 comptes à désactiver" in html
    assert "4 comptes créés" in html and "12 élèves présents" in html
    assert "create :" not in html and "eleves :" not in html
