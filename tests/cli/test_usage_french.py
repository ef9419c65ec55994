"""A mistyped command line is answered in French (exit 2): each kind of Click/Typer parser
error, every filter that takes a code (its French word accepted, an unknown value refused with
the allowed ones), and every --uai naming a school the folder does not hold."""

from __future__ import annotations

import json
import re

import pytest
from typer.main import get_command

from bascule.cli.app import app
from tests.conftest import UAI, Cli, Files, apply_campaign

# What Click or Typer would print in English, had a message escaped the translation.
ENGLISH = re.compile(r"Usage|Error|Try '|No such|Missing|Got unexpected|Invalid value|requires an"
                     r"|does not take|is not one of|Input should|Did you mean|Possible options"
                     r"|argument\(s\)|for help")


@pytest.mark.parametrize(("args", "said"), [
    (("--verbose",), "option inconnue « --verbose »"),  # the root's own options
    (("--hom", "x", "status"), "option inconnue « --hom » (vouliez-vous dire --home ?)"),
    (("--home",), "l'option « --home » attend une valeur après elle"),
    (("frobnicate",), "commande inconnue « frobnicate »"),
    (("acounts",), "commande inconnue « acounts » (vouliez-vous dire accounts ?)"),
    (("password", "reset", "lmartin", "--jsn"), "option inconnue « --jsn »"),
    (("password", "reset", "lmartin"), "il manque l'option « --by »"),
    (("password", "reset"), "il manque l'argument IDENTIFIANT"),
    (("import",), "il manque l'argument FICHIERS"),
    (("accounts", "en", "trop"), "en trop à la fin de la commande : en trop"),
    (("accounts", "--profile"), "l'option « --profile » attend une valeur après elle"),
    (("accounts", "--json=oui"), "l'option « --json » ne prend pas de valeur"),
    (("generate", "--out", "x", "--colleges", "abc"),
     "valeur invalide pour « --colleges » : « abc » n'est pas un nombre entier"),
    (("generate", "--out", "x", "--colleges", "0"),
     "valeur invalide pour « --colleges » : 0 est trop petit (au moins 1)"),
    (("generate", "--out", "x", "--colleges", "500"),
     "valeur invalide pour « --colleges » : 500 est trop grand (au plus 200)"),
    (("spaces", "quotas", "--format", "mac"),
     "valeur invalide pour « --format » : « mac » n'est pas possible ; les valeurs possibles "
     "sont : linux, windows"),
])
def test_every_kind_of_parser_error_is_said_in_french(home_cli: Cli, args: tuple[str, ...],
                                                      said: str) -> None:
    result = home_cli(*args)
    assert result.exit_code == 2, result.output
    shown = " ".join(result.stderr.split())
    assert f"Erreur : {said}." in shown, shown
    assert "--help montre comment l'écrire" in shown
    assert not ENGLISH.search(shown), (ENGLISH.search(shown), shown)


def test_a_question_left_unanswered_is_said_in_french(home_cli: Cli) -> None:
    result = home_cli.runner.invoke(app, ["--home", str(home_cli.home), "password", "change",
                                          "lmartin"], input="")
    assert result.exit_code == 1
    assert "Abandon : pas de réponse, rien n'a été fait." in result.stderr
    assert "Aborted" not in result.output


def test_the_filters_take_the_french_words(home_cli: Cli, files: Files) -> None:
    apply_campaign(home_cli, files)
    shown = home_cli("accounts", "--profile", "élève", "--status", "actif", "--json")
    assert shown.exit_code == 0
    rows = json.loads(shown.stdout)
    assert rows and {(row["profile"], row["status"]) for row in rows} == {("eleve", "active")}
    by_code = home_cli("accounts", "--profile", "eleve", "--status", "active", "--json")
    assert json.loads(by_code.stdout) == rows  # the codes stay a contract
    staff = home_cli("accounts", "--profile", "Administratif et technique", "--json")
    assert {row["profile"] for row in json.loads(staff.stdout)} == {"administratif"}
    journal = home_cli("audit", "--action", "compte créé", "--json")
    assert journal.exit_code == 0 and {e["action"] for e in json.loads(journal.stdout)} == {
        "create"}
    assert home_cli("delegation", "grant", "sgarnier", "affecter des ressources gar",
                    "--by", "idasilva").exit_code == 0


