"""The password tool's safety (issue 17): a whole division's reset is confirmed first (it names
the division and its number of élèves), a teacher resets only where they teach unless the
direction widens it, every reset counts in the rate limit (each one of a whole division; the
RRUPN's and the direction's whole divisions against their own allowance), every form answers
with a redirect and what it produced is read once; the accounts' export is the direction's,
journaled. On the hand-written college: 6A holds lmartin, lmartin2 and temery (cdurand teaches
6A and the group 6LV1 ANG), 5 B/1 holds lcoeurleger (nobody signed in here teaches it)."""

from __future__ import annotations

import html
import io
import json
import re

import pytest
from fastapi.testclient import TestClient
from pypdf import PdfReader

from bascule.web.app import create_app
from tests.conftest import Cli
from tests.web.test_console import _passwords, _sign_in

SIXTH_A = ("lmartin", "lmartin2", "temery")


def _slips_text(pdf: bytes) -> str:
    """The PDF opens, and its text (one slip per élève, each naming the school year)."""
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def _journal(cli: Cli, action: str) -> list[dict[str, object]]:
    entries: list[dict[str, object]] = json.loads(cli("audit", "--json").stdout)
    return [entry for entry in entries if entry["action"] == action]


def _signed_in(cli: Cli, login: str) -> tuple[TestClient, str]:
    client = TestClient(create_app(cli.home))
    return client, _sign_in(client, login, _passwords(cli)[login])


def _referent(cli: Cli) -> tuple[TestClient, str]:
    assert cli("delegation", "grant", "jlegoff", "Réinitialiser les mots de passe",
               "--by", "idasilva").exit_code == 0
    return _signed_in(cli, "jlegoff")


def test_a_whole_division_is_reset_after_its_confirmation_and_fetched_once(school: Cli
                                                                          ) -> None:
    referent, csrf = _referent(school)
    tool = referent.get("/mots-de-passe").text
    assert "<option>6A</option>" in tool and "<option>5 B/1</option>" in tool
    asked = referent.get("/mots-de-passe/structure", params={"code": "6A"})
    assert asked.status_code == 200
    assert "Les 3 élève(s) actifs de la division 6A" in html.unescape(asked.text)
    assert 'name="nombre" value="3"' in asked.text
    unconfirmed = referent.post("/mots-de-passe/structure", data={"code": "6A", "csrf": csrf},
                                follow_redirects=False)
    assert unconfirmed.status_code == 303 and "structure?code=6A" in unconfirmed.headers[
        "location"]
    assert _journal(school, "password_reset") == []  # nothing done without the number
    stale = referent.post("/mots-de-passe/structure",
                          data={"code": "6A", "nombre": "4", "csrf": csrf})
    assert stale.status_code == 403 and "rien n'a été fait" in html.unescape(stale.text)
    done = referent.post("/mots-de-passe/structure", follow_redirects=False,
                         data={"code": "6A", "nombre": "3", "csrf": csrf})
    assert done.status_code == 303 and done.headers["location"].startswith(
        "/mots-de-passe/fiches/")
    ready = referent.get(done.headers["location"])
    assert "3 mot(s) de passe réinitialisé(s) pour « 6A »" in html.unescape(ready.text)
    pdf = referent.get(done.headers["location"] + "/pdf")
    assert pdf.headers["content-type"] == "application/pdf"
    assert 'filename="fiches-6A.pdf"' in pdf.headers["content-disposition"]
    text = _slips_text(pdf.content)
    assert text.count("année scolaire") == 3 and all(login in text for login in SIXTH_A)
    assert _passwords(school)["lmartin"] not in text  # new ones
    assert referent.get(done.headers["location"] + "/pdf").status_code == 410  # once
    assert "déjà été téléchargées" in html.unescape(referent.get(done.headers["location"]).text)
    assert len(_journal(school, "password_reset")) == 3  # the reload reset nobody again
    slips = _journal(school, "fiches")
    assert [entry["detail"] for entry in slips] == [  # type: ignore[index]
        {"structure": "6A", "nombre": 3, "réimpression": False}]
    other, _csrf = _signed_in(school, "idasilva")  # a slot is its owner's only
    assert other.get(done.headers["location"] + "/pdf").status_code == 410


