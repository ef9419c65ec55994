"""The console rehearses a date (`serve --at`), says what comes next when nothing is due, and
answers the framework's errors (unknown address, wrong method, unreadable form) in French."""

from __future__ import annotations

import html
import re
from datetime import datetime
from typing import Any

import pytest
import uvicorn
from fastapi import FastAPI
from fastapi.testclient import TestClient

from bascule.domain.school import SCHOOL_TIMEZONE
from tests.cli.test_export_dates import _next_year
from tests.conftest import ROLLOVER_AT as AT
from tests.conftest import Cli, Files
from tests.web.test_console import _client, _passwords, _sign_in


def test_serve_at_rehearses_a_date(school: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    served: list[FastAPI] = []

    def run(app: FastAPI, **_options: Any) -> None:  # the app uvicorn would serve
        served.append(app)

    monkeypatch.setattr(uvicorn, "run", run)
    started = school("serve", "--at", "2026-11-15T08:00", "--port", "0")
    assert started.exit_code == 0, started.output
    assert "la console se croit le dimanche 15/11/2026 08:00" in started.stdout
    client = TestClient(served[0], base_url="http://testserver")
    _sign_in(client, "idasilva", _passwords(school)["idasilva"])
    dashboard = client.get("/").text
    assert "Nous sommes le dimanche 15/11/2026 08:0" in dashboard
    assert "prochaine étape : nettoyage Salle_des_profs" in dashboard
    calendar = client.get("/calendrier").text
    assert "Le dimanche 15/11/2026 08:0" in calendar and "28/06/2027" in calendar
    assert "Rien de prévu" not in calendar
    assert calendar.count("<li>") == 3  # one notice per audience: the next summer's first


def test_unknown_addresses_answer_in_french(school: Cli) -> None:
    client = _client(school.home)
    missing = client.get("/nulle-part")
    assert missing.status_code == 404 and missing.headers["content-type"].startswith("text/html")
    assert "Cette page n'existe pas" in html.unescape(missing.text)
    assert "Not Found" not in missing.text
    api = client.get("/api/v1/nulle-part")
    assert api.status_code == 404 and api.json() == {"detail": "Cette page n'existe pas."}
    method = client.get("/plan/approuver")
    assert method.status_code == 405 and "ne s'utilise pas ainsi" in html.unescape(method.text)
    assert "POST" in method.headers["allow"]
    api_method = client.delete("/api/v1/plan")
    assert api_method.status_code == 405 and "ne s'utilise pas ainsi" in api_method.json()["detail"]


def test_an_incomplete_form_is_said_in_french(school: Cli) -> None:
    client = _client(school.home)
    _sign_in(client, "idasilva", _passwords(school)["idasilva"])
    incomplete = client.post("/connexion", data={})
    assert incomplete.status_code == 422
    assert "Formulaire incomplet" in incomplete.text and "champ obligatoire" in incomplete.text
    assert "Field required" not in incomplete.text
    token = "Bearer inconnu"
    misspelt = client.get("/api/v1/comptes", params={"qq": "x"},
                          headers={"Authorization": token})
    assert misspelt.status_code == 422
    assert misspelt.json()["detail"][0]["msg"] == "paramètre inconnu de cette opération"


@pytest.mark.machine_clock
def test_a_rehearsal_plan_is_refused_at_once_when_applied_on_another_day(
        leaver_plan: Cli) -> None:
    """Computed today with --at for 10/09/2026, it holds that day's exit dates and calendar.
    Its approval signs its content, on any day (as the CLI's); its apply from the console
    (today's) is refused at once, not on the progress page, and nothing runs."""
    principal = _client(leaver_plan.home)
    csrf = _sign_in(principal, "idasilva", _passwords(leaver_plan)["idasilva"])
    full = re.search(r'name="empreinte" value="(\w+)"',  # type: ignore[union-attr]
                     principal.get("/plan").text).group(1)
    approved = principal.post("/plan/approuver", data={"empreinte": full, "csrf": csrf},
                              follow_redirects=True)
    assert "Approuvé par idasilva" in approved.text
    board = " ".join(html.unescape(principal.get("/").text).split())
    assert "Un plan attend, approuvé par idasilva" in board
    assert ("C'est une répétition, calculée pour le jeudi 10/09/2026" in board
            and "il ne s'applique pas aujourd'hui" in board)  # newcomer 9, finding 9
    refused = principal.post("/plan/appliquer", data={"empreinte": full, "csrf": csrf})
    said = " ".join(html.unescape(refused.text).split())
    assert refused.status_code != 303
    assert "Ce plan est une répétition, calculée pour le jeudi 10/09/2026" in said
    assert "En cours" not in principal.get("/plan/application").text
    assert leaver_plan("apply", "--yes", "--at", AT).exit_code == 0  # on its own day


def test_a_plan_of_a_school_year_not_begun_is_refused_at_once_in_the_console(
        school: Cli, files: Files) -> None:
    """A 2027-2028 export planned on 30/11/2026: the console cannot confirm it (the operator
    does, with the CLI), so its apply is refused at once, not on the progress page."""
    _next_year(files)
    assert school("import", *files(), "--at", "2026-11-30T10:00").exit_code == 0
    assert school("plan", "--at", "2026-11-30T10:00").exit_code == 0
    principal = _client(school.home, datetime(2026, 11, 30, 10, tzinfo=SCHOOL_TIMEZONE))
    csrf = _sign_in(principal, "idasilva", _passwords(school)["idasilva"])
    full = re.search(r'name="empreinte" value="(\w+)"',  # type: ignore[union-attr]
                     principal.get("/plan").text).group(1)
    principal.post("/plan/approuver", data={"empreinte": full, "csrf": csrf})
    refused = principal.post("/plan/appliquer", data={"empreinte": full, "csrf": csrf})
    said = " ".join(html.unescape(refused.text).split())
    assert refused.status_code != 303
    assert "Ce plan est celui de l'année scolaire 2027-2028, qui n'a pas encore commencé" in said
    assert "En cours" not in principal.get("/plan/application").text


def test_the_dashboard_lists_what_the_import_said_to_fix(school: Cli, files: Files) -> None:
    """« Aucun problème signalé » while the import listed « À corriger » (newcomer 9,
    finding 9): the dashboard names each finding of the newest import, with its count."""
    checked = school("import", "--check", *files())
    assert checked.exit_code == 0, checked.output
    to_fix = re.findall(r"À corriger : ([^:\n]+) : (\d+)", checked.stdout)
    assert to_fix, checked.stdout  # the fixture's college has some
    principal = _client(school.home)
    _sign_in(principal, "idasilva", _passwords(school)["idasilva"])
    board = " ".join(html.unescape(principal.get("/").text).split())
    assert "À corriger dans Siècle-BEE ou STS-Web avant la bascule" in board
    for title, count in to_fix:
        assert f"{title.strip()} : {count}." in board
    assert "Aucun problème signalé" not in board
