"""The console's API: bearer tokens bound to a person and scopes, the policy deciding as for
that person, and an OpenAPI document that describes only the API."""

from __future__ import annotations

import io
import re
import time
from datetime import datetime

from fastapi.testclient import TestClient
from pypdf import PdfReader

from bascule.domain.school import SCHOOL_TIMEZONE
from bascule.web.app import create_app
from tests.conftest import Cli

CLOSURE = datetime(2026, 8, 26, 10, tzinfo=SCHOOL_TIMEZONE)


def _token(cli: Cli, name: str, login: str, *scopes: str) -> str:
    args = [arg for scope in scopes for arg in ("--portee", scope)]
    created = cli("token", "create", name, "--pour", login, *args)
    assert created.exit_code == 0, created.output
    return created.stdout.strip().splitlines()[-1]


def test_a_token_acts_as_its_person_within_its_scopes(school: Cli) -> None:
    api = TestClient(create_app(school.home))
    teacher = _token(school, "outil-prof", "cdurand", "lecture", "mots-de-passe")
    headers = {"Authorization": f"Bearer {teacher}"}
    assert api.get("/api/v1/comptes").status_code == 401
    assert api.get("/api/v1/comptes", headers={"Authorization": "Bearer faux"}
                   ).status_code == 401
    found = api.get("/api/v1/comptes", params={"q": "martin"}, headers=headers).json()
    assert {a["login"] for a in found} >= {"lmartin", "lmartin2"}
    accentless = api.get("/api/v1/comptes", params={"q": "MARTIN LEA"}, headers=headers).json()
    # Found without the accent: the two homonyms MARTIN Léa, and no other Martin.
    assert {(a["login"], a["first_name"]) for a in accentless} == {("lmartin", "Léa"),
                                                                   ("lmartin2", "Léa")}
    misspelt = api.get("/api/v1/comptes", params={"qq": "martin"}, headers=headers)
    assert misspelt.status_code == 422  # an unknown parameter is refused, not ignored
    broken = api.post("/api/v1/fermeture", content=b"{profil: eleve}", headers={
        **headers, "Content-Type": "application/json"})
    (error,) = broken.json()["detail"]
    assert broken.status_code == 422 and (error["type"], error["msg"]) == ("json_invalid",
                                                                          "JSON invalide")
    assert "Expecting" not in broken.text  # nothing of the parser's English
    reset = api.post("/api/v1/comptes/lmartin/reinitialisation", headers=headers)
    assert reset.status_code == 200 and len(reset.json()["password"]) >= 12
    colleague = api.post("/api/v1/comptes/jlegoff/reinitialisation", headers=headers)
    assert colleague.status_code == 403 and "Refusé" in colleague.json()["detail"]
    scope = api.post("/api/v1/fermeture", json={"profil": "eleve", "ouvrir": True},
                     headers=headers)
    assert scope.status_code == 403 and "portée « pilotage »" in scope.json()["detail"]
    listed = school("token", "list").stdout
    assert "outil-prof" in listed and teacher not in listed
    assert school("token", "revoke", "outil-prof").exit_code == 0
    assert api.get("/api/v1/comptes", headers=headers).status_code == 401
    journal = school("audit", "--json").stdout
    assert teacher not in journal and "outil-prof" in journal


def test_the_openapi_document_describes_the_api(school: Cli) -> None:
    document = TestClient(create_app(school.home)).get("/api/v1/openapi.json").json()
    paths = set(document["paths"])
    assert "/api/v1/comptes/{login}/reinitialisation" in paths and "/api/v1/plan" in paths
    assert not any(re.match(r"^/(connexion|mots-de-passe|plan)$", path) for path in paths)


