"""Least privilege in Debian's chromium (issue 17): each role signs in, lands on its first
page, sees its menu and nothing more, and is refused the other pages; a teacher's whole-class
reset needs its confirmation and is refused for a division they do not teach; a teacher's CSV
export is refused. The département's operators sign in with accounts of their own
(tests/browser/test_operator_browser.py); their column of the policy is tested in
tests/domain/test_policy.py and tests/web/test_matrix.py."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, Page

from tests.browser.conftest import Serve
from tests.browser.test_console_browser import _passwords, _sign_in
from tests.conftest import Cli
from tests.web.conftest import Person, staffed  # noqa: F401 (the fixture)

SCHOOL_PAGES = ("/plan", "/comptes", "/pilotage/autorisations", "/verification", "/espaces",
                "/calendrier", "/journal", "/pilotage/fermeture", "/revue", "/fiches")
# Written from the issue, not from the gates table: (lands on, menu links, refused pages).
EXPECTED: dict[str, tuple[str, set[str], set[str]]] = {
    "principal": ("/", {"/", "/plan", "/mots-de-passe", "/comptes", "/pilotage/autorisations",
                        "/verification", "/espaces", "/journal", "/pilotage/fermeture",
                        "/fiches"},
                  set()),
    "RRUPN": ("/", {"/", "/mots-de-passe", "/comptes", "/verification", "/espaces",
                    "/fiches"},
              {"/plan", "/journal", "/pilotage/fermeture", "/revue", "/comptes/export"}),
    "enseignant": ("/mots-de-passe", {"/mots-de-passe"},
                   {*SCHOOL_PAGES, "/comptes/export"}),
    "CPE": ("/mon-compte", set(), {*SCHOOL_PAGES, "/mots-de-passe", "/comptes/export"}),
    "élève": ("/mon-compte", set(), {*SCHOOL_PAGES, "/mots-de-passe"}),
}


def _links(page: Page) -> set[str]:
    hrefs = page.eval_on_selector_all("a", "links => links.map(a => a.getAttribute('href'))")
    return {href for href in hrefs if href and href.startswith("/")}


def _refused(page: Page, base: str, path: str) -> bool:
    answer = page.goto(f"{base}{path}")
    return answer is not None and answer.status == 403 and "Refusé" in page.content()


@pytest.mark.parametrize("role", sorted(EXPECTED))
def test_each_role_sees_its_menu_and_is_refused_the_rest(
        browser: Browser, serve: Serve, staffed: tuple[Cli, tuple[Person, ...]],  # noqa: F811
        role: str) -> None:
    cli, people = staffed
    person = next(p for p in people if p.name == role)
    base = serve(cli.home, None)
    page = _sign_in(browser, base, person.login, _passwords(cli)[person.login])
    lands, menu, refused = EXPECTED[role]
    page.goto(f"{base}/")
    assert page.url == f"{base}{lands}", role
    page.goto(f"{base}/mon-compte")  # a page whose own links are none: the menu's show
    links = _links(page)
    assert menu <= links, (role, menu - links)
    assert not links & refused, (role, links & refused)
    wrong = [path for path in sorted(refused) if not _refused(page, base, path)]
    assert wrong == [], (role, wrong)


def test_a_teachers_class_reset_is_confirmed_and_only_where_they_teach(
        browser: Browser, serve: Serve, school: Cli) -> None:
    base = serve(school.home, None)
    teacher = _sign_in(browser, base, "cdurand", _passwords(school)["cdurand"])
    teacher.goto(f"{base}/mots-de-passe")
    options = teacher.locator("#code option").all_inner_texts()
    assert "6A" in options and "5 B/1" not in options
    teacher.select_option("#code", "6A")
    teacher.click("text=Réinitialiser toute la division ou le groupe")
    teacher.wait_for_selector("text=Oui, donner un nouveau mot de passe aux 3 élève(s)")
    assert "password_reset" not in school("audit", "--json").stdout  # asked, not done
    assert _refused(teacher, base, "/mots-de-passe/structure?code=5+B%2F1")
    assert "où vous enseignez" in teacher.content()
    assert _refused(teacher, base, "/comptes/export")
    assert _refused(teacher, base, "/comptes?format=csv")
