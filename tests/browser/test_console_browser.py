"""The console in Debian's chromium: a principal reopens the ENT for élèves during the closure
and an élève can then sign in; a teacher resets an élève's password, sees no button for a
colleague and is refused a forged request; a POST without its CSRF token is refused; a
referent prints a division's slips; a plan is approved then applied. Screenshots of the main
pages are kept in test-artefacts/screenshots."""

from __future__ import annotations

from datetime import datetime

from playwright.sync_api import Browser, Page
from pypdf import PdfReader

from bascule.domain.school import SCHOOL_TIMEZONE
from bascule.reports.tables import original_cell
from tests.browser.conftest import Serve, click_and_load, screenshot
from tests.conftest import Cli

CLOSURE = datetime(2026, 8, 26, 10, tzinfo=SCHOOL_TIMEZONE)


def _passwords(cli: Cli) -> dict[str, str]:
    text = next((cli.home / "credentials").rglob("comptes.csv")).read_text(encoding="utf-8-sig")
    return {row[0] or row[1]: original_cell(row[-1]) for row in (line.split(";")
                                                  for line in text.splitlines()[1:])}


CHOSEN = "-Choisi9"


def _sign_in(browser: Browser, base: str, login: str, password: str) -> Page:
    """Signed in; on a printed password, the person first chooses their own, as asked."""
    page = browser.new_page()
    page.goto(f"{base}/connexion")
    page.fill("#identifiant", login)
    page.fill("#mot_de_passe", password)
    click_and_load(page, "text=Se connecter")
    if "Choisissez votre propre mot de passe" in page.content():
        page.fill("#actuel", password)
        page.fill("#nouveau", password + CHOSEN)
        page.fill("#confirmation", password + CHOSEN)
        click_and_load(page, "text=Changer mon mot de passe")
        page.wait_for_selector("text=Votre mot de passe est changé")
        if page.locator("text=Continuer :").count():  # the first page of their menu
            click_and_load(page, "text=Continuer :")
    return page


def test_a_principal_reopens_the_ent_then_an_eleve_signs_in(browser: Browser, serve: Serve,
                                                           school: Cli) -> None:
    base, passwords = serve(school.home, CLOSURE), _passwords(school)
    eleve = _sign_in(browser, base, "lmartin2", passwords["lmartin2"])
    assert "fermeture rentrée" in eleve.content()
    principal = _sign_in(browser, base, "idasilva", passwords["idasilva"])
    screenshot(principal, "tableau-de-bord")
    principal.goto(f"{base}/pilotage/fermeture")
    screenshot(principal, "fermeture-rentree")
    click_and_load(principal, "tr:has-text('élève') >> text=Rouvrir")
    assert "ouvert" in principal.inner_text("tr:has-text('élève')")
    eleve = _sign_in(browser, base, "lmartin2", passwords["lmartin2"])
    assert "/mon-compte" in eleve.url and "Mon compte" in eleve.content()


def test_a_teacher_resets_an_eleve_but_not_a_colleague(browser: Browser, serve: Serve,
                                                       school: Cli) -> None:
    base, passwords = serve(school.home, None), _passwords(school)
    teacher = _sign_in(browser, base, "cdurand", passwords["cdurand"])
    teacher.goto(f"{base}/mots-de-passe?q=legoff")
    assert teacher.locator("tr:has-text('jlegoff')").count() == 0  # only whom one may reset
    teacher.goto(f"{base}/mots-de-passe?q=lmartin")
    screenshot(teacher, "mots-de-passe")
    teacher.locator("tr:has-text('lmartin2') >> text=Réinitialiser").click()
    teacher.wait_for_selector("text=Nouveau mot de passe")
    shown = teacher.inner_text(".secret")
    teacher.reload()  # reset nothing again, show nothing again
    teacher.wait_for_selector("text=déjà été affiché")
    assert shown not in teacher.content()
    assert school("audit", "--json").stdout.count('"password_reset"') == 1
    teacher.goto(f"{base}/mots-de-passe?q=lmartin")
    token = teacher.get_attribute("input[name=csrf]", "value")
    forged = teacher.request.post(f"{base}/mots-de-passe/reinitialiser",
                                  form={"identifiant": "jlegoff", "csrf": token or ""})
    assert forged.status == 403
    no_csrf = teacher.request.post(f"{base}/mots-de-passe/reinitialiser",
                                   form={"identifiant": "lmartin"})
    assert no_csrf.status == 403


def test_a_referent_prints_a_division_slips(browser: Browser, serve: Serve, school: Cli
                                            ) -> None:
    passwords = _passwords(school)
    assert school("delegation", "grant", "jlegoff", "Réinitialiser les mots de passe",
                  "--by", "idasilva").exit_code == 0
    base = serve(school.home, None)
    referent = _sign_in(browser, base, "jlegoff", passwords["jlegoff"])
    referent.goto(f"{base}/comptes?division=6A")
    screenshot(referent, "comptes")
    eleves = [login for login in referent.locator("tr td:nth-child(2)").all_inner_texts()
              if login]
    referent.goto(f"{base}/mots-de-passe")
    referent.select_option("#code", "6A")
    referent.click("text=Réinitialiser toute la division ou le groupe")
    referent.wait_for_selector("text=Oui, donner un nouveau mot de passe")
    assert f"Les {len(eleves)} élève(s) actifs de la division 6A" in referent.content()
    referent.click("text=Oui, donner un nouveau mot de passe")
    referent.wait_for_selector("text=Télécharger les fiches (PDF)")
    with referent.expect_download() as download:
        referent.click("text=Télécharger les fiches (PDF)")
    assert download.value.suggested_filename == "fiches-6A.pdf"
    pdf = PdfReader(download.value.path())  # it opens
    text = "\n".join(page.extract_text() for page in pdf.pages)
    assert len(eleves) >= 2 and text.count("année scolaire") == len(eleves)  # one slip each
    assert all(login in text for login in eleves)


def test_a_plan_is_approved_then_applied(browser: Browser, serve: Serve,
                                         leaver_plan: Cli) -> None:
    passwords = _passwords(leaver_plan)
    base = serve(leaver_plan.home, None)
    principal = _sign_in(browser, base, "idasilva", passwords["idasilva"])
    principal.goto(f"{base}/plan")
    screenshot(principal, "plan")
    assert principal.locator("text=Appliquer ce plan").count() == 0
    click_and_load(principal, "text=Approuver ce plan")
    assert "Approuvé par idasilva" in principal.content()
    principal.click("text=Appliquer ce plan")
    principal.wait_for_selector("#etat:has-text('Terminée')", timeout=60_000)
    assert principal.url.endswith("/plan/application")
    screenshot(principal, "application-du-plan")
    assert principal.inner_text("tr:has-text('désactiver') td:nth-child(2)") == "1"
    principal.goto(f"{base}/plan")
    assert "Aucun plan en attente" in principal.content()
    for name in ("journal", "calendrier", "verification", "espaces"):
        principal.goto(f"{base}/{name}")
        screenshot(principal, name)
