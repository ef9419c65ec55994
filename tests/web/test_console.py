"""The web console with FastAPI's test client, on the hand-written college: sign-in, CSRF,
throttling, the password tool limited by the policy (page and forged request), the rentrée
closure reopened by the principal and only by them, and the security headers."""

from __future__ import annotations

import html
import re
from datetime import datetime
from pathlib import Path

from fastapi.testclient import TestClient

from bascule.domain.school import SCHOOL_TIMEZONE
from bascule.web.app import create_app
from tests.conftest import Cli, Files, edit

AT = "2026-09-10T10:00"
CLOSURE = datetime(2026, 8, 26, 10, tzinfo=SCHOOL_TIMEZONE)


def _passwords(cli: Cli) -> dict[str, str]:
    text = next((cli.home / "credentials").rglob("comptes.csv")).read_text(encoding="utf-8-sig")
    rows = [line.split(";") for line in text.splitlines()[1:]]
    return {row[0] or row[1]: row[-1] for row in rows}


def _client(home: Path, now: datetime | None = None) -> TestClient:
    clock = (lambda: now) if now else None
    app = create_app(home, clock=clock) if clock else create_app(home)
    return TestClient(app, base_url="http://testserver")


def _sign_in(client: TestClient, login: str, password: str) -> str:
    form = client.get("/connexion")
    token = re.search(r'name="csrf" value="([^"]+)"', form.text).group(1)  # type: ignore
    answer = client.post("/connexion", data={"identifiant": login, "mot_de_passe": password,
                                             "csrf": token}, follow_redirects=False)
    assert answer.status_code == 303, answer.text
    page = client.get(answer.headers["location"])
    found = re.search(r'name="csrf" value="([^"]+)"', page.text)
    return found.group(1) if found else ""


def test_sign_in_and_the_security_headers(school: Cli) -> None:
    client = _client(school.home)
    assert client.get("/").status_code == 401
    csrf = _sign_in(client, "idasilva", _passwords(school)["idasilva"])
    dashboard = client.get("/")
    assert dashboard.status_code == 200 and "Tableau de bord" in dashboard.text
    assert "script-src 'self'" in dashboard.headers["content-security-policy"]
    assert dashboard.headers["x-frame-options"] == "DENY"
    cookie = client.cookies.get("bascule_session")
    assert cookie and _passwords(school)["idasilva"] not in cookie
    assert client.post("/deconnexion", data={"csrf": csrf}, follow_redirects=False
                       ).status_code == 303


def test_wrong_passwords_are_throttled(school: Cli) -> None:
    client = _client(school.home)
    for _ in range(5):
        form = client.get("/connexion")
        token = re.search(r'name="csrf" value="([^"]+)"', form.text).group(1)  # type: ignore
        refused = client.post("/connexion", data={"identifiant": "cdurand",
                                                  "mot_de_passe": "pas-le-bon", "csrf": token})
        assert refused.status_code == 401
        assert "Identifiant ou mot de passe incorrect" in refused.text
    form = client.get("/connexion")
    token = re.search(r'name="csrf" value="([^"]+)"', form.text).group(1)  # type: ignore
    blocked = client.post("/connexion", data={
        "identifiant": "cdurand", "mot_de_passe": _passwords(school)["cdurand"], "csrf": token})
    assert blocked.status_code == 429


def test_a_teacher_resets_an_eleve_and_is_refused_on_a_colleague(school: Cli) -> None:
    client = _client(school.home)
    csrf = _sign_in(client, "cdurand", _passwords(school)["cdurand"])
    eleves = client.get("/mots-de-passe", params={"q": "martin"})
    assert "Réinitialiser" in eleves.text
    colleagues = client.get("/mots-de-passe", params={"q": "legoff"})
    assert "LE GOFF" in colleagues.text.upper() and "Réinitialiser" not in colleagues.text
    reset = client.post("/mots-de-passe/reinitialiser",
                        data={"identifiant": "lmartin", "csrf": csrf})
    assert reset.status_code == 200 and "Nouveau mot de passe" in reset.text
    forged = client.post("/mots-de-passe/reinitialiser",
                         data={"identifiant": "jlegoff", "csrf": csrf})
    assert forged.status_code == 403 and "Refusé" in forged.text
    no_csrf = client.post("/mots-de-passe/reinitialiser", data={"identifiant": "lmartin"})
    assert no_csrf.status_code == 403 and "rien n'a été fait" in html.unescape(no_csrf.text)