def test_a_teacher_resets_only_where_they_teach_unless_widened(school: Cli) -> None:
    teacher, csrf = _signed_in(school, "cdurand")
    tool = teacher.get("/mots-de-passe").text
    assert "<option>6A</option>" in tool and "5 B/1" not in tool
    refused = teacher.get("/mots-de-passe/structure", params={"code": "5 B/1"})
    assert refused.status_code == 403 and "où vous enseignez" in html.unescape(refused.text)
    forged = teacher.post("/mots-de-passe/structure",
                          data={"code": "5 B/1", "nombre": "1", "csrf": csrf})
    assert forged.status_code == 403
    assert "lcoeurleger" not in teacher.get("/mots-de-passe", params={"q": "coeur"}).text
    single = teacher.post("/mots-de-passe/reinitialiser",
                          data={"identifiant": "lcoeurleger", "csrf": csrf})
    assert single.status_code == 403 and _journal(school, "password_reset") == []
    assert school("delegation", "grant", "cdurand",
                  "Réinitialiser les mots de passe de tous les élèves",
                  "--by", "idasilva").exit_code == 0
    widened = teacher.get("/mots-de-passe/structure", params={"code": "5 B/1"})
    assert widened.status_code == 200 and "la division 5 B/1" in html.unescape(widened.text)
    assert "lcoeurleger" in teacher.get("/mots-de-passe", params={"q": "coeur"}).text
    reprint = teacher.post("/comptes/reimpression", data={"code": "5 B/1", "csrf": csrf},
                           follow_redirects=False)
    assert reprint.status_code == 303 and "reimpression=oui" in reprint.headers["location"]
    confirm = teacher.get(reprint.headers["location"]).text
    assert "1 élève(s) de la division 5 B/1 n'ont jamais changé" in html.unescape(confirm)
    done = teacher.post("/mots-de-passe/structure", data={
        "code": "5 B/1", "nombre": "1", "reimpression": "oui", "csrf": csrf})
    pdf = teacher.get(str(done.url) + "/pdf")
    assert _slips_text(pdf.content).count("année scolaire") == 1


