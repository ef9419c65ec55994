"""The console speaks to school staff in its own words: no page nor refusal names a command of
the command line or one of its options (the CLI keeps its own text), and the header names the
school, or nothing, never « bascule · bascule »."""

from __future__ import annotations

import html
import re

import pytest
from fastapi.testclient import TestClient

from bascule.verification.model import _IN_CONSOLE, Finding, Severity
from bascule.web.app import create_app
from tests.conftest import UAI, Cli
from tests.web.test_console import CHOSEN, _client, _csrf, _passwords, _sign_in
from tests.web.test_operators_web import OTHER_UAI, add_operator, sign_in_operator

# A command of the CLI as a page would name it, or one of its options.
COMMAND = re.compile(r"\bbascule (?:[a-z]+ )*?(?:plan|apply|audit|import|policy|backup|hold|"
                     r"review|history|accounts|calendar|sync|spaces|run|approve|undo|"
                     r"lifecycle)\b|(?<![\w-])--[a-z][a-z-]+")


def _words(page: str) -> str:
    """What a person reads of a page: its text, without the markup and the style sheet."""
    body = page.split("<body>", 1)[-1]
    return html.unescape(" ".join(re.sub(r"<[^>]+>", " ", body).split()))


def _commands(client: TestClient, path: str) -> list[str]:
    return COMMAND.findall(_words(client.get(path).text))


def test_no_page_of_the_direction_names_a_command(leaver_plan: Cli) -> None:
    principal = _client(leaver_plan.home)
    _sign_in(principal, "idasilva", _passwords(leaver_plan)["idasilva"])
    menu = re.findall(r'<nav class="menu".*?</nav>', principal.get("/").text, re.S)[0]
    paths = re.findall(r'href="([^"]+)"', menu)
    assert "/plan" in paths and "/verification" in paths and "/journal" in paths
    for path in paths:
        assert _commands(principal, path) == [], path


def test_no_page_of_the_operators_names_a_command(leaver_plan: Cli) -> None:
    add_operator(leaver_plan)
    operator = TestClient(create_app(leaver_plan.home))
    sign_in_operator(operator)
    menu = re.findall(r'<nav class="menu".*?</nav>', operator.get("/").text, re.S)[0]
    for path in re.findall(r'href="([^"]+)"', menu):
        assert _commands(operator, path) == [], path


def test_a_refusal_says_who_may_in_the_console_s_words(school: Cli) -> None:
    teacher = _client(school.home)
    csrf = _sign_in(teacher, "cdurand", _passwords(school)["cdurand"])
    refused = teacher.post("/mots-de-passe/reinitialiser",
                           data={"identifiant": "idasilva", "csrf": csrf})
    words = _words(refused.text)
    assert refused.status_code == 403 and "Pilotage > Autorisations" in words
    assert COMMAND.findall(words) == []
    unknown = teacher.post("/mots-de-passe/reinitialiser",
                           data={"identifiant": "personne", "csrf": csrf})
    assert unknown.status_code == 403 and COMMAND.findall(_words(unknown.text)) == []
    # A teacher learns nothing of the accounts out of her reach: no such login, a colleague
    # and the direction get one refusal, without a profile (newcomer 10).
    said = {login: _words(teacher.post("/mots-de-passe/reinitialiser",
                                       data={"identifiant": login, "csrf": csrf}).text)
            .replace(login, "…") for login in ("personne", "idasilva", "llegoff")}
    assert len(set(said.values())) == 1
    assert "n'est pas un compte sur lequel vous pouvez agir ici" in said["idasilva"]
    assert "(direction)" not in said["llegoff"] and "Aucun compte" not in said["personne"]
    # the command line keeps its own words
    cli = school("password", "reset", "idasilva", "--by", "cdurand")
    assert cli.exit_code == 1 and "bascule policy matrix" in cli.output


@pytest.mark.parametrize("command_line", sorted(_IN_CONSOLE))
def test_the_verification_s_actions_in_the_console_s_words(command_line: str) -> None:
    finding = Finding(code="x", severity=Severity.ERROR, title="t", cause="c",
                      action="Affectez-les à une division dans Siècle-BEE. " + command_line,
                      items=())
    assert finding.console_action != finding.action  # the CLI's report keeps its words
    assert COMMAND.findall(finding.console_action) == []
    assert finding.console_action.startswith("Affectez-les à une division dans Siècle-BEE. ")


def test_the_header_names_the_school_or_nothing(school: Cli) -> None:
    chosen = _passwords(school)["cdurand"] + CHOSEN
    _sign_in(_client(school.home), "cdurand", _passwords(school)["cdurand"])  # chooses it
    assert school("init", "--uai", OTHER_UAI, "--name", "Collège Autre").exit_code == 0
    client = TestClient(create_app(school.home))  # two schools: none before signing in
    sign_in = client.get("/connexion").text
    assert "bascule · bascule" not in sign_in
    assert "bascule · console des établissements" in _words(sign_in)
    signed = client.post("/connexion", follow_redirects=False, data={
        "identifiant": "cdurand", "mot_de_passe": chosen, "etablissement": UAI,
        "csrf": _csrf(sign_in)})
    assert signed.status_code == 303, signed.text
    refused = client.get("/plan")  # a teacher's refusal names the school signed in to
    assert refused.status_code == 403
    assert "bascule · Collège Jean Moulin" in _words(refused.text)
