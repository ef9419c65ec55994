"""`bascule undo APPLY-ID`: a mistaken apply put back, field by field; refused once later applies
touched the same people, and past its grace period."""

from __future__ import annotations

import json
import re
from pathlib import Path

from bascule.synthetic.generate import GeneratedCollege
from tests.cli.test_backups import AT, LATER, applied, college, store_content
from tests.cli.test_breaker import _truncated
from tests.cli.test_rollover import _plan
from tests.conftest import Cli

__all__ = ["applied", "college"]  # fixtures

LATEST = "2025-09-13T10:00"


def _apply_truncated(cli: Cli, college: GeneratedCollege, folder: Path, at: str) -> None:
    assert cli("import", _truncated(college, folder, keep=0.5)).exit_code == 0
    assert _plan(cli, "--at", at)["mass_leaves"]
    done = cli("apply", "--yes", "--allow-mass-leave", "--reason", "par erreur", "--at", at)
    assert done.exit_code == 0, done.output


def test_a_truncated_export_applied_by_mistake_is_undone_exactly(
        applied: Cli, college: GeneratedCollege, tmp_path: Path) -> None:
    before = store_content(applied.home)
    _apply_truncated(applied, college, tmp_path / "t", LATER)
    assert store_content(applied.home) != before
    shown = applied("undo", "2", "--at", LATEST)
    assert shown.exit_code == 0, shown.output
    assert "Annulation de l'application n° 2" in shown.stdout and "réactiver" in shown.stdout
    plan = json.loads(applied("undo", "2", "--json", "--at", LATEST).stdout)
    kinds = {action["kind"] for action in plan["actions"]}
    assert "reactivate" in kinds and "disable" not in kinds and not plan["mass_leaves"]
    replaced = applied("plan", "--at", LATEST)  # the campaign's plan in its place: said
    assert "l'annulation de l'application n° 2 qui attendait est remplacée" in " ".join(
        replaced.stderr.split())
    assert applied("undo", "2", "--at", LATEST).exit_code == 0  # prepared again
    done = applied("apply", "--yes", "--at", LATEST)
    assert done.exit_code == 0, done.output
    assert store_content(applied.home) == before
    history = json.loads(applied("history", "--json").stdout)
    assert (history[0]["purpose"], history[0]["undoes"]) == ("undo", 2)
    assert history[1]["undone_by"] == history[0]["id"]
    journal = json.loads(applied("audit", "--json", "--action", "annulation").stdout)
    assert [entry["subject"] for entry in journal] == ["2"]
    again = applied("undo", "2", "--at", LATEST)
    assert again.exit_code == 1 and "déjà été annulée" in again.stderr


def test_an_undo_is_refused_once_a_later_apply_touched_the_same_people(
        applied: Cli, college: GeneratedCollege, tmp_path: Path) -> None:
    _apply_truncated(applied, college, tmp_path / "t", LATER)
    disabled = {account["login"] for account in json.loads(applied("accounts", "--json").stdout)
                if account["status"] == "disabled"}
    assert applied("import", college.folders[0]).exit_code == 0  # the right export, again
    _plan(applied, "--at", LATEST)
    assert applied("apply", "--yes", "--at", LATEST).exit_code == 0
    refused = applied("undo", "2", "--at", LATEST)
    assert refused.exit_code == 1, refused.output
    assert "n° 3" in refused.stderr and "mêmes personnes" in refused.stderr
    # Who the two applies both touched, by name and login: those disabled, then reactivated.
    assert any(f"({login})" in refused.stderr for login in disabled)
    assert "autre(s)" in refused.stderr  # more than 20: counted


def test_an_apply_that_created_accounts_is_undone_and_its_logins_stay_quarantined(
        cli: Cli, college: GeneratedCollege) -> None:
    cli("init", "--uai", college.uai, "--name", "Collège")
    assert cli("import", college.folders[0]).exit_code == 0
    _plan(cli, "--at", AT)
    assert cli("apply", "--yes", "--at", AT).exit_code == 0
    plan = json.loads(cli("undo", "1", "--json", "--at", LATER).stdout)
    assert {action["kind"] for action in plan["actions"] if action["kind"] != "remove"} == \
        {"delete"}
    assert plan["mass_leaves"]  # removing every account trips the breaker, as any plan would
    shown = " ".join(cli("undo", "1", "--at", LATER).stdout.split())
    assert "seraient retirés ou désactivés par cette annulation" in shown
    assert "tronqué" not in shown
    refused = cli("apply", "--yes", "--at", LATER)
    said = " ".join(refused.stderr.split())
    assert refused.exit_code == 1 and "le plan d'annulation retirerait" in said
    assert "export" not in said  # an undo reads no export: nothing of a truncated one
    done = cli("apply", "--yes", "--allow-mass-leave", "--reason", "essai", "--at", LATER)
    assert done.exit_code == 0, done.output
    content = store_content(cli.home)
    assert content["accounts"] == [] and content["facts"] == []
    assert content["logins"] and all(freed is not None for *_rest, freed in content["logins"])