@pytest.mark.parametrize(("args", "said", "allowed"), [
    (("accounts", "--profile", "prof"), "--profile « prof » : profil inconnu",
     "élève, responsable, enseignant, direction, vie scolaire, documentation, "
     "administratif et technique"),
    (("accounts", "--status", "actifs"), "--status « actifs » : état inconnu",
     "actif, désactivé, supprimé"),
    (("audit", "--action", "reset"), "--action « reset » : action inconnue",
     "import des exports, compte créé,"),
    (("access", "reopen", "--profile", "enseignant", "--by", "idasilva"),
     "--profile « enseignant » : profil inconnu", "élève, responsable"),
    (("cleanup", "plan", "eleves"), "TYPE « eleves » : nettoyage inconnu",
     "classes, personnels, départs, imports"),
    (("review", "resolve", "1", "oui"), "Décision « oui » : décision inconnue",
     "même personne, personne différente, pas encore"),
    (("token", "create", "outil", "--pour", "idasilva", "--portee", "tout"),
     "--portee « tout » : portée inconnue", "lecture, mots-de-passe, pilotage, plan"),
    (("target", "add", "x", "--kind", "foo", "--url", "u", "--base-dn", "b", "--bind-dn", "c"),
     "--kind « foo » : type d'annuaire inconnu", "openldap, ad"),
    (("delegation", "grant", "sgarnier", "Admin", "--by", "idasilva"),
     "Délégation « Admin » : délégation inconnue", "Affecter des ressources GAR, "
     "Gestionnaire de l'ENT, Réinitialiser les mots de passe"),
])
def test_an_unknown_value_is_refused_with_the_allowed_ones(
        home_cli: Cli, args: tuple[str, ...], said: str, allowed: str) -> None:
    result = home_cli(*args)
    assert result.exit_code == 2, result.output
    shown = " ".join(result.stderr.split())
    assert f"Erreur : {said}." in shown and f"Les valeurs possibles sont : {allowed}" in shown, (
        shown)
    assert result.stdout == ""


def _commands_with_uai() -> list[tuple[str, ...]]:
    found, waiting = [], [((), get_command(app))]
    while waiting:
        path, command = waiting.pop()
        children = getattr(command, "commands", {})
        waiting += [((*path, name), child) for name, child in children.items()]
        if not children and any("--uai" in p.opts for p in command.params):
            found.append(path)
    return sorted(found)


def test_every_uai_option_refuses_a_school_the_folder_does_not_hold(home_cli: Cli) -> None:
    paths = [path for path in _commands_with_uai() if path != ("init",)]
    assert len(paths) > 30 and ("calendar",) in paths and ("notices",) in paths
    for path in paths:
        result = home_cli(*path, "--uai", "0000000X")
        shown = " ".join(result.stderr.split())
        assert result.exit_code == 2, (path, result.output)
        assert "L'établissement 0000000X n'est pas dans ce dossier bascule." in shown
        assert f"Les établissements du dossier : {UAI} (Collège Jean Moulin)" in shown, path
    assert home_cli("calendar", "--uai", UAI).exit_code == 0
    approve = home_cli("approve", "0000000X", "--reason", "vu")  # the UAI as an argument
    assert approve.exit_code == 2 and "--uai" not in approve.stderr
    assert "L'établissement 0000000X n'est pas" in " ".join(approve.stderr.split())


@pytest.mark.parametrize(("args", "said"), [
    (("calendar", "--at", "demain"), "--at « demain » n'est pas une date et heure"),
    (("audit", "--since", "31/02/2026"), "--since « 31/02/2026 » n'est pas une date et heure"),
    (("plan", "--json", "--csv"), "--json et --csv ne vont pas ensemble"),
    (("accounts", "--csv", "--summary"), "--csv et --summary ne vont pas ensemble"),
    (("approve-plan", "--exclude", "lmartin"), "--exclude demande une raison"),
    (("hold", "add", "x", "--until", "31/02/2027", "--reason", "r"),
     "--until « 31/02/2027 » n'est pas une date"),
    (("calendar", "--year", "27"), "« --year » : 27 est trop petit (au moins 2000)"),
    (("generate", "--out", "x", "--year", "26"), "« --year » : 26 est trop petit"),
    (("serve", "--port", "99999"), "99999 est trop grand (au plus 65535)"),
    (("audit", "--limit", "9" * 21), "est trop grand (au plus 1000000)"),
])
def test_a_badly_written_value_is_a_usage_mistake_exit_2(home_cli: Cli, args: tuple[str, ...],
                                                         said: str) -> None:
    result = home_cli(*args)
    assert result.exit_code == 2, result.output
    assert said in " ".join(result.stderr.split())