def test_the_imports_the_delegations_and_an_approved_plan_applied_through_the_api(
        leaver_plan: Cli) -> None:
    api = TestClient(create_app(leaver_plan.home))
    principal = {"Authorization": "Bearer " + _token(leaver_plan, "outil-direction", "idasilva",
                                                     "lecture", "pilotage", "plan")}
    reader = {"Authorization": "Bearer " + _token(leaver_plan, "lecteur", "idasilva", "lecture")}
    teacher = {"Authorization": "Bearer " + _token(leaver_plan, "prof", "cdurand", "lecture")}
    for path in ("/api/v1/imports", "/api/v1/plan", "/api/v1/delegations"):
        assert api.get(path, headers=teacher).status_code == 403, path  # issue 17
    imports = api.get("/api/v1/imports", headers=reader).json()
    assert [c["annee"] for c in imports["imports"]] == ["2026-2027", "2026-2027"]
    assert any("DATE_SORTIE" in p for p in imports["problemes"])
    digest = api.get("/api/v1/plan", headers=reader).json()["sha256"]
    before = api.get("/api/v1/comptes", params={"q": "emery"}, headers=reader).json()
    assert [(a["login"], a["status"]) for a in before] == [("temery", "active")]
    assert api.post("/api/v1/plan/application", json={"empreinte": digest},
                    headers=reader).status_code == 403  # no "plan" scope
    unapproved = api.post("/api/v1/plan/application", json={"empreinte": digest},
                          headers=principal)
    assert unapproved.status_code == 403 and "pas encore approuvé" in unapproved.json()["detail"]
    assert api.post("/api/v1/plan/approbation", json={"empreinte": digest},
                    headers=principal).json()["approved_by"] == "idasilva"
    started = api.post("/api/v1/plan/application", json={"empreinte": digest},
                       headers=principal)
    assert started.status_code == 202 and started.json()["etat"] in ("en_cours", "terminee")
    deadline = time.monotonic() + 60
    while (progress := api.get("/api/v1/plan/application", headers=reader).json()
           )["etat"] == "en_cours" and time.monotonic() < deadline:
        time.sleep(0.05)
    assert progress["etat"] == "terminee" and progress["comptes"]["disable"] == 1, progress
    assert api.get("/api/v1/plan", headers=reader).json()["pending"] is False
    after = api.get("/api/v1/comptes", params={"q": "emery"}, headers=reader).json()
    assert [(a["login"], a["status"]) for a in after] == [("temery", "disabled")]  # searched anew
    granted = api.post("/api/v1/delegations", headers=principal, json={
        "identifiant": "jlegoff", "delegation": "Gestionnaire de l'ENT", "accorder": True})
    assert granted.status_code == 200 and granted.json()["change"] is True
    listed = api.get("/api/v1/delegations", headers=reader).json()
    assert {(d["identifiant"], d["delegation"]) for d in listed} == {
        ("jlegoff", "Gestionnaire de l'ENT")}
    assert api.post("/api/v1/delegations", headers=reader, json={
        "identifiant": "jlegoff", "delegation": "Gestionnaire de l'ENT", "accorder": False}
                    ).status_code == 403


def test_a_class_reset_and_the_closure_state_through_the_api(school: Cli) -> None:
    api = TestClient(create_app(school.home, clock=lambda: CLOSURE))
    teacher = {"Authorization": "Bearer " + _token(school, "outil-prof", "cdurand", "lecture",
                                                   "mots-de-passe")}
    asked = api.post("/api/v1/reinitialisations", json={"code": "6A"}, headers=teacher)
    assert asked.status_code == 409 and "division « 6A »" in asked.json()["detail"]
    count = int(re.search(r"(\d+) élève", asked.json()["detail"]).group(1))  # type: ignore
    stale = api.post("/api/v1/reinitialisations", json={"code": "6A", "nombre": count + 1},
                     headers=teacher)
    assert stale.status_code == 403 and "rien n'a été fait" in stale.json()["detail"]
    elsewhere = api.post("/api/v1/reinitialisations", json={"code": "5 B/1", "nombre": 2},
                         headers=teacher)  # a division cdurand does not teach
    assert elsewhere.status_code == 403 and "où vous enseignez" in elsewhere.json()["detail"]
    slips = api.post("/api/v1/reinitialisations", json={"code": "6A", "nombre": count},
                     headers=teacher)
    assert slips.status_code == 200 and slips.headers["content-type"] == "application/pdf"
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(slips.content)).pages)
    assert text.count("année scolaire") >= 2 and "lmartin" in text
    reprint = api.post("/api/v1/reinitialisations", json={"code": "6A", "reimpression": True},
                       headers=teacher)  # nobody of 6A is on the initial password any more
    assert reprint.status_code == 403 and "mot de passe initial" in reprint.json()["detail"]
    assert api.get("/api/v1/fermeture", headers=teacher).status_code == 403  # issue 17
    principal = {"Authorization": "Bearer " + _token(school, "outil-dir", "idasilva", "lecture")}
    state = api.get("/api/v1/fermeture", headers=principal).json()
    assert state["debut"] < CLOSURE.isoformat() < state["fin"]
    assert state["profils"]["eleve"]["ouvert"] is False


def test_no_token_for_an_eleve_or_a_responsable(school: Cli) -> None:
    """issue 16: a token made for an élève listed all 196 accounts of the school."""
    for login in ("lmartin", "p.martin"):
        refused = school("token", "create", f"outil-{login}", "--pour", login,
                         "--portee", "lecture")
        assert refused.exit_code == 1 and "les jetons d'API sont pour les personnels" in (
            refused.stderr), refused.output
    assert "outil-lmartin" not in school("token", "list").stdout
