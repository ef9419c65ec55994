"""Password resets and delegations through the CLI: the policy decides, refusals say why, the
new password is shown once and never stored or journaled in clear."""

from __future__ import annotations

import getpass
import json
import re
from pathlib import Path

import pytest

from bascule.cli.app import app
from bascule.domain.passwords import PasswordPolicy, meets_policy
from bascule.reports.tables import original_cell
from tests.cli.test_rollover import _plan
from tests.conftest import Cli, Files


@pytest.fixture
def college_accounts(home_cli: Cli, files: Files) -> Cli:
    home_cli("import", *files())
    _plan(home_cli)
    assert home_cli("apply", "--yes").exit_code == 0
    return home_cli


def _new_password(output: str) -> str:
    found = re.search(r"\) : (\S+)\n", output)
    assert found, output
    return found.group(1)


def _store(cli: Cli) -> bytes:
    return b"".join(path.read_bytes() for path in cli.home.glob("bascule.sqlite*"))


def test_a_teacher_resets_an_eleve(college_accounts: Cli) -> None:
    result = college_accounts("password", "reset", "lmartin", "--by", "cdurand")
    assert result.exit_code == 0, result.output
    assert "Nouveau mot de passe de MARTIN Léa (lmartin) : " in result.stdout
    password = _new_password(result.stdout)
    assert meets_policy(password, PasswordPolicy())
    store = _store(college_accounts)
    assert password.encode() not in store
    assert b"password_reset" in store and b"cdurand" in store


def test_a_reset_in_a_teachers_name_journals_who_typed_it(college_accounts: Cli) -> None:
    assert college_accounts("password", "reset", "lmartin", "--by", "cdurand").exit_code == 0
    (line,) = json.loads(college_accounts("audit", "--action", "password_reset",
                                          "--json").stdout)
    assert line["actor"] == "cdurand" and line["detail"]["via"] == f"cli:{getpass.getuser()}"
    table = college_accounts("audit", "--action", "password_reset").stdout
    assert f"via cli:{getpass.getuser()}" in " ".join(table.split())
    college_accounts("review", "list")  # a command run as oneself names no one else
    assert college_accounts("hold", "add", "temery", "--reason", "test",
                            "--until", "31/08/2027").exit_code == 0
    (held,) = json.loads(college_accounts("audit", "--action", "retenue", "--json").stdout)
    assert "via" not in held["detail"]


def test_ones_own_password_is_changed_not_reset(college_accounts: Cli) -> None:
    result = college_accounts("password", "reset", "cdurand", "--by", "cdurand")
    assert result.exit_code == 1
    assert "Votre propre mot de passe ne se réinitialise pas" in result.stderr
    assert "password change" in result.stderr


