"""bascule calendar and bascule lifecycle: the September deletions, never earlier."""

from __future__ import annotations

import json

from tests.cli.test_rollover import _plan
from tests.conftest import Cli, Files, edit


def test_calendar_shows_the_phase_and_what_is_allowed(cli: Cli) -> None:
    result = cli("calendar", "--at", "2026-08-25T10:00")
    assert result.exit_code == 0
    assert "Calendrier de la bascule 2026-2027 (heure de Paris)" in result.stdout
    assert "Le mardi 25/08/2026 10:00 : ENT fermé aux élèves et aux responsables" in result.stdout
    assert "non (à partir du vendredi 28/08/2026)" in result.stdout
    derived = cli("calendar", "--year", "2027")
    assert "calculé par les règles du mémo, à relire" in derived.stdout
    assert "lundi 23/08/2027" in derived.stdout


def test_disabled_accounts_are_deleted_from_the_deletion_date_on(home_cli: Cli,
                                                                  files: Files) -> None:
    home_cli("import", *files())
    _plan(home_cli, "--at", "2026-09-02T08:00")
    assert home_cli("apply", "--yes", "--at", "2026-09-02T08:00").exit_code == 0
    edit(files("ElevesSansAdresses.xml")[0], "<DATE_SORTIE>20/12/2026", "<DATE_SORTIE>31/08/2026")
    home_cli("import", *files())
    _plan(home_cli, "--at", "2026-09-03T08:00")
    assert home_cli("apply", "--yes", "--at", "2026-09-03T08:00").exit_code == 0

    early = home_cli("lifecycle", "--at", "2026-09-10T08:00")
    assert early.exit_code == 0
    assert "prochaines suppressions sont prévues à partir du lundi 14/09/2026" in early.stdout
    assert "suppressions du lundi 15/09/2025" in " ".join(early.stdout.split())  # last year's
    assert home_cli("apply", "--yes", "--at", "2026-09-10T08:00").exit_code == 0
    assert json.loads(home_cli("accounts", "--json", "--status", "deleted").stdout) == []

    due = home_cli("lifecycle", "--at", "2026-09-15T08:00")
    assert "1 compte(s) désactivé(s) avant le lundi 14/09/2026 seront supprimés" in due.stdout
    assert "supprimer · élève · ÉMERY Timothée temery t.emery" in due.stdout
    assert "bascule apply --yes --at 2026-09-15T08:00" in " ".join(due.stdout.split())
    assert json.loads(home_cli("lifecycle", "--json", "--at", "2026-09-15T08:00").stdout)[
        "summary"]["delete"] == 1
    # A rehearsal is not applied before its day: the deletions would come before the calendar.
    early_apply = home_cli("apply", "--yes", "--at", "2026-09-14T18:00")
    assert early_apply.exit_code == 1
    assert "calculé pour le mardi 15/09/2026 (--at) : il ne peut pas être appliqué avant ce " \
           "jour" in " ".join(early_apply.stderr.split())
    assert json.loads(home_cli("accounts", "--json", "--status", "deleted").stdout) == []
    assert home_cli("apply", "--yes", "--at", "2026-09-15T07:00").exit_code == 0  # its day
    (deleted,) = json.loads(home_cli("accounts", "--json", "--status", "deleted").stdout)
    assert (deleted["last_name"], deleted["login"]) == ("ÉMERY", None)  # its logins are freed
    assert _plan(home_cli, "--at", "2026-09-16T08:00")["actions"] == []


def test_policy_matrix_prints_who_may_do_what(cli: Cli) -> None:
    text = cli("policy", "matrix").stdout
    assert "réinitialiser le mot de passe d'un autre" in text
    rows = json.loads(cli("policy", "matrix", "--json").stdout)
    assert {"permission": "toggle_ent_closure", "role": "principal", "scope": "l'établissement"} \
        in rows
    assert {"permission": "toggle_ent_closure", "role": "rrupn", "scope": "—"} in rows
