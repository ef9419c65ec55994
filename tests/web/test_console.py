"""The web console with FastAPI's test client, on the hand-written college: sign-in, CSRF,
throttling, the password tool limited by the policy (page and forged request), the rentrée
closure reopened by the principal and only by them, and the security headers."""

from __future__ import annotations

import html
import json
import re
import time
from datetime import datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from httpx2 import Response

from bascule.domain.school import SCHOOL_TIMEZONE
from bascule.reports.tables import original_cell
from bascule.synthetic.generate import GeneratedCollege
from bascule.web.app import create_app
from bascule.web.pages import journal as journal_page
from tests.conftest import UAI, Cli

AT = "2026-09-10T10:00"
CLOSURE = datetime(2026, 8, 26, 10, tzinfo=SCHOOL_TIMEZONE)


def _passwords(cli: Cli) -> dict[str, str]:
    folder = cli.home / "credentials" / UAI  # the hand-written college's
    text = next(folder.rglob("comptes.csv")).read_text(encoding="utf-8-sig")
    rows = [line.split(";") for line in text.splitlines()[1:]]
    return {row[0] or row[1]: original_cell(row[-1]) for row in rows}


def _client(home: Path, now: datetime | None = None) -> TestClient:
    clock = (lambda: now) if now else None
    app = create_app(home, clock=clock) if clock else create_app(home)
    return TestClient(app, base_url="http://testserver")


CHOSEN = "-Choisi9"  # what the tests append to a printed password when made to change it


