"""bascule operator add|list|remove|password: French messages, exit codes, a password typed
twice without echo or read from stdin, never printed, stored or journaled in clear."""

from __future__ import annotations

import json
import subprocess
import sys

from bascule.cli.app import app
from tests.conftest import Cli, Result

GOOD = "Tr3s-solide!pass"


def _run(cli: Cli, *args: str, typed: str = "") -> Result:
    result = cli.runner.invoke(app, ["--home", str(cli.home), "operator", *args], input=typed)
    return Result(result.exit_code, result.stdout, result.stderr, result.exception)


def _store(cli: Cli) -> bytes:
    return b"".join(path.read_bytes() for path in cli.home.glob("bascule.sqlite*"))


def _add(cli: Cli, login: str = "jdupont") -> None:
    result = _run(cli, "add", login, "--nom", "Jean Dupont", "--password-stdin",
                  typed=GOOD + "\n")
    assert result.exit_code == 0, result.output


def test_add_asks_the_password_twice_and_never_shows_or_stores_it(home_cli: Cli) -> None:
    result = _run(home_cli, "add", "jdupont", "--nom", "Jean Dupont", typed=f"{GOOD}\n{GOOD}\n")
    assert result.exit_code == 0, result.output
    assert "Opérateur Jean Dupont (jdupont) ajouté" in result.stdout
    assert GOOD not in result.output
    assert GOOD.encode() not in _store(home_cli)
    listed = json.loads(_run(home_cli, "list", "--json").stdout)
    assert [(o["login"], o["display_name"], o["active"], o["last_sign_in_at"])
            for o in listed] == [("jdupont", "Jean Dupont", True, None)]


def test_two_different_entries_change_nothing(home_cli: Cli) -> None:
    result = _run(home_cli, "add", "jdupont", "--nom", "Jean", typed=f"{GOOD}\n{GOOD}x\n")
    assert result.exit_code == 1
    assert "Les deux saisies du mot de passe diffèrent : rien n'a changé." in result.stderr
    assert "Aucun opérateur." in _run(home_cli, "list").stdout


def test_a_weak_password_is_refused_with_the_rule(home_cli: Cli) -> None:
    result = _run(home_cli, "add", "jdupont", "--nom", "Jean", "--password-stdin",
                  typed="motdepasse\n")
    assert result.exit_code == 1
    assert "Le nouveau mot de passe est trop faible : rien n'a changé." in result.stderr
    assert "Au moins 12 caractères, avec 3 sortes" in result.stderr
    assert "Traceback" not in result.output


def test_an_existing_operator_and_a_bad_login_are_refused(home_cli: Cli) -> None:
    _add(home_cli)
    again = _run(home_cli, "add", "jdupont", "--nom", "X", "--password-stdin", typed=GOOD)
    assert again.exit_code == 1 and "L'opérateur « jdupont » existe déjà" in again.stderr
    bad = _run(home_cli, "add", "J Dupont", "--nom", "X", "--password-stdin", typed=GOOD)
    assert bad.exit_code == 1 and "Identifiant d'opérateur « J Dupont » refusé." in bad.stderr


def test_remove_and_password_are_journaled_without_the_password(home_cli: Cli) -> None:
    _add(home_cli)
    changed = _run(home_cli, "password", "jdupont", "--password-stdin", typed=GOOD + "2\n")
    assert changed.exit_code == 0, changed.output
    assert "Mot de passe de l'opérateur jdupont changé ; 0 session(s)" in changed.stdout
    removed = _run(home_cli, "remove", "jdupont")
    assert removed.exit_code == 0
    assert "Opérateur jdupont retiré ; 0 session(s) de la console fermée(s)." in removed.stdout
    assert "retiré" in _run(home_cli, "list").stdout
    again = _run(home_cli, "remove", "jdupont")
    assert again.exit_code == 1
    assert "Aucun opérateur actif n'a l'identifiant « jdupont »." in again.stderr
    journal = home_cli("audit", "--json").stdout
    actions = [entry["action"] for entry in json.loads(journal)]
    assert actions[:3] == ["operateur_retire", "operateur_mdp", "operateur_ajout"]
    assert GOOD not in journal and "opérateur:jdupont" in journal


def test_without_a_terminal_the_password_is_refused_in_french_not_echoed(home_cli: Cli) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "bascule", "--home", str(home_cli.home), "operator", "add",
         "jdupont", "--nom", "Jean Dupont"], stdin=subprocess.DEVNULL, capture_output=True,
        text=True, start_new_session=True, check=False, timeout=60)  # no controlling terminal
    assert done.returncode == 1, done.stderr
    said = " ".join(done.stderr.split())
    assert "Pas de terminal pour taper le mot de passe" in said and "--password-stdin" in said
    assert "Warning" not in done.stderr and "GetPassWarning" not in done.stderr