def test_an_undo_is_refused_past_its_grace_period(applied: Cli) -> None:
    refused = applied("undo", "1", "--at", "2026-10-01T10:00")  # past September's deletions
    assert refused.exit_code == 1 and "ne peut plus être annulée" in refused.stderr
    unknown = applied("undo", "9", "--at", LATER)
    assert unknown.exit_code == 1 and "Aucune application n° 9" in unknown.stderr


def test_undoing_the_september_deletions_brings_the_accounts_and_their_folders_back(
        cli: Cli, college: GeneratedCollege) -> None:
    rentree, deletions = "2026-09-02T10:00", "2026-09-15T08:00"
    cli("init", "--uai", college.uai, "--name", "Collège")
    secret = cli.home / "peda.secret"  # a directory never synced: passwords wait for it
    secret.write_text("secret\n")
    assert cli("target", "add", "peda", "--kind", "openldap", "--url", "ldap://127.0.0.1:9",
               "--base-dn", "dc=college,dc=test", "--bind-dn", "cn=admin,dc=college,dc=test",
               "--password-file", secret).exit_code == 0
    for folder, at in ((college.folders[0], AT), (college.folders[1], rentree)):
        assert cli("import", folder).exit_code == 0
        _plan(cli, "--at", at)
        assert cli("apply", "--yes", "--at", at).exit_code == 0
        assert cli("spaces", "sync", "--at", at).exit_code == 0
    leaver = next(a for a in json.loads(cli("accounts", "--json").stdout)
                  if a["status"] == "disabled" and a["profile"] == "eleve")
    folder = cli.home / "espaces" / college.uai / "Eleves" / leaver["login"]
    (folder / "devoir.txt").write_text("mon travail", encoding="utf-8")
    assert cli("lifecycle", "--at", deletions).exit_code == 0
    assert cli("apply", "--yes", "--at", deletions).exit_code == 0
    assert cli("cleanup", "plan", "departs", "--at", deletions).exit_code == 0
    cleaned = cli("cleanup", "apply", "--yes", "--at", deletions)
    assert cleaned.exit_code == 0, cleaned.output
    assert not folder.exists()
    removed = json.loads(cli("history", "--apply", "3", "--json").stdout)
    assert any(c["table"] == "pending_password" and c["old"] == "retiré" for c in removed)
    assert cli("undo", "3", "--at", deletions).exit_code == 0
    assert cli("apply", "--yes", "--at", deletions).exit_code == 0
    back = {a["login"]: a["status"] for a in json.loads(cli("accounts", "--json").stdout)}
    assert back[leaver["login"]] == "disabled"
    synced = cli("spaces", "sync", "--at", deletions)
    assert synced.exit_code == 0, synced.output
    assert f"ramené de son archive (compte revenu) : Eleves/{leaver['login']}" in synced.stdout
    assert (folder / "devoir.txt").read_text(encoding="utf-8") == "mon travail"


def test_history_shows_what_an_apply_changed_field_by_field(
        applied: Cli, college: GeneratedCollege, tmp_path: Path) -> None:
    _apply_truncated(applied, college, tmp_path / "t", LATER)
    changes = json.loads(applied("history", "--apply", "2", "--json").stdout)
    statuses = [c for c in changes if c["table"] == "account" and c["field"] == "status"]
    assert statuses and all((c["old"], c["new"]) == ("active", "disabled") for c in statuses)
    assert any(c["table"] == "fact" and c["old"] == "retiré" for c in changes)
    assert not any("password" in c["field"] for c in changes)
    named = {c["person_label"] for c in statuses}
    assert all(re.fullmatch(r"\S.* \S+ \(\S+\)", one) for one in named), named  # NOM Prénom (login)
    shown = applied("history", "--apply", "2")
    assert "Ce que l'application n° 2 a changé" in shown.stdout and "désactivé" in shown.stdout
    assert "compte" in shown.stdout and "état depuis" in shown.stdout  # the store's words...
    assert "status_since" not in shown.stdout and "account" not in shown.stdout  # ...in French
    assert "membre de la division" in shown.stdout and " member " not in shown.stdout
    assert "\n  compte · état : actif → désactivé\n" in shown.stdout  # one line per field...
    assert all(f"\n{one}\n  " in shown.stdout for one in named)  # ...under its person's name
    assert applied("history", "--apply", "7").exit_code == 1