def _csrf(html_page: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', html_page)
    return found.group(1) if found else ""


def _post_sign_in(client: TestClient, login: str, password: str) -> Response:
    token = _csrf(client.get("/connexion").text)
    return client.post("/connexion", data={"identifiant": login, "mot_de_passe": password,
                                           "csrf": token}, follow_redirects=False)


def _sign_in(client: TestClient, login: str, password: str) -> str:
    """Signed in, having chosen one's own password first when still on the printed one (or
    with the one chosen earlier in the test); the session's CSRF token."""
    answer = _post_sign_in(client, login, password)
    if answer.status_code == 401:
        password, answer = password + CHOSEN, _post_sign_in(client, login, password + CHOSEN)
    assert answer.status_code == 303, answer.text
    page = client.get(answer.headers["location"])
    if "Choisissez votre propre mot de passe" in page.text:
        changed = client.post("/mon-compte", data={
            "actuel": password, "nouveau": password + CHOSEN,
            "confirmation": password + CHOSEN, "csrf": _csrf(page.text)})
        assert "Votre mot de passe est changé" in changed.text, changed.text
        # Onward to the first page of their own menu, never one they may not open (newcomer
        # 10: a teacher was offered the dashboard).
        if '<nav class="menu"' in changed.text:
            onward = re.search(r'<a href="([^"]+)">Continuer : ', changed.text)
            assert onward is not None, changed.text
            assert client.get(onward.group(1), follow_redirects=False).status_code == 200
        return _csrf(changed.text)
    return _csrf(page.text)


def test_sign_in_and_the_security_headers(school: Cli) -> None:
    client = _client(school.home)
    anonymous = client.get("/", follow_redirects=False)
    assert (anonymous.status_code, anonymous.headers["location"]) == (303, "/connexion")
    assert client.post("/plan/approuver", data={"empreinte": "0"}).status_code == 401
    csrf = _sign_in(client, " IDaSilva ", _passwords(school)["idasilva"])  # as copied
    dashboard = client.get("/")
    assert dashboard.status_code == 200 and "Tableau de bord" in dashboard.text
    assert "script-src 'self'" in dashboard.headers["content-security-policy"]
    assert dashboard.headers["x-frame-options"] == "DENY"
    cookie = client.cookies.get("bascule_session")
    assert cookie and _passwords(school)["idasilva"] not in cookie
    assert client.post("/deconnexion", data={"csrf": csrf}, follow_redirects=False
                       ).status_code == 303


def test_wrong_passwords_are_throttled(school: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("bascule.web.security.FIRST_DELAY", 600.0)  # however slow the machine
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
    assert '<input type="hidden" name="identifiant" value="lmartin">' in eleves.text
    first_name_first = client.get("/mots-de-passe", params={"q": "lea MARTIN"}).text
    assert '<input type="hidden" name="identifiant" value="lmartin">' in first_name_first
    colleagues = client.get("/mots-de-passe", params={"q": "legoff"})
    assert "LE GOFF" not in colleagues.text.upper()  # issue 17: only whom one may reset
    assert 'name="identifiant"' not in colleagues.text  # no reset button for a colleague
    reset = client.post("/mots-de-passe/reinitialiser",
                        data={"identifiant": "lmartin", "csrf": csrf}, follow_redirects=False)
    assert reset.status_code == 303  # POST → redirect → GET: a reload re-posts nothing
    shown = client.get(reset.headers["location"])
    assert shown.status_code == 200 and "Nouveau mot de passe" in shown.text
    again = client.get(reset.headers["location"])  # the reload
    assert again.status_code == 410 and "déjà été affiché" in html.unescape(again.text)
    assert school("audit", "--json").stdout.count('"password_reset"') == 1
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
    assert teacher.get("/pilotage/fermeture").status_code == 403
    assert 'href="/pilotage/fermeture"' not in teacher.get("/").text  # not even in the menu
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
    home = eleve.get("/", follow_redirects=False)  # élèves only reach their own page
    assert home.headers["location"] == "/mon-compte"
    assert eleve.get("/comptes").status_code == 403


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
    assert "<strong>Réinitialiser les mots de passe</strong> : référent numérique (RRUPN)" in (
        html.unescape(granted.text))  # what each delegation gives, beside the list
    journal = principal.get("/journal", params={"action": "délégation accordée"})
    assert journal.status_code == 200
    assert ("<td>idasilva</td><td>délégation accordée</td><td>LE GOFF Jean-Baptiste (jlegoff)</td>"
            in journal.text)
    assert "staff:" not in journal.text and "delegation_grant" not in journal.text
    unknown = principal.get("/journal", params={"action": "grant"})
    assert unknown.status_code == 400 and "délégation accordée" in unknown.text



def test_the_journal_page_says_when_it_reads_only_the_newest_entries(
        school: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    """Its search covers the newest entries only: said at the top, with how to reach older
    ones (the filters query the whole journal), so that « aucune ligne » is not taken for
    « never happened »."""
    principal = _client(school.home)
    _sign_in(principal, "idasilva", _passwords(school)["idasilva"])
    assert 'id="fenetre"' not in principal.get("/journal").text
    monkeypatch.setattr(journal_page, "JOURNAL_WINDOW", 2)
    text = " ".join(principal.get("/journal", params={"q": "import"}).text.split())
    assert "Le journal a plus de 2 entrées : la page et sa recherche portent sur les 2 plus " \
           "récentes. Pour chercher plus loin, filtrez par action" in text


def test_verification_and_spaces_pages(school: Cli) -> None:
    assert school("spaces", "sync", "--at", AT).exit_code == 0
    client = _client(school.home)
    _sign_in(client, "idasilva", _passwords(school)["idasilva"])
    verification = client.get("/verification")
    assert verification.status_code == 200
    assert "Divisions sans professeur principal" in verification.text
    spaces = client.get("/espaces")
    assert spaces.status_code == 200 and "Classes/6A" in spaces.text and "<meter" in spaces.text
    assert re.search(r"<meter [^>]*>\d+ %</meter>", spaces.text)  # « 0 % », not « 0.0 % »


def test_the_principal_approves_the_plan_the_operator_then_applies(leaver_plan: Cli) -> None:
    passwords = _passwords(leaver_plan)
    teacher = _client(leaver_plan.home)
    csrf = _sign_in(teacher, "cdurand", passwords["cdurand"])
    assert teacher.get("/plan").status_code == 403  # issue 17: the direction's page
    principal = _client(leaver_plan.home)
    csrf = _sign_in(principal, "idasilva", passwords["idasilva"])
    form = principal.get("/plan").text
    assert "désactiver" in form
    digest = re.search(r"empreinte <code>(\w+)</code>", form).group(1)  # type: ignore
    full = re.search(r'name="empreinte" value="(\w+)"', form).group(1)  # type: ignore
    assert full.startswith(digest)
    stale = principal.post("/plan/approuver", data={"empreinte": "0" * 64, "csrf": csrf})
    # said in the Plan page's form, shown again (a mistake, not the policy's refusal)
    assert stale.status_code == 400 and 'class="form-error"' in stale.text
    assert "plus celui en attente" in stale.text
    approved = principal.post("/plan/approuver", data={"empreinte": full, "csrf": csrf},
                              follow_redirects=True)
    assert "Approuvé par idasilva" in approved.text
    assert leaver_plan("apply", "--yes", "--at", AT).exit_code == 0
    assert "Aucun plan en attente" in principal.get("/plan").text
    journal = principal.get("/journal", params={"action": "approbation"})
    assert full[:12] in journal.text


def _wait_for_the_end(client: TestClient) -> str:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        page = client.get("/plan/application").text
        if "En cours" not in page:
            return page
        assert 'http-equiv="refresh"' in page  # the page follows the run by itself
        time.sleep(0.1)
    raise AssertionError("the apply did not end within a minute")


def test_the_principal_approves_then_applies_from_the_console(leaver_plan: Cli) -> None:
    passwords = _passwords(leaver_plan)
    principal = _client(leaver_plan.home)
    csrf = _sign_in(principal, "idasilva", passwords["idasilva"])
    plan = principal.get("/plan").text
    full = re.search(r'name="empreinte" value="(\w+)"', plan).group(1)  # type: ignore
    assert "Par division" in plan and "Aucun départ anormal" in plan
    assert "Appliquer ce plan" not in plan  # approval first
    assert "Un plan attend son approbation" in principal.get("/").text
    early = principal.post("/plan/appliquer", data={"empreinte": full, "csrf": csrf})
    assert early.status_code == 403 and "pas encore approuvé" in html.unescape(early.text)
    principal.post("/plan/approuver", data={"empreinte": full, "csrf": csrf})
    assert "Un plan attend, approuvé par idasilva" in principal.get("/").text
    teacher = _client(leaver_plan.home)
    teacher_csrf = _sign_in(teacher, "cdurand", passwords["cdurand"])
    assert "Appliquer ce plan" not in teacher.get("/plan").text
    assert teacher.post("/plan/appliquer", data={"empreinte": full, "csrf": teacher_csrf}
                        ).status_code == 403
    started = principal.post("/plan/appliquer", data={"empreinte": full, "csrf": csrf},
                             follow_redirects=False)
    assert started.status_code == 303 and started.headers["location"] == "/plan/application"
    done = _wait_for_the_end(principal)
    assert "Terminée" in done and "<td>désactiver</td><td>1</td>" in done, done
    assert "Aucun plan en attente" in principal.get("/plan").text
    journal = principal.get("/journal", params={"acteur": "idasilva"}).text
    # applied as the principal, shown in words, the person by name and login
    assert "<td>idasilva</td><td>compte désactivé</td><td>ÉMERY Timothée (temery)" in journal
    assert "Aucun plan en attente ; dernière application le" in principal.get("/").text


def test_a_printed_password_must_be_changed_at_the_first_sign_in(school: Cli) -> None:
    password = _passwords(school)["cdurand"]
    client = _client(school.home)
    answer = _post_sign_in(client, "cdurand", password)
    assert answer.headers["location"] == "/mon-compte"
    page = client.get("/mon-compte").text
    assert "Choisissez votre propre mot de passe" in page and "Tableau de bord" not in page
    for path in ("/", "/mots-de-passe?q=martin", "/comptes"):
        blocked = client.get(path, follow_redirects=False)
        assert (blocked.status_code, blocked.headers["location"]) == (303, "/mon-compte"), path
    forged = client.post("/mots-de-passe/reinitialiser", follow_redirects=False,
                         data={"identifiant": "lmartin", "csrf": _csrf(page)})
    assert forged.status_code == 303  # sent back to choose a password, nothing reset
    assert "password_reset" not in school("audit", "--json").stdout
    weak = client.post("/mon-compte", data={"actuel": password, "nouveau": "court",
                                            "confirmation": "court", "csrf": _csrf(page)})
    assert weak.status_code == 400 and "trop faible" in weak.text
    assert client.get("/", follow_redirects=False).status_code == 303
    chosen = password + CHOSEN
    changed = client.post("/mon-compte", data={"actuel": password, "nouveau": chosen,
                                               "confirmation": chosen, "csrf": _csrf(page)})
    assert "Votre mot de passe est changé" in changed.text
    home = client.get("/", follow_redirects=False)  # a teacher's page is the password tool
    assert (home.status_code, home.headers["location"]) == (303, "/mots-de-passe")
    assert client.get("/mots-de-passe").status_code == 200
    again = _client(school.home)
    assert _post_sign_in(again, "cdurand", password).status_code == 401
    assert _post_sign_in(again, "cdurand", chosen).headers["location"] == "/mots-de-passe"


def test_a_burst_of_resets_is_stopped(school: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("bascule.web.app.RESETS", 3)
    client = _client(school.home)
    csrf = _sign_in(client, "cdurand", _passwords(school)["cdurand"])
    for _ in range(3):
        assert client.post("/mots-de-passe/reinitialiser",
                           data={"identifiant": "lmartin", "csrf": csrf}).status_code == 200
    stopped = client.post("/mots-de-passe/reinitialiser",
                          data={"identifiant": "lmartin", "csrf": csrf})
    assert stopped.status_code == 429 and "Trop de réinitialisations" in html.unescape(
        stopped.text)
    assert client.post("/mots-de-passe/structure", data={"code": "6A", "nombre": "3",
                                                         "csrf": csrf}).status_code == 429


def test_one_console_serves_every_school_of_a_departement_folder(
        school: Cli, generated: GeneratedCollege) -> None:
    assert school("init", "--uai", generated.uai, "--name", generated.name).exit_code == 0
    for step in (("import", *sorted(generated.folders[0].iterdir())),
                 ("plan", "--uai", generated.uai, "--at", AT),
                 ("apply", "--yes", "--uai", generated.uai, "--at", AT)):
        assert school(*step).exit_code == 0, step
    client = TestClient(create_app(school.home))
    form = client.get("/connexion").text
    assert f'<option value="{generated.uai}">' in form and f'<option value="{UAI}">' in form
    password = _passwords(school)["idasilva"]
    wrong_school = client.post("/connexion", follow_redirects=False, data={
        "identifiant": "idasilva", "mot_de_passe": password, "csrf": _csrf(form),
        "etablissement": generated.uai})
    # The other college has its own DA SILVA Iñaki, idasilva too, with another password.
    assert wrong_school.status_code == 401
    none_chosen = client.post("/connexion", data={
        "identifiant": "idasilva", "mot_de_passe": password, "csrf": _csrf(form)})
    assert none_chosen.status_code == 400 and "établissement" in html.unescape(none_chosen.text)
    signed = client.post("/connexion", follow_redirects=False, data={
        "identifiant": "idasilva", "mot_de_passe": password, "csrf": _csrf(form),
        "etablissement": UAI})
    assert signed.status_code == 303
    page = client.get("/mon-compte").text
    assert "Collège Jean Moulin" in page and generated.name not in page
    client.post("/mon-compte", data={"actuel": password, "nouveau": password + CHOSEN,
                                     "confirmation": password + CHOSEN, "csrf": _csrf(page)})
    # The accounts listed are this school's only.
    own = json.loads(school("accounts", "--json", "--uai", UAI, "--status", "active").stdout)
    other = json.loads(school("accounts", "--json", "--uai", generated.uai).stdout)
    assert len(other) > 100 and f"<h1>Comptes ({len(own)})</h1>" in client.get("/comptes").text
    token = school("token", "create", "outil", "--pour", "idasilva", "--portee", "lecture",
                   "--uai", UAI).stdout.strip().splitlines()[-1]
    found = client.get("/api/v1/comptes", headers={"Authorization": f"Bearer {token}"}).json()
    assert {a["login"] for a in found} >= {"idasilva", "lmartin"} and len(found) < 50
    only_other = TestClient(create_app(school.home, uai=generated.uai))
    refused = only_other.get("/api/v1/comptes", headers={"Authorization": f"Bearer {token}"})
    assert refused.status_code == 401  # a console of one school ignores the others' tokens
