"""No internal code or English word reaches a person through the CLI: every --help of the
tree, the filters' errors, a taken port."""

from __future__ import annotations

import re
import socket
from collections.abc import Iterator
from pathlib import Path

from typer.main import get_command

from bascule.cli.app import app
from tests.conftest import Cli, Files

# Click's and the code's own words that must never show in a help.
ENGLISH = re.compile(r"\b(Usage|Options:|Commands|Arguments:|Show this message|env var|default"
                     r"|required|<str>|<int|<path>|COMMAND|ARGS)\b")
INTERNAL_CODES = re.compile(r"\b(eleve|vie_scolaire|active|disabled|deleted|password_reset"
                            r"|delegation_grant)\b")


def _command_paths(command: object, path: tuple[str, ...] = ()) -> Iterator[tuple[str, ...]]:
    yield path
    for name, child in sorted(getattr(command, "commands", {}).items()):
        yield from _command_paths(child, (*path, name))


def test_every_help_is_in_french_without_internal_codes(home_cli: Cli) -> None:
    paths = list(_command_paths(get_command(app)))
    assert len(paths) > 40
    for path in paths:
        shown = home_cli(*path, "--help")
        assert shown.exit_code == 0, (path, shown.output)
        assert "Utilisation : " in shown.stdout and "Affiche cette aide" in shown.stdout
        assert not ENGLISH.search(shown.stdout), (path, ENGLISH.search(shown.stdout))
        assert not INTERNAL_CODES.search(shown.stdout), (path, shown.stdout)
        listed = shown.stdout.partition("Commandes :")[2]  # each summary whole, never cut
        assert not any(line.endswith("...") for line in listed.splitlines()), (path, listed)


def test_a_group_alone_shows_its_help_in_french(home_cli: Cli) -> None:
    shown = home_cli("password")
    assert shown.exit_code == 2 and "Commandes :" in shown.stderr
    assert "mal formée" not in shown.stderr


def test_a_taken_port_is_said_in_french(home_cli: Cli) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        refused = home_cli("serve", "--port", str(port))
    assert refused.exit_code == 1
    assert f"127.0.0.1:{port} : ce port est déjà pris" in refused.stderr
    assert f"bascule serve --port {port + 1}" in refused.stderr


def test_an_address_the_machine_does_not_have_is_said_in_french(home_cli: Cli) -> None:
    refused = home_cli("serve", "--host", "192.0.2.1")  # TEST-NET-1: no interface has it
    assert refused.exit_code == 1
    assert "aucune interface de cette machine n'a cette adresse" in refused.stderr


# What a person must never read in a run's output or reports: the store's codes and keys, and
# English words of the interface.
NOT_FOR_PEOPLE = re.compile(
    r"\b(eleve|vie_scolaire|administratif(?! et)|active|disabled|deleted|password_reset"
    r"|password_change|delegation_grant|delegation_revoke|ent_reopen|ent_close|guardian"
    r"|member|create|update|add|remove|disable|reactivate|move|Usage|Error|Warning|Options:"
    r"|Commands|Show this message|default)\b"
    r"|\b(eleve|staff|responsable):[\w:]+")


def _visible_text(page: str) -> str:
    """What a browser shows of a report: no style, no markup."""
    page = re.sub(r"<(style|script)\b.*?</\1>", " ", page, flags=re.S)
    return re.sub(r"<[^>]+>", " ", page)


def test_a_small_run_shows_no_code_and_no_english_word(home_cli: Cli, files: Files,
                                                       tmp_path: Path) -> None:
    at = ("--at", "2026-09-01T08:00")
    steps: list[tuple[str | Path, ...]] = [
        ("import", *files(), "--report", tmp_path / "qualite.html"),
        ("plan", *at), ("apply", "--yes", *at), ("accounts",), ("accounts", "--summary"),
        ("accounts", "--csv"), ("password", "reset", "temery", "--by", "cdurand", *at),
        ("delegation", "grant", "jlegoff", "Réinitialiser les mots de passe", "--by",
         "idasilva", *at),
        ("delegation", "list"), ("audit",), ("status",), ("calendar", *at), ("notices", *at),
        ("lifecycle", "--at", "2026-09-15T08:00"), ("spaces", "sync", *at),
        ("spaces", "usage", "--html", tmp_path / "espaces.html"),
        ("verify", "--html", tmp_path / "verification.html", *at),
        ("accounts", "--status", "actifs"), ("policy", "matrix"),
    ]
    shown = []
    for step in steps:
        result = home_cli(*step)
        assert "Traceback" not in result.output, step
        shown.append((step, result.output))
    shown += [(("rapport", page.name), _visible_text(page.read_text(encoding="utf-8")))
              for page in sorted(tmp_path.glob("*.html"))]
    for step, text in shown:
        found = NOT_FOR_PEOPLE.search(text)
        assert found is None, (step, found, text[max(0, found.start() - 80):found.end() + 80])