def test_every_reset_counts_in_the_limit(school: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("bascule.web.app.RESETS", 4)
    teacher, csrf = _signed_in(school, "cdurand")
    bulk = teacher.post("/mots-de-passe/structure",
                        data={"code": "6A", "nombre": "3", "csrf": csrf})
    assert bulk.status_code == 200  # three of four
    again = teacher.post("/mots-de-passe/structure",
                         data={"code": "6A", "nombre": "3", "csrf": csrf})
    assert again.status_code == 429 and "encore 1 possible" in html.unescape(again.text)
    assert teacher.post("/mots-de-passe/reinitialiser",
                        data={"identifiant": "lmartin", "csrf": csrf}).status_code == 200
    assert teacher.post("/mots-de-passe/reinitialiser",
                        data={"identifiant": "lmartin", "csrf": csrf}).status_code == 429
    assert len(_journal(school, "password_reset")) == 4


def test_the_referents_whole_divisions_have_their_own_allowance(
        school: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("bascule.web.app.RESETS", 1)
    monkeypatch.setattr("bascule.web.app.BULK_RESETS", 4)
    referent, csrf = _referent(school)
    for code, count, status in (("6A", "3", 200), ("5 B/1", "1", 200), ("6A", "3", 429)):
        answer = referent.post("/mots-de-passe/structure",
                               data={"code": code, "nombre": count, "csrf": csrf})
        assert answer.status_code == status, (code, answer.text)
    assert referent.post("/mots-de-passe/reinitialiser",
                         data={"identifiant": "cdurand", "csrf": csrf}).status_code == 200
    assert referent.post("/mots-de-passe/reinitialiser",
                         data={"identifiant": "temery", "csrf": csrf}).status_code == 429


def test_ending_sessions_answers_with_a_redirect_told_once(school: Cli) -> None:
    referent, csrf = _referent(school)
    ended = referent.post("/sessions/fermer", data={"identifiant": "lmartin", "csrf": csrf},
                          follow_redirects=False)
    assert ended.status_code == 303 and ended.headers["location"].startswith("/avis/")
    told = referent.get(ended.headers["location"])
    assert "0 session(s) de MARTIN Léa (lmartin) fermée(s)" in html.unescape(told.text)
    reload = referent.get(ended.headers["location"], follow_redirects=False)
    assert reload.status_code == 303  # said once; the reload ends nothing again
    assert len(_journal(school, "sessions_fermees")) == 1


def test_a_mistyped_login_is_not_found_not_forbidden(school: Cli) -> None:
    referent, csrf = _referent(school)
    mistyped = referent.post("/sessions/fermer", data={"identifiant": "lmartn", "csrf": csrf})
    assert mistyped.status_code == 404
    text = html.unescape(mistyped.text)
    assert "Aucun compte n'a l'identifiant « lmartn »" in text and "page Comptes" in text
    assert _journal(school, "sessions_fermees") == []


def test_the_accounts_export_is_the_directions_and_journaled(school: Cli) -> None:
    principal, _csrf = _signed_in(school, "idasilva")
    page = principal.get("/comptes", params={"profil": "eleve"})
    assert "lmartin" in page.text and "cdurand" not in page.text
    assert 'formaction="/comptes/export"' in page.text
    export = principal.get("/comptes", params={"profil": "eleve", "format": "csv"})
    assert export.headers["content-type"].startswith("text/csv")
    assert export.content.startswith(b"\xef\xbb\xbf")  # the BOM spreadsheets need
    lines = export.content.decode("utf-8-sig").splitlines()
    assert lines[0].startswith("identifiant;identifiant EduConnect;profil;état") and len(lines) == 5
    assert "date de naissance" in lines[0] and "INE" in lines[0]
    assert [entry["detail"] for entry in _journal(school, "export_comptes")] == [
        {"nombre": 4, "filtre": "profil eleve, état actif"}]
    referent, _csrf = _referent(school)
    assert referent.get("/comptes").status_code == 200
    assert "formaction" not in referent.get("/comptes").text  # no export button
    assert referent.get("/comptes/export").status_code == 403
    teacher, _csrf = _signed_in(school, "cdurand")
    for path in ("/comptes", "/comptes/export", "/comptes?format=csv"):
        assert teacher.get(path).status_code == 403, path
    assert len(_journal(school, "export_comptes")) == 1
    assert "export des comptes (CSV)" in school("audit").stdout


def test_a_teachers_token_lists_only_the_eleves_they_teach(school: Cli) -> None:
    created = school("token", "create", "outil", "--pour", "cdurand", "--portee", "lecture")
    token = created.stdout.strip().splitlines()[-1]
    listed = TestClient(create_app(school.home)).get(
        "/api/v1/comptes", headers={"Authorization": f"Bearer {token}"}).json()
    assert sorted(account["login"] for account in listed) == sorted(SIXTH_A)


def test_the_dashboard_keeps_the_leavers_for_the_direction(leaver_plan: Cli) -> None:
    principal, _csrf = _signed_in(leaver_plan, "idasilva")
    shown = html.unescape(principal.get("/").text)
    # each point with its file and line, its field, and what to do
    assert ("<li>ElevesSansAdresses.xml:44 · élève 1000003 · D'ALMEIDA Noël n'est pas actif : "
            "sorti (DATE_SORTIE passée) <span class=\"hint\">→ Il ne recevra ni compte") in shown
    referent, _csrf = _referent(leaver_plan)
    board = referent.get("/").text
    assert "Tableau de bord" in board and "DATE_SORTIE" not in board
    assert "point(s) à vérifier" in board and 'href="/plan"' not in board
    assert re.search(r'href="/pilotage/fermeture"', board) is None
