"""The département's operator in Debian's chromium (issue 21): from the schools' sign-in page
to the operators' own, signed in with an account of their own (no person of a school), the
page Nuit opened from the menu, another school of the folder chosen on Établissement."""

from __future__ import annotations

from playwright.sync_api import Browser

from tests.browser.conftest import Serve, click_and_load, screenshot
from tests.conftest import Cli
from tests.web.test_operators_web import OPERATOR, OTHER_UAI, PASSWORD, add_operator


def test_an_operator_signs_in_opens_the_night_and_picks_a_school(
        browser: Browser, serve: Serve, school: Cli) -> None:
    add_operator(school)
    assert school("init", "--uai", OTHER_UAI, "--name", "Collège Autre").exit_code == 0
    base = serve(school.home, None)
    page = browser.new_page()
    page.goto(f"{base}/connexion")
    click_and_load(page, "text=Connexion des opérateurs")
    assert page.url == f"{base}/connexion/operateur"
    page.fill("#identifiant", OPERATOR)
    page.fill("#mot_de_passe", PASSWORD)
    click_and_load(page, "text=Se connecter")
    assert page.url == f"{base}/"
    assert page.locator("header").inner_text().count("Jean Dupont (opérateur)") == 1
    click_and_load(page, "nav >> text=Nuit")
    assert page.url == f"{base}/nuit"
    assert page.locator("h1").inner_text() == "Dernière nuit"
    assert "La base est SQLite" in page.locator("#sans-file").inner_text()
    screenshot(page, "nuit-operateur")
    click_and_load(page, "nav >> text=Établissement")
    page.select_option("#etablissement", OTHER_UAI)
    click_and_load(page, "text=Consulter cet établissement")
    assert "Collège Autre" in page.locator("header .school").inner_text()
    click_and_load(page, "text=Se déconnecter")
    assert page.url == f"{base}/connexion"