def test_a_whole_division_is_reset_at_a_terminal_only_once_its_count_is_confirmed(
        college_accounts: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    from types import SimpleNamespace

    import bascule.cli.school

    monkeypatch.setattr(bascule.cli.school, "sys",
                        SimpleNamespace(stdin=SimpleNamespace(isatty=lambda: True)))
    command = ["--home", str(college_accounts.home), "password", "reset-group", "6A", "--by",
               "idasilva"]
    declined = college_accounts.runner.invoke(app, command, input="n\n")
    assert declined.exit_code == 1 and "Rien n'a été réinitialisé" in declined.output
    assert "de « 6A » ?" in declined.output
    assert not _journal_lines(college_accounts, "password_reset")
    confirmed = college_accounts.runner.invoke(app, command, input="o\n")
    assert confirmed.exit_code == 0, confirmed.output
    assert "mot(s) de passe réinitialisé(s) pour « 6A »" in confirmed.output


def _journal_lines(cli: Cli, action: str) -> list[object]:
    return json.loads(cli("audit", "--action", action, "--json").stdout)  # type: ignore[no-any-return]


def test_a_teacher_may_not_reset_staff(college_accounts: Cli) -> None:
    result = college_accounts("password", "reset", "sgarnier", "--by", "cdurand")
    assert result.exit_code == 1
    # Out of her reach, and not in the accounts she may list: its profile is not hers to know.
    assert ("Refusé à DURAND Claire (cdurand) : « sgarnier » n'est pas un compte sur lequel "
            "vous pouvez agir ici.") in " ".join(result.stderr.split())
    assert "administratif" not in result.stderr


def test_an_eleve_resets_nobody(college_accounts: Cli) -> None:
    result = college_accounts("password", "reset", "temery", "--by", "lmartin")
    assert result.exit_code == 1
    assert "n'est permis à aucun de vos rôles (élève)" in result.stderr
    assert "Traceback" not in result.output


def test_teachers_may_be_limited_to_their_own_eleves(college_accounts: Cli) -> None:
    with (college_accounts.home / "bascule.toml").open("a", encoding="utf-8") as config:
        config.write("\n[passwords]\nteachers_reset_own_eleves_only = true\n")
    assert college_accounts("password", "reset", "lmartin", "--by", "lfrancois").exit_code == 1
    assert college_accounts("password", "reset", "lcoeurleger", "--by",
                            "lfrancois").exit_code == 0  # his division 5 B/1


def test_the_direction_delegates_password_resets(college_accounts: Cli) -> None:
    name = "Réinitialiser les mots de passe"
    refused = college_accounts("delegation", "grant", "sgarnier", name, "--by", "cdurand")
    assert refused.exit_code == 1 and "Refusé à DURAND Claire" in refused.stderr
    assert college_accounts("password", "reset", "jlegoff", "--by", "sgarnier").exit_code == 1
    granted = college_accounts("delegation", "grant", "sgarnier", name, "--by", "idasilva")
    assert granted.exit_code == 0
    said = " ".join(granted.stdout.split())
    assert ("Délégation « Réinitialiser les mots de passe » (référent numérique (RRUPN) : les "
            "mots de passe des élèves et des personnels hors direction") in said  # what it gives
    assert "accordée à GARNIER Sébastien" in said
    assert college_accounts("password", "reset", "jlegoff", "--by", "sgarnier").exit_code == 0
    revoked = college_accounts("delegation", "revoke", "sgarnier", "reinitialiser LES mots de "
                               "passe", "--by", "idasilva")  # typed without accents
    assert "Délégation « Réinitialiser les mots de passe » (" in revoked.stdout
    assert "retirée à GARNIER" in " ".join(revoked.stdout.split())
    assert college_accounts("password", "reset", "jlegoff", "--by", "sgarnier").exit_code == 1


def test_unknown_logins_and_delegations_are_named(college_accounts: Cli) -> None:
    unknown = college_accounts("password", "reset", "personne", "--by", "idasilva")
    assert unknown.exit_code == 1
    assert "Aucun compte n'a l'identifiant « personne »" in unknown.stderr
    # A teacher, who lists only her élèves, is not told that nobody holds it.
    by_teacher = college_accounts("password", "reset", "personne", "--by", "cdurand")
    assert by_teacher.exit_code == 1 and "Aucun compte" not in by_teacher.stderr
    wrong = college_accounts("delegation", "grant", "sgarnier", "Tout faire", "--by", "idasilva")
    assert wrong.exit_code == 2 and "délégation inconnue" in wrong.stderr


def test_audit_lists_imports_applies_delegations_and_resets_without_secrets(
    college_accounts: Cli,
) -> None:
    import json

    college_accounts("delegation", "grant", "sgarnier", "Gestionnaire de l'ENT", "--by",
                     "idasilva")
    reset = college_accounts("password", "reset", "temery", "--by", "cdurand")
    password = _new_password(reset.stdout)
    entries = json.loads(college_accounts("audit", "--json", "--limit", "5000").stdout)
    actions = {entry["action"] for entry in entries}
    assert {"import", "create", "add", "delegation_grant", "password_reset"} <= actions
    (reset_entry,) = [e for e in entries if e["action"] == "password_reset"]
    assert (reset_entry["actor"], reset_entry["detail"]["login"]) == ("cdurand", "temery")
    assert password not in json.dumps(entries)
    (folder,) = (college_accounts.home / "credentials").glob("*/*")
    initial = [original_cell(line.rsplit(";", 1)[-1]) for line in
               (folder / "comptes.csv").read_text(encoding="utf-8-sig").splitlines()[1:]]
    assert not any(secret in json.dumps(entries) for secret in initial)
    only = json.loads(college_accounts("audit", "--json", "--actor", "cdurand").stdout)
    assert [e["action"] for e in only] == ["password_reset"]
    listed = college_accounts("audit", "--target", "temery").stdout
    assert "réinitialisation du mot de passe" in listed and "ÉMERY Timothée (temery)" in listed
    assert "password_reset" not in listed and "eleve:" not in listed
    by_word = json.loads(college_accounts("audit", "--json", "--action",
                                          "Réinitialisation du mot de passe").stdout)
    assert [e["action"] for e in by_word] == ["password_reset"]


def _check(cli: Cli, login: str, at: str) -> str:
    result = cli("access", "check", login, "--at", at)
    assert result.exit_code == 0, result.output
    return result.stdout.strip()


def test_an_unknown_login_is_refused_saying_where_to_find_the_right_one(
        college_accounts: Cli) -> None:
    said = _check(college_accounts, "lmartni", "2026-08-20T10:00")  # a typo
    assert said.startswith("lmartni : refusé (identifiant inconnu).")
    assert "Vérifiez l'identifiant : bascule accounts" in said
    as_json = json.loads(college_accounts("access", "check", "lmartni", "--json").stdout)
    assert as_json == {"login": "lmartni", "allowed": False, "reason": "identifiant inconnu"}


def test_the_rentree_closure_through_the_summer(college_accounts: Cli) -> None:
    cli = college_accounts
    assert _check(cli, "lmartin", "2026-08-20T10:00") == "lmartin : autorisé (compte actif)."
    assert _check(cli, "lmartin", "2026-08-25T10:00") == (
        "lmartin : refusé (fermeture rentrée jusqu'au mardi 01/09/2026 18:00).")
    assert "refusé" in _check(cli, "p.martin", "2026-08-25T10:00")
    assert "autorisé" in _check(cli, "cdurand", "2026-08-25T10:00")  # staff: never closed

    refused = cli("access", "reopen", "--profile", "eleve", "--by", "cdurand",
                  "--at", "2026-08-26T09:00")
    assert refused.exit_code == 1 and "Seuls le principal et le principal adjoint" in (
        refused.stderr)
    reopened = cli("access", "reopen", "--profile", "eleve", "--by", "idasilva",
                   "--at", "2026-08-26T09:00")
    assert reopened.exit_code == 0
    assert "ENT rouvert pour les élèves" in reopened.stdout
    assert _check(cli, "lmartin", "2026-08-27T10:00") == (
        "lmartin : autorisé (fermeture rentrée levée pour les élèves par idasilva le mercredi "
        "26/08/2026 09:00).")
    assert "refusé" in _check(cli, "p.martin", "2026-08-27T10:00")  # responsables still closed
    assert cli("access", "close", "--profile", "eleve", "--by", "idasilva",
               "--at", "2026-08-28T09:00").exit_code == 0
    assert "refusé" in _check(cli, "lmartin", "2026-08-29T10:00")
    assert "autorisé" in _check(cli, "lmartin", "2026-09-01T18:00")  # the window is over
    late = cli("access", "reopen", "--profile", "eleve", "--by", "idasilva",
               "--at", "2026-09-02T09:00")
    assert late.exit_code == 1 and "n'est pas en cours" in late.stderr
    outside = cli("access", "reopen", "--profile", "eleve", "--by", "cdurand",
                  "--at", "2026-10-02T09:00")  # no right, and no closure: the right is said
    assert outside.exit_code == 1 and "Seuls le principal" in outside.stderr
    assert "ENT rouvert (fermeture rentrée)" in cli("audit", "--actor", "idasilva").stdout


def test_access_of_unknown_and_disabled_accounts(college_accounts: Cli, files: Files) -> None:
    from tests.conftest import edit

    assert _check(college_accounts, "personne", "2026-10-01T10:00").startswith(
        "personne : refusé (identifiant inconnu).")
    edit(files("ElevesSansAdresses.xml")[0], "<DATE_SORTIE>20/12/2026", "<DATE_SORTIE>31/08/2026")
    college_accounts("import", *files())
    _plan(college_accounts)
    college_accounts("apply", "--yes")
    assert "compte désactivé" in _check(college_accounts, "temery", "2026-10-01T10:00")


def test_delegations_of_people_who_left_are_dropped_and_listed_to_renew(
    college_accounts: Cli, files: Files,
) -> None:
    from tests.conftest import edit

    cli = college_accounts
    cli("delegation", "grant", "sgarnier", "Affecter des ressources GAR", "--by", "idasilva")
    cli("delegation", "grant", "jlegoff", "Gestionnaire de l'ENT", "--by", "idasilva")
    listed = cli("delegation", "list").stdout
    assert "Affecter des ressources GAR" in listed and "en cours depuis" in listed
    edit(files("personnes_locales.csv")[0],
         "L001;GARNIER;Sébastien;ADF;12/05/1980;s.garnier@example.fr\r\n", "", "utf-8")
    cli("import", *files())
    _plan(cli)
    assert cli("apply", "--yes").exit_code == 0
    listed = cli("delegation", "list").stdout
    assert "GARNIER Sébastien" in listed and "à renouveler : son titulaire est parti" in listed
    assert "LE GOFF Jean-Baptiste (jlegoff)" in listed  # still here: still delegated


def test_a_teacher_resets_a_whole_division_and_gets_one_pdf(college_accounts: Cli) -> None:
    import stat

    result = college_accounts("password", "reset-group", "6A", "--by", "cdurand")
    assert result.exit_code == 0, result.output
    assert "3 mot(s) de passe réinitialisé(s) pour « 6A »" in result.stdout
    pdf = Path(re.search(r"\) : (\S+\.pdf)", result.stdout.replace("\n", "")).group(1))  # type: ignore[union-attr]
    if not pdf.is_absolute():
        pdf = Path.cwd() / pdf
    assert pdf.name == "fiches-6A.pdf" and stat.S_IMODE(pdf.stat().st_mode) == 0o600
    assert pdf.read_bytes().startswith(b"%PDF-")
    refused = college_accounts("password", "reset-group", "6A", "--by", "lmartin")
    assert refused.exit_code == 1 and "n'est permis à aucun de vos rôles" in refused.stderr


def test_a_reprint_covers_only_initial_passwords(college_accounts: Cli) -> None:
    college_accounts("password", "reset", "lmartin", "--by", "cdurand")
    reprint = college_accounts("password", "reprint", "6A", "--by", "cdurand")
    assert "2 mot(s) de passe réinitialisé(s)" in reprint.stdout  # lmartin was reset already
    again = college_accounts("password", "reprint", "6A", "--by", "cdurand")
    assert "2 mot(s) de passe réinitialisé(s)" in again.stdout  # a reprint stays "initial"
    none = college_accounts("password", "reprint", "Inconnue", "--by", "cdurand")
    assert none.exit_code == 1 and "Aucun élève actif dans « Inconnue »" in none.stderr
    assert "Les codes possibles : 5 B/1, 6A, " in " ".join(none.stderr.split())  # to type
    loosely = college_accounts("password", "reset-group", " 6a", "--by", "cdurand")
    assert loosely.exit_code == 0 and "pour « 6A »" in loosely.stdout  # case and spaces aside
    as_filed = college_accounts("password", "reprint", "5_B_1", "--by", "cdurand")
    assert "Refusé à DURAND Claire (cdurand) pour « 5 B/1 »" in as_filed.stderr  # its file's name


def test_an_eleve_changes_their_own_password_with_the_current_one(college_accounts: Cli) -> None:
    reset = college_accounts("password", "reset", "lmartin", "--by", "cdurand")
    current = _new_password(reset.stdout)
    wrong = college_accounts.runner.invoke(
        app, ["--home", str(college_accounts.home), "password", "change", "lmartin"],
        input="pas-le-bon\nNouveauMotDePasse1!\nNouveauMotDePasse1!\n")
    assert wrong.exit_code == 1 and "Le mot de passe actuel n'est pas le bon" in wrong.stderr
    weak = college_accounts.runner.invoke(
        app, ["--home", str(college_accounts.home), "password", "change", "lmartin"],
        input=f"{current}\nfaible\nfaible\n")
    assert weak.exit_code == 1 and "trop faible" in weak.stderr
    done = college_accounts.runner.invoke(
        app, ["--home", str(college_accounts.home), "password", "change", "lmartin"],
        input=f"{current}\nNouveauMotDePasse1!\nNouveauMotDePasse1!\n")
    assert done.exit_code == 0, done.output
    assert "Mot de passe de MARTIN Léa (lmartin) changé." in done.stdout
    assert b"NouveauMotDePasse1!" not in _store(college_accounts)
    assert "changement de mot de passe" in college_accounts("audit", "--target", "lmartin").stdout


def test_the_rrupn_ends_the_sessions_of_an_account_an_eleve_cannot(college_accounts: Cli) -> None:
    assert college_accounts("delegation", "grant", "jlegoff", "Réinitialiser les mots de passe",
                            "--by", "idasilva").exit_code == 0
    done = college_accounts("password", "end-sessions", "cdurand", "--by", "jlegoff")
    assert done.exit_code == 0 and "0 session(s) de DURAND Claire (cdurand)" in done.stdout
    refused = college_accounts("password", "end-sessions", "cdurand", "--by", "lmartin")
    # An élève, who may list no account, is not told what cdurand's account is (newcomer 10).
    assert refused.exit_code == 1 and "pas permis pour ce compte" not in refused.stderr
    assert "sessions_fermees" in college_accounts("audit", "--json").stdout
