"""The Plan page in Debian's chromium: the differences field by field under their division,
searched; a leaver left out at approval with a reason, listed among the people held; the
Retenues page. Screenshots in test-artefacts/screenshots."""

from __future__ import annotations

from playwright.sync_api import Browser

from tests.browser.conftest import Serve, click_and_load, screenshot
from tests.browser.test_console_browser import _passwords, _sign_in
from tests.conftest import Cli, Files, edit


def test_the_plan_shows_differences_and_a_leaver_is_held_at_approval(
        browser: Browser, serve: Serve, leaver_plan: Cli, files: Files) -> None:
    edit(files("ElevesSansAdresses.xml")[0], "<NOM_DE_FAMILLE>MARTIN</NOM_DE_FAMILLE>",
         "<NOM_DE_FAMILLE>MARTIN-ROUX</NOM_DE_FAMILLE>")
    assert leaver_plan("import", *files()).exit_code == 0
    assert leaver_plan("plan").exit_code == 0
    base = serve(leaver_plan.home, None)
    principal = _sign_in(browser, base, "idasilva", _passwords(leaver_plan)["idasilva"])
    principal.goto(f"{base}/plan")
    renamed = principal.locator("table.differences tr", has_text="MARTIN-ROUX Léa").first
    assert " ".join(renamed.inner_text().split()) == (
        "6A mettre à jour élève MARTIN-ROUX Léa lmartin nom MARTIN MARTIN-ROUX")
    assert principal.locator("h3", has_text="Division 6A").count() == 1
    screenshot(principal, "plan-differences")
    principal.fill("#q", "émery")
    click_and_load(principal, "form[role=search] button")
    rows = principal.locator("table.differences tr:has(td)")
    assert rows.count() == 1 and "état actif désactivé" in " ".join(rows.first.inner_text()
                                                                     .split())
    principal.check("input[name=exclure][value='eleve:1000006']")
    principal.fill("#motif-approbation", "la famille conteste le départ")
    principal.click("text=Approuver ce plan")
    principal.wait_for_selector("text=Approuvé par idasilva")
    held = principal.locator("#retenues + p + table tr", has_text="ÉMERY Timothée")
    assert "la famille conteste le départ" in held.inner_text()
    assert principal.locator("table.differences", has_text="ÉMERY").count() == 0
    screenshot(principal, "plan-retenues")
    principal.goto(f"{base}/retenues")
    assert "exclue à l'approbation" in principal.inner_text("tr:has-text('ÉMERY Timothée')")
    screenshot(principal, "retenues")
