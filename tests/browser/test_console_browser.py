"""The console in Debian's chromium: a principal reopens the ENT for élèves during the closure
and an élève can then sign in; a teacher resets an élève's password, sees no button for a
colleague and is refused a forged request; a POST without its CSRF token is refused."""

from __future__ import annotations

from datetime import datetime

from playwright.sync_api import Browser, Page

from bascule.domain.school import SCHOOL_TIMEZONE
from tests.browser.conftest import Serve, screenshot
from tests.conftest import Cli

CLOSURE = datetime(2026, 8, 26, 10, tzinfo=SCHOOL_TIMEZONE)


def _passwords(cli: Cli) -> dict[str, str]:
    text = next((cli.home / "credentials").rglob("comptes.csv")).read_text(encoding="utf-8-sig")
    return {row[0] or row[1]: row[-1] for row in (line.split(";")
                                                  for line in text.splitlines()[1:])}


def _sign_in(browser: Browser, base: str, login: str, password: str) -> Page:
    page = browser.new_page()
    page.goto(f"{base}/connexion")
    page.fill("#identifiant", login)
    page.fill("#mot_de_passe", password)
    page.click("text=Se connecter")
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
    principal.click("tr:has-text('eleve') >> text=Rouvrir")
    assert "ouvert" in principal.inner_text("tr:has-text('eleve')")
    eleve = _sign_in(browser, base, "lmartin2", passwords["lmartin2"])
    assert eleve.url.endswith("/mon-compte") and "Mon compte" in eleve.content()


def test_a_teacher_resets_an_eleve_but_not_a_colleague(browser: Browser, serve: Serve,
                                                       school: Cli) -> None:
    base, passwords = serve(school.home, None), _passwords(school)
    teacher = _sign_in(browser, base, "cdurand", passwords["cdurand"])
    teacher.goto(f"{base}/mots-de-passe?q=legoff")
    assert teacher.locator("tr:has-text('jlegoff')").count() == 1
    assert teacher.locator("tr:has-text('jlegoff') button").count() == 0
    teacher.goto(f"{base}/mots-de-passe?q=lmartin")
    screenshot(teacher, "mots-de-passe")
    teacher.locator("tr:has-text('lmartin2') >> text=Réinitialiser").click()
    assert "Nouveau mot de passe" in teacher.content()
    teacher.goto(f"{base}/mots-de-passe?q=lmartin")
    token = teacher.get_attribute("input[name=csrf]", "value")
    forged = teacher.request.post(f"{base}/mots-de-passe/reinitialiser",
                                  form={"identifiant": "jlegoff", "csrf": token or ""})
    assert forged.status == 403
    no_csrf = teacher.request.post(f"{base}/mots-de-passe/reinitialiser",
                                   form={"identifiant": "lmartin"})
    assert no_csrf.status == 403