def test_history_of_one_apply_is_filtered_to_one_person(
        applied: Cli, college: GeneratedCollege, tmp_path: Path) -> None:
    _apply_truncated(applied, college, tmp_path / "t", LATER)
    every = json.loads(applied("history", "--apply", "2", "--json").stdout)
    someone = next(c for c in every if c["table"] == "account")
    login = someone["person_label"].rsplit("(", 1)[1].rstrip(")")
    theirs = json.loads(applied("history", "--apply", "2", "--json", "--person",
                                login.upper()).stdout)
    assert theirs and {c["person"] for c in theirs} == {someone["person"]}
    assert len(theirs) == sum(c["person"] == someone["person"] for c in every)
    membership = next(c for c in theirs if c["table"] == "fact")
    assert re.fullmatch(r"\d{4}-\d{4} : membre (de la division|du groupe) \S.*",
                        membership["row_text"]), membership
    last, first = someone["person_label"].split(" (")[0].rsplit(" ", 1)
    by_name = json.loads(applied("history", "--apply", "2", "--json", "--person",
                                 f"{first} {last.lower()}").stdout)  # any order, any case
    assert {c["person"] for c in by_name} == {someone["person"]}
    first = json.loads(applied("history", "--apply", "1", "--json").stdout)
    educonnect = next(c["row"][2] for c in first if c["table"] == "login"
                      and c["person"] == someone["person"] and c["row"][1] == "p.nom")
    by_other_login = json.loads(applied("history", "--apply", "2", "--json", "--person",
                                        educonnect).stdout)  # any login they hold or held
    assert {c["person"] for c in by_other_login} == {someone["person"]}
    nobody = applied("history", "--apply", "2", "--person", "Personne-Inconnue")
    assert nobody.exit_code == 0 and "n'a rien changé de « Personne-Inconnue »" in nobody.stdout
    assert applied("history", "--person", login).exit_code == 2  # without --apply


def test_an_undo_waits_for_holds_and_is_approved_whole(
        applied: Cli, college: GeneratedCollege, tmp_path: Path) -> None:
    """A held person is touched by no plan, an undo included; and an undo, put back row by
    row from the apply's record, is approved whole: leaving someone out is refused, never an
    empty plan approved in its stead."""
    _apply_truncated(applied, college, tmp_path / "t", LATER)
    changes = json.loads(applied("history", "--apply", "2", "--json").stdout)
    disabled = next(c for c in changes if c["table"] == "account" and c["field"] == "status")
    key = str(disabled["person"])
    assert applied("hold", "add", key, "--until", "31/12/2025", "--reason", "litige",
                   "--at", LATEST).exit_code == 0
    refused = applied("undo", "2", "--at", LATEST)
    assert refused.exit_code == 1 and "toucherait des personnes retenues" in refused.stderr
    (hold,) = json.loads(applied("hold", "list", "--json").stdout)
    assert applied("hold", "remove", str(hold["number"]), "--at", LATEST).exit_code == 0
    assert applied("undo", "2", "--at", LATEST).exit_code == 0
    excluding = applied("approve-plan", "--exclude", key, "--reason", "x", "--at", LATEST)
    assert excluding.exit_code == 1 and "s'approuve entière" in excluding.stderr
    undone = applied("apply", "--yes", "--at", LATEST)  # the undo still waits, whole
    assert undone.exit_code == 0 and "comptes réactivés" in undone.stdout, undone.output


def test_status_no_longer_asks_to_hand_out_the_slips_of_an_undone_apply(
        cli: Cli, college: GeneratedCollege) -> None:
    """Newcomer 8, fault 13: its accounts were taken back; their slips are to be removed."""
    cli("init", "--uai", college.uai, "--name", "Collège")
    assert cli("import", college.folders[0]).exit_code == 0
    _plan(cli, "--at", AT)
    assert cli("apply", "--yes", "--at", AT).exit_code == 0
    (folder,) = (cli.home / "credentials" / college.uai).iterdir()
    assert "distribuez-les" in " ".join(cli("status").output.split())
    cli("undo", "1", "--at", LATER)
    assert cli("apply", "--yes", "--allow-mass-leave", "--reason", "essai",
               "--at", LATER).exit_code == 0
    said = " ".join(cli("status").output.split())
    assert "distribuez-les" not in said
    assert (f"Mots de passe initiaux en clair dans {folder}, d'une application annulée depuis "
            ": ses comptes ont été retirés, ne distribuez pas ces fiches ; supprimez le "
            "dossier.") in said
