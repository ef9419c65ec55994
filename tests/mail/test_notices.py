"""The September deletion notices: a former staff member whose account was disabled is told,
from `notice_days` before the deletions, once per person and date; nobody else is."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import Cli, Files, apply_campaign
from tests.mail.conftest import reach
from tests.servers.smtp import SmtpServer

GARNIER = "s.garnier@example.fr"  # the local staff member L001 of personnes_locales.csv


@pytest.fixture
def departed(home_cli: Cli, files: Files, college: Path) -> Cli:
    """The college applied on 02/09/2026, then GARNIER Sébastien gone (disabled) on 03/09."""
    apply_campaign(home_cli, files, at="2026-09-02T08:00")
    staff = college / "personnes_locales.csv"
    lines = staff.read_text(encoding="utf-8-sig").splitlines(keepends=True)
    staff.write_text("".join(line for line in lines if not line.startswith("L001;")),
                     encoding="utf-8-sig")
    apply_campaign(home_cli, files, at="2026-09-03T08:00")
    return home_cli


def test_a_disabled_staff_member_is_told_the_deletion_date_once(
        departed: Cli, smtp_server: SmtpServer) -> None:
    reach(departed.home, smtp_server)
    result = departed("mail", "notices", "--at", "2026-09-04T02:30")
    assert result.exit_code == 0, result.output
    assert "Avis de suppression de compte : 1 avis envoyé." in result.stdout
    [notice] = smtp_server.messages
    assert notice.recipients == (GARNIER,)
    assert notice.message["Subject"] == ("Votre compte du Collège Jean Moulin sera supprimé le "
                                         "lundi 14/09/2026")
    text = notice.part("plain")
    assert "Bonjour Sébastien GARNIER," in text
    assert "votre compte « sgarnier" in text
    assert "demandez-les avant cette date à la direction ou au référent numérique" in text
    assert "archivé 365 jours" in text
    again = departed("mail", "notices", "--at", "2026-09-05T02:30")
    assert "0 avis envoyé, 1 déjà envoyé." in again.stdout
    assert len(smtp_server.messages) == 1


def test_no_notice_before_the_window_nor_after_the_deletions(
        departed: Cli, smtp_server: SmtpServer) -> None:
    reach(departed.home, smtp_server, notice_days=3)  # window from 11/09/2026
    early = departed("mail", "notices", "--at", "2026-09-10T02:30").stdout
    assert "0 avis envoyé." in early
    assert ("0860999U : les avis partent du vendredi 11/09/2026 jusqu'à la suppression, le "
            "lundi 14/09/2026.") in early
    assert "0 avis envoyé." in departed("mail", "notices", "--at", "2026-09-14T02:30").stdout
    assert smtp_server.messages == []
    assert "1 avis envoyé." in departed("mail", "notices", "--at", "2026-09-11T02:30").stdout


def test_a_dry_run_lists_the_notices_without_sending(
        departed: Cli, smtp_server: SmtpServer) -> None:
    reach(departed.home, smtp_server)
    result = departed("mail", "notices", "--at", "2026-09-04T02:30", "--dry-run")
    assert f"Partirait : avis de suppression de compte → {GARNIER}" in result.stdout
    assert smtp_server.messages == []
    assert json.loads(departed("mail", "outbox", "--json").stdout) == []


def test_active_staff_and_eleves_get_no_notice(home_cli: Cli, files: Files,
                                               smtp_server: SmtpServer) -> None:
    apply_campaign(home_cli, files, at="2026-09-02T08:00")
    reach(home_cli.home, smtp_server)
    assert "0 avis envoyé." in home_cli("mail", "notices", "--at", "2026-09-04T02:30").stdout
    assert smtp_server.messages == []


def test_the_notice_says_the_files_stay_readable_when_the_school_chose_the_leavers_grace(
        departed: Cli, smtp_server: SmtpServer) -> None:
    reach(departed.home, smtp_server)
    toml = departed.home / "bascule.toml"
    toml.write_text(toml.read_text(encoding="utf-8")
                    + "\n[lifecycle]\nleavers_keep_files_until_deletion = true\n",
                    encoding="utf-8")
    assert departed("mail", "notices", "--at", "2026-09-04T02:30").exit_code == 0
    [notice] = smtp_server.messages
    for part in ("plain", "html"):
        assert "en lecture seulement, pour y reprendre vos fichiers" in notice.part(part)
        assert "demandez-les avant cette date" not in notice.part(part)
