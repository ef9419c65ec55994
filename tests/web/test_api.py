"""The console's API: bearer tokens bound to a person and scopes, the policy deciding as for
that person, and an OpenAPI document that describes only the API."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from bascule.web.app import create_app
from tests.conftest import Cli


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
