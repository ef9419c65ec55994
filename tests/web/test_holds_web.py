"""The console's Plan page (differences by division, searched, page by page; the people held;
approval leaving some out) and Retenues page, and the API's /retenues and approval with
exclusions."""

from __future__ import annotations

import html
import re

from fastapi.testclient import TestClient

from bascule.web.app import create_app
from tests.conftest import Cli
from tests.web.test_api import _token
from tests.web.test_console import _client, _passwords, _sign_in


def _text(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def test_the_plan_page_shows_each_difference_under_its_division_and_searches(
        leaver_plan: Cli) -> None:
    principal = _client(leaver_plan.home)
    _sign_in(principal, "idasilva", _passwords(leaver_plan)["idasilva"])
    page = principal.get("/plan").text
    text = _text(page)
    assert "Différences, champ par champ" in text and "Division 6A" in text
    assert "désactiver élève ÉMERY Timothée temery état actif désactivé" in text
    assert 'name="exclure" value="eleve:1000006" form="approbation"' in page
    found = _text(principal.get("/plan", params={"q": "emery"}).text)
    assert "Lignes 1 à 1 sur 1" in found and "ÉMERY Timothée" in found
    assert "Aucune ligne ne contient « personne »" in _text(
        principal.get("/plan", params={"q": "personne"}).text)


def test_the_plan_page_downloads_its_differences_as_a_csv(leaver_plan: Cli) -> None:
    principal = _client(leaver_plan.home)
    _sign_in(principal, "idasilva", _passwords(leaver_plan)["idasilva"])
    assert 'href="/plan/export"' in principal.get("/plan").text
    csv = principal.get("/plan/export")
    assert csv.status_code == 200 and csv.headers["content-type"].startswith("text/csv")
    assert "attachment" in csv.headers["content-disposition"]
    assert "ÉMERY;Timothée" in csv.text or "temery" in csv.text
    assert csv.text.startswith("\ufeff") and "eleve:" not in csv.text  # no store keys


def test_the_principal_approves_leaving_a_leaver_out_with_a_reason(leaver_plan: Cli) -> None:
    passwords = _passwords(leaver_plan)
    principal = _client(leaver_plan.home)
    csrf = _sign_in(principal, "idasilva", passwords["idasilva"])
    page = principal.get("/plan").text
    first = re.search(r'name="empreinte" value="(\w+)"', page).group(1)  # type: ignore
    silent = principal.post("/plan/approuver", data={
        "empreinte": first, "csrf": csrf, "exclure": "eleve:1000006"})
    # the Plan page again: the refusal beside the reason, in the console's words, the tick kept
    assert silent.status_code == 400 and "<h1>Plan de la campagne</h1>" in silent.text
    said = _text(silent.text.split('id="motif-erreur"')[1].split("</p>")[0])
    assert "exclure une action demande sa raison" in said and "Raison des exclusions" in said
    assert "--reason" not in silent.text and 'aria-invalid="true"' in silent.text
    assert re.search(r'value="eleve:1000006" form="approbation"[^>]* checked>', silent.text)
    stale = principal.post("/plan/approuver", data={
        "empreinte": "0" * 64, "csrf": csrf, "exclure": "eleve:1000006", "motif": "contesté"})
    assert stale.status_code == 400
    summary = html.unescape(stale.text.split('class="form-error"')[1].split("</div>")[0])
    assert "n'est plus celui en attente" in summary and "bascule" not in summary
    assert 'value="contesté"' in stale.text
    approved = principal.post("/plan/approuver", data={
        "empreinte": first, "csrf": csrf, "exclure": "eleve:1000006",
        "motif": "la famille conteste le départ"}, follow_redirects=True)
    text = _text(approved.text)
    assert "Approuvé par idasilva" in text
    assert first[:12] not in text  # the plan approved is the new one
    assert "ÉMERY Timothée" in text and "la famille conteste le départ" in text
    # the only action left out: the plan approved changes nothing
    assert "Rien à approuver" in text and "désactiver" not in text.split("Personnes retenues")[0]
    holds = _text(principal.get("/retenues").text)
    assert "ÉMERY Timothée" in holds and "exclue à l'approbation" in holds


def test_the_retenues_page_holds_and_lifts_for_the_direction_only(school: Cli) -> None:
    passwords = _passwords(school)
    teacher = _client(school.home)
    _sign_in(teacher, "cdurand", passwords["cdurand"])
    assert teacher.get("/retenues").status_code == 403
    principal = _client(school.home)
    csrf = _sign_in(principal, "idasilva", passwords["idasilva"])
    added = principal.post("/retenues", data={
        "csrf": csrf, "personne": "lmartin", "jusqu_au": "2027-01-31",
        "motif": "départ fin janvier"}, follow_redirects=True)
    text = _text(added.text)
    assert "MARTIN Léa (eleve:1000001) 31/01/2027 en cours départ fin janvier idasilva" in text
    number = re.search(r'name="numero" value="(\d+)"', added.text).group(1)  # type: ignore
    lifted = principal.post("/retenues/lever", data={"csrf": csrf, "numero": number},
                            follow_redirects=True)
    assert "Aucune retenue" in lifted.text


def test_the_api_holds_lifts_and_approves_with_exclusions(leaver_plan: Cli) -> None:
    api = TestClient(create_app(leaver_plan.home))
    principal = {"Authorization": "Bearer " + _token(leaver_plan, "outil-direction",
                                                     "idasilva", "lecture", "plan")}
    made = api.post("/api/v1/retenues", headers=principal, json={
        "personne": "lmartin", "jusqu_au": "2027-01-31", "motif": "fiche contestée"})
    assert made.status_code == 201, made.text
    (row,) = made.json()
    assert (row["personne"], row["en_cours"], row["origine"]) == ("eleve:1000001", True,
                                                                  "manual")
    assert api.post(f"/api/v1/retenues/{row['numero']}/levee",
                    headers=principal).json() == []
    state = api.get("/api/v1/plan", headers=principal).json()
    refused = api.post("/api/v1/plan/approbation", headers=principal, json={
        "empreinte": state["sha256"], "exclure": ["temery"]})
    assert refused.status_code == 403 and "raison" in refused.json()["detail"]
    approved = api.post("/api/v1/plan/approbation", headers=principal, json={
        "empreinte": state["sha256"], "exclure": ["temery"], "motif": "contesté"}).json()
    assert approved["approved_by"] == "idasilva" and approved["sha256"] != state["sha256"]
    assert "disable" not in approved["counts"]
    assert [r["nom"] for r in approved["retenues"] if r["jusqu_au"]] == ["ÉMERY Timothée"]


def test_a_plan_out_of_date_is_said_and_the_principal_recomputes_it(leaver_plan: Cli) -> None:
    """A hold put after the plan was read: the page says the plan is out of date instead of
    offering to approve it, the approval is refused, and whoever approves plans computes it
    again from the page (a teacher may not)."""
    passwords = _passwords(leaver_plan)
    principal = _client(leaver_plan.home)
    csrf = _sign_in(principal, "idasilva", passwords["idasilva"])
    first = re.search(r'name="empreinte" value="(\w+)"',  # type: ignore[union-attr]
                      principal.get("/plan").text).group(1)
    assert leaver_plan("hold", "add", "temery", "--until", "2027-06-30", "--reason",
                       "départ contesté").exit_code == 0
    page = principal.get("/plan").text
    assert "Plan périmé" in page and "Recalculer le plan" in page
    assert "Approuver ce plan" not in page
    stale = principal.post("/plan/approuver", data={"empreinte": first, "csrf": csrf})
    assert stale.status_code == 400
    said = _text(html.unescape(stale.text.split('class="form-error"')[1].split("</div>")[0]))
    assert "n'est plus à jour" in said and "Recalculer le plan" in said and "bascule" not in said
    teacher = _client(leaver_plan.home)
    teacher_csrf = _sign_in(teacher, "cdurand", passwords["cdurand"])
    assert teacher.post("/plan/recalcul", data={"csrf": teacher_csrf}).status_code == 403
    again = principal.post("/plan/recalcul", data={"csrf": csrf}, follow_redirects=True)
    text = _text(again.text)
    assert "Plan périmé" not in text and first[:12] not in text
    assert "ÉMERY Timothée" in text.split("Personnes retenues")[1]  # the hold, now in the plan
    # its only action held: the plan changes nothing, there is nothing to approve
    assert "Rien à approuver" in text and "Approuver ce plan" not in again.text


def test_an_undo_whose_removals_trip_the_breaker_is_not_called_a_truncated_export(
        school: Cli) -> None:
    """Undoing the first rollover removes every account it created: the breaker's line says
    so of the undo, not that an export may be truncated (an undo reads no export)."""
    config = school.home / "bascule.toml"  # a college of 13 accounts: every removal counts
    config.write_text(config.read_text() + "\n[thresholds.disable]\npercent = 0\ncount = 0\n")
    assert school("undo", "1", "--at", "2026-09-11T10:00").exit_code == 0
    principal = _client(school.home)
    _sign_in(principal, "idasilva", _passwords(school)["idasilva"])
    text = _text(html.unescape(principal.get("/plan").text))
    assert "seraient retirés ou désactivés par cette annulation" in text
    assert "tronqué" not in text