@pytest.mark.parametrize("url", ["postgres://bascule:secret@pg.exemple.fr/bascule",
                                 "mysql://bascule@db/bascule", "pg.ac-exemple.fr"])
def test_a_store_url_bascule_does_not_know_is_the_users_mistake_said_in_french(
        home_cli: Cli, url: str) -> None:
    config = home_cli.home / "bascule.toml"
    config.write_text(config.read_text(encoding="utf-8") + f'\n[store]\nurl = "{url}"\n',
                      encoding="utf-8")
    shown = home_cli("status")
    said = " ".join(shown.stderr.split())
    assert shown.exit_code == 1 and "Erreur interne" not in said, said
    assert "[store] url = « " in said and "n'est pas une adresse de base" in said
    assert "postgresql+psycopg://utilisateur@hôte:5432/base" in said
    assert "secret" not in said  # a password written there is never printed


def test_run_status_on_sqlite_says_the_night_runs_in_bascule_run_itself(home_cli: Cli) -> None:
    shown = home_cli("run", "--status")
    assert shown.exit_code == 0
    said = " ".join(shown.stdout.split())
    assert "Avec une base SQLite, la nuit s'exécute dans « bascule run » lui-même" in said
    assert "rapports/nuits" in said


def test_the_workers_options_on_sqlite_are_refused_alike(home_cli: Cli) -> None:
    """`run --no-wait` and `worker` ask for what only a PostgreSQL store has: both are a
    refusal of this folder's store (exit 1), not a command written wrong."""
    for command in (("run", "--no-wait"), ("worker",)):
        refused = home_cli(*command)
        assert refused.exit_code == 1, (command, refused.output)
        assert "PostgreSQL" in refused.stderr and "SQLite" in refused.stderr


def test_the_apply_command_shown_names_the_school_when_the_folder_has_several(
        home_cli: Cli) -> None:
    from bascule.cli.common import apply_command
    from bascule.settings import load_settings

    assert apply_command(load_settings(home_cli.home), UAI) == "bascule apply --yes"
    assert home_cli("init", "--uai", "0861234K", "--name", "Collège Autre").exit_code == 0
    assert apply_command(load_settings(home_cli.home), UAI) == \
        f"bascule apply --yes --uai {UAI}"
    # A plan rehearsed for another moment is applied with that moment (never before its day).
    assert apply_command(load_settings(home_cli.home), UAI, "14/09/2027 08:00") == \
        f"bascule apply --yes --uai {UAI} --at '14/09/2027 08:00'"


@pytest.mark.parametrize("written", ["15/09/2026", "15/09/2026 08:00", "2026-09-15T08:00"])
def test_a_moment_is_written_as_bascule_shows_it_or_in_iso(home_cli: Cli, written: str) -> None:
    assert home_cli("audit", "--since", written).exit_code == 0
    assert home_cli("calendar", "--at", written).exit_code == 0


def test_a_journal_cut_by_its_limit_says_so(home_cli: Cli, files: Files) -> None:
    assert home_cli("import", *files()).exit_code == 0  # journaled
    every = home_cli("audit", "--limit", "1000")
    assert every.exit_code == 0 and "--limit N" not in every.stdout
    cut = home_cli("audit", "--limit", "1")
    assert cut.exit_code == 0 and "Les 1 lignes les plus récentes seulement" in cut.stdout


def test_an_empty_list_is_a_sentence_not_an_empty_table(home_cli: Cli) -> None:
    accounts = home_cli("accounts")
    assert accounts.exit_code == 0 and "Aucun compte ne correspond." in accounts.stdout
    assert "┏" not in accounts.stdout
    journal = home_cli("audit", "--action", "password_reset")
    assert journal.exit_code == 0 and "aucune ligne pour ces critères" in journal.stdout
