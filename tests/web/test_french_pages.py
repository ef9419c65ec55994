"""No internal code or English word on the console's pages: the demo's collège (two years,
the second one's plan waiting, a delegation, a reset, spaces), every page read by every role
(the pages a role may not see are its French refusals), scanned like the CLI's output
(tests/cli/test_french) and, in the markup, for table cells or list items that are a code
(`structure`, `pp`, `service`…)."""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

from fastapi.testclient import TestClient

from bascule.reports.tables import original_cell
from bascule.synthetic.generate import GeneratedCollege, generate_campaigns
from bascule.web.access import GATES
from tests.cli.test_french import NOT_FOR_PEOPLE, _visible_text
from tests.conftest import Cli
from tests.web.test_console import _client, _sign_in
from tests.web.test_operators_web import add_operator, sign_in_operator

# What the framework or a careless template would say in English.
ENGLISH = re.compile(r"\b(Not Found|Method Not Allowed|Internal Server Error|Field required"
                     r"|Unprocessable|Submit|Next|Previous|Search|Login|Logout|Password"
                     r"|Cancel|Delete|Save|Sign (?:in|out)|Forbidden|Unauthorized|None|True"
                     r"|False)\b")
# A whole cell, item or option that is one of the store's codes.
CODE_CELL = re.compile(r"<(td|li|option|span)[^>]*>\s*(eleve|vie_scolaire|administratif|active"
                       r"|disabled|deleted|guardian|member|pp|service|structure|password_reset"
                       r"|delegation_grant|create|update|add|remove)\s*<")
# The attributes a person reads.
SHOWN_ATTRIBUTES = re.compile(r'\b(?:placeholder|title|aria-label)="([^"]*)"')
PAGES = [
    *sorted({gate.path for gate in GATES if gate.method == "GET" and "{" not in gate.path
             and not gate.api}),
    "/comptes?etat=désactivé", "/comptes?profil=élève&tri=-division", "/comptes?profil=prof",
    "/journal?page=2", "/journal?action=délégation accordée", "/mots-de-passe?q=a",
    "/comptes?etat=tous&format=csv", "/comptes?format=csv", "/nulle-part", "/api/v1/nulle-part"]
ROLES = ("direction", "enseignant", "vie_scolaire", "documentation", "administratif", "eleve",
         "responsable")


def _demo(cli: Cli, college: GeneratedCollege) -> dict[str, str]:
    """The demo's steps on the generated collège; one login per profile (and the RRUPN)."""
    uai = ("--uai", college.uai)
    assert cli("init", *uai, "--name", college.name).exit_code == 0
    for step in (("import", *sorted(college.folders[0].iterdir())),
                 ("plan", "--at", "2025-09-01T08:00"), ("apply", "--yes", "--at",
                                                         "2025-09-01T08:30"),
                 ("spaces", "sync", "--at", "2025-09-01T08:40"),
                 ("import", *sorted(college.folders[1].iterdir())),
                 ("plan", "--at", "2026-09-01T08:00")):
        assert cli(*step).exit_code == 0, step
    accounts = sorted(json.loads(cli("accounts", "--json").stdout),
                      key=lambda a: a["login"] or a["educonnect"] or "")
    first = {}
    for account in accounts:
        first.setdefault(account["profile"], account["login"] or account["educonnect"])
    referent = next(a["login"] for a in accounts if a["profile"] == "enseignant"
                    and a["login"] != first["enseignant"])
    assert cli("delegation", "grant", referent, "Réinitialiser les mots de passe", "--by",
               first["direction"]).exit_code == 0
    other = next(a["login"] for a in accounts if a["profile"] == "eleve"
                 and a["login"] != first["eleve"])  # the first one signs in below
    assert cli("password", "reset", other, "--by", first["enseignant"]).exit_code == 0
    return {**{role: first[role] for role in ROLES if role in first}, "RRUPN": referent}


def _passwords(home: Path, uai: str) -> dict[str, str]:
    found: dict[str, str] = {}
    for sheet in sorted((home / "credentials" / uai).rglob("comptes.csv")):
        with sheet.open(encoding="utf-8-sig", newline="") as stream:
            for row in list(csv.reader(stream, delimiter=";"))[1:]:
                found[row[0] or row[1]] = original_cell(row[-1])
    return found


def _faults(page: str) -> list[str]:
    text = _visible_text(page) + " " + " ".join(SHOWN_ATTRIBUTES.findall(page))
    return [found.group(0) for pattern in (NOT_FOR_PEOPLE, ENGLISH)
            for found in pattern.finditer(text)] + [
        found.group(0) for found in CODE_CELL.finditer(page)]


def test_every_page_for_every_role_speaks_french(cli: Cli, tmp_path: Path) -> None:
    # The demo's collège, smaller: every profile, two years, pages of every list.
    generated = generate_campaigns(tmp_path / "exports", colleges=1, seed=1, year=2025,
                                   size=120)[0]
    people = _demo(cli, generated)
    passwords = _passwords(cli.home, generated.uai)
    assert set(people) >= {"direction", "enseignant", "eleve", "RRUPN"}
    faults: list[tuple[str, str, list[str]]] = []
    seen = 0
    add_operator(cli)
    for role, login in [*people.items(), ("opérateur", "")]:
        client: TestClient = _client(cli.home)
        if login:
            _sign_in(client, login, passwords[login])
        else:  # the département's operator: an account of their own (store/operators.py)
            sign_in_operator(client)
        for path in PAGES:
            answer = client.get(path)
            assert answer.status_code in (200, 400, 403, 404), (role, path, answer.status_code)
            seen += answer.status_code == 200
            page = (str(answer.json()) if "json" in answer.headers["content-type"]
                    else answer.text)
            if found := _faults(page):
                faults.append((role, path, found))
    assert faults == [], "\n".join(map(str, faults))
    assert seen > 40  # most pages were read by someone, not only refused
