"""Revue des identités in the console and the API: a held person, the evidence, a decision
taken by the direction and reversed; the dashboard counts the cases waiting."""

from __future__ import annotations

from fastapi.testclient import TestClient

from bascule.web.app import create_app
from tests.conftest import ROLLOVER_AT as AT
from tests.conftest import Cli, Files, edit
from tests.web.test_api import _token
from tests.web.test_console import _client, _passwords, _sign_in


def _conflict(school: Cli, files: Files) -> None:
    """ÉMERY Timothée's INE and ELEVE_ID now on DUBOIS Hugo, born another day."""
    eleves = files("ElevesSansAdresses.xml")[0]
    edit(eleves, "<NOM_DE_FAMILLE>ÉMERY", "<NOM_DE_FAMILLE>DUBOIS")
    edit(eleves, "<PRENOM>Timothée", "<PRENOM>Hugo")
    edit(eleves, "<DATE_NAISS>11/11/2014", "<DATE_NAISS>12/11/2014")
    assert school("import", *files()).exit_code == 0
    assert school("plan", "--at", AT).exit_code == 0


def test_the_direction_decides_a_case_in_the_console_and_may_reverse_it(
        school: Cli, files: Files) -> None:
    _conflict(school, files)
    client = _client(school.home)
    csrf = _sign_in(client, "idasilva", _passwords(school)["idasilva"])
    assert "1 personne(s) en attente de votre décision" in client.get("/").text
    page = client.get("/revue").text
    assert "Cas 1 · DUBOIS Hugo" in page
    assert "conflit (identifiant commun, personne différente)" in page
    assert "<td>date de naissance</td><td>12/11/2014</td><td>11/11/2014</td>" in page
    decided = client.post("/revue/decision", data={"csrf": csrf, "numero": "1",
                                                  "decision": "different"})
    assert "Décidé : <strong>personne différente</strong> par idasilva" in decided.text
    journal = client.get("/journal", params={"action": "revue"}).text
    assert "idasilva" in journal
    reversed_ = client.post("/revue/decision", data={"csrf": csrf, "numero": "1",
                                                    "decision": "annuler"})
    assert "Même personne" in reversed_.text  # open again, the choices offered


def test_only_the_direction_reaches_the_review(school: Cli, files: Files) -> None:
    _conflict(school, files)
    client = _client(school.home)
    _sign_in(client, "cdurand", _passwords(school)["cdurand"])  # a teacher
    assert client.get("/revue").status_code == 403
    assert "Revue des identités" not in client.get("/").text


def test_the_review_through_the_api(school: Cli, files: Files) -> None:
    _conflict(school, files)
    api = TestClient(create_app(school.home))
    token = _token(school, "outil", "idasilva", "lecture", "pilotage")
    headers = {"Authorization": f"Bearer {token}"}
    (case,) = api.get("/api/v1/revue", headers=headers).json()
    assert (case["numero"], case["nom"], case["etat"]) == (1, "DUBOIS Hugo", "open")
    assert case["candidats"][0]["conclusion"] == "conflict"
    assert set(case["effets"]) == {"same", "different", "not_yet"}
    answer = api.post("/api/v1/revue/1/decision", json={"decision": "pas-encore"},
                      headers=headers)
    assert answer.status_code == 200, answer.text
    assert answer.json()["decision"] == "not_yet"
    teacher_token = _token(school, "prof", "cdurand", "lecture")
    teacher = {"Authorization": f"Bearer {teacher_token}"}
    assert api.get("/api/v1/revue", headers=teacher).status_code == 403