def test_the_principal_reopens_the_ent_and_an_eleve_can_then_sign_in(school: Cli) -> None:
    passwords = _passwords(school)
    eleve = _client(school.home, CLOSURE)
    form = eleve.get("/connexion")
    token = re.search(r'name="csrf" value="([^"]+)"', form.text).group(1)  # type: ignore
    closed = eleve.post("/connexion", data={"identifiant": "lmartin2",
                                            "mot_de_passe": passwords["lmartin2"],
                                            "csrf": token})
    assert closed.status_code == 401 and "fermeture rentrée" in closed.text
    teacher = _client(school.home, CLOSURE)
    csrf = _sign_in(teacher, "cdurand", passwords["cdurand"])
    assert "Rouvrir" not in teacher.get("/pilotage/fermeture").text
    forged = teacher.post("/pilotage/fermeture", data={"profil": "eleve", "ouvrir": "oui",
                                                       "csrf": csrf})
    assert forged.status_code == 403
    principal = _client(school.home, CLOSURE)
    csrf = _sign_in(principal, "idasilva", passwords["idasilva"])
    assert "Rouvrir" in principal.get("/pilotage/fermeture").text
    done = principal.post("/pilotage/fermeture", data={"profil": "eleve", "ouvrir": "oui",
                                                       "csrf": csrf}, follow_redirects=True)
    assert "ouvert" in done.text
    _sign_in(eleve, "lmartin2", passwords["lmartin2"])
    assert "Mon compte" in eleve.get("/mon-compte").text
    assert eleve.get("/").status_code == 403  # élèves only reach their own page


def test_the_direction_grants_delegations_and_reads_the_journal(school: Cli) -> None:
    passwords = _passwords(school)
    teacher = _client(school.home)
    csrf = _sign_in(teacher, "cdurand", passwords["cdurand"])
    assert "Accorder" not in teacher.get("/pilotage/autorisations").text
    forged = teacher.post("/pilotage/autorisations", data={
        "identifiant": "cdurand", "delegation": "Réinitialiser les mots de passe",
        "accorder": "oui", "csrf": csrf})
    assert forged.status_code == 403
    assert teacher.get("/journal").status_code == 403
    principal = _client(school.home)
    csrf = _sign_in(principal, "idasilva", passwords["idasilva"])
    granted = principal.post("/pilotage/autorisations", data={
        "identifiant": "jlegoff", "delegation": "Réinitialiser les mots de passe",
        "accorder": "oui", "csrf": csrf}, follow_redirects=True)
    assert "Réinitialiser les mots de passe" in granted.text and "jlegoff" in granted.text
    journal = principal.get("/journal", params={"action": "delegation_grant"})
    assert journal.status_code == 200
    assert "<td>idasilva</td><td>delegation_grant</td><td>staff:" in journal.text


def test_accounts_export_as_csv_for_the_referents(school: Cli) -> None:
    client = _client(school.home)
    _sign_in(client, "idasilva", _passwords(school)["idasilva"])
    page = client.get("/comptes", params={"profil": "eleve"})
    assert "lmartin" in page.text and "cdurand" not in page.text
    export = client.get("/comptes", params={"profil": "eleve", "format": "csv"})
    assert export.headers["content-type"].startswith("text/csv")
    assert export.content.startswith(b"\xef\xbb\xbf")  # the BOM spreadsheets need
    lines = export.content.decode("utf-8-sig").splitlines()
    assert lines[0].startswith("login;educonnect;profile") and len(lines) == 5
    assert "Calendrier de la bascule" in client.get("/calendrier").text


def test_verification_and_spaces_pages(school: Cli) -> None:
    assert school("spaces", "sync", "--at", AT).exit_code == 0
    client = _client(school.home)
    _sign_in(client, "idasilva", _passwords(school)["idasilva"])
    verification = client.get("/verification")
    assert verification.status_code == 200
    assert "Divisions sans professeur principal" in verification.text
    spaces = client.get("/espaces")
    assert spaces.status_code == 200 and "Classes/6A" in spaces.text and "<meter" in spaces.text


def test_the_principal_approves_the_plan_the_operator_then_applies(
        home_cli: Cli, files: Files) -> None:
    assert home_cli("import", *files()).exit_code == 0
    assert home_cli("plan", "--at", AT).exit_code == 0
    assert home_cli("apply", "--yes", "--at", AT).exit_code == 0
    passwords = _passwords(home_cli)
    edit(files("ElevesSansAdresses.xml")[0], "<DATE_SORTIE>20/12/2026", "<DATE_SORTIE>31/08/2026")
    assert home_cli("import", *files()).exit_code == 0
    assert home_cli("plan", "--at", AT).exit_code == 0
    teacher = _client(home_cli.home)
    csrf = _sign_in(teacher, "cdurand", passwords["cdurand"])
    page = teacher.get("/plan")
    assert "disable" in page.text and "Approuver ce plan" not in page.text
    digest = re.search(r"empreinte <code>(\w+)</code>", page.text).group(1)  # type: ignore
    principal = _client(home_cli.home)
    csrf = _sign_in(principal, "idasilva", passwords["idasilva"])
    form = principal.get("/plan").text
    full = re.search(r'name="empreinte" value="(\w+)"', form).group(1)  # type: ignore
    assert full.startswith(digest)
    stale = principal.post("/plan/approuver", data={"empreinte": "0" * 64, "csrf": csrf})
    assert stale.status_code == 403
    approved = principal.post("/plan/approuver", data={"empreinte": full, "csrf": csrf},
                              follow_redirects=True)
    assert "Approuvé par idasilva" in approved.text
    assert home_cli("apply", "--yes", "--at", AT).exit_code == 0
    assert "Aucun plan en attente" in principal.get("/plan").text
    journal = principal.get("/journal", params={"action": "approbation"})
    assert full[:12] in journal.text
