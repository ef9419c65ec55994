"""The console on an ordinary laptop: every main page, read by the principal with a plan
waiting, at 1024 and 1280 px wide, kept as screenshots in test-artefacts/screenshots
(laptop-WIDTH-PAGE.png); nothing wider than the window (no horizontal scroll, no cut
« Se déconnecter »), every menu label on one line; the long lists page, sort and search
through plain links."""

from __future__ import annotations

from playwright.sync_api import Browser, Page

from bascule.web.access import GATES
from tests.browser.conftest import Serve, click_and_load, screenshot
from tests.browser.test_console_browser import _passwords, _sign_in
from tests.conftest import Cli

WIDTHS = (1024, 1280)
MAIN_PAGES = sorted({gate.path for gate in GATES if gate.menu and gate.method == "GET"}
                    | {"/mon-compte", "/plan/application", "/nulle-part"})

# Every element's box within the window: what sticks out, named (tag, id or class, text).
OVERFLOWING = """() => {
  const width = window.innerWidth, found = [];
  if (document.documentElement.scrollWidth > width)
    found.push('document: ' + document.documentElement.scrollWidth + ' px');
  for (const element of document.querySelectorAll('body *')) {
    const box = element.getBoundingClientRect();
    if (box.width > 0 && (box.right > width + 0.5 || box.left < -0.5))
      found.push(element.tagName + '#' + element.id + '.' + element.className + ' '
                 + Math.round(box.left) + '..' + Math.round(box.right) + ' '
                 + (element.textContent || '').trim().slice(0, 40));
  }
  return found;
}"""
# A menu label on more than one line, and how many lines it takes.
WRAPPED_LABELS = """() => Array.from(document.querySelectorAll('header a, header button'))
  .filter(e => e.getClientRects().length > 1
          || e.getBoundingClientRect().height > 2 * parseFloat(getComputedStyle(e).lineHeight))
  .map(e => e.textContent.trim())"""


def _check(page: Page, name: str) -> None:
    assert page.evaluate(OVERFLOWING) == [], name
    assert page.evaluate(WRAPPED_LABELS) == [], name
    logout = page.locator("header button:has-text('Se déconnecter')")
    if logout.count():
        box = logout.bounding_box()
        assert box is not None and box["x"] + box["width"] <= page.viewport_size["width"], name


def test_every_main_page_fits_a_laptop(browser: Browser, serve: Serve, leaver_plan: Cli
                                       ) -> None:
    base = serve(leaver_plan.home, None)
    principal = _sign_in(browser, base, "idasilva", _passwords(leaver_plan)["idasilva"])
    for width in WIDTHS:
        principal.set_viewport_size({"width": width, "height": 800})
        for path in MAIN_PAGES:
            principal.goto(base + path)
            name = f"laptop-{width}-{path.strip('/').replace('/', '-') or 'tableau-de-bord'}"
            screenshot(principal, name)
            _check(principal, name)
    teacher = _sign_in(browser, base, "cdurand", _passwords(leaver_plan)["cdurand"])
    for width in WIDTHS:
        teacher.set_viewport_size({"width": width, "height": 800})
        for path in ("/", "/mots-de-passe?q=martin", "/mon-compte"):
            teacher.goto(base + path)
            _check(teacher, f"enseignant {width} {path}")
    screenshot(teacher, "laptop-1280-enseignant-mots-de-passe")
    signed_out = browser.new_page(viewport={"width": 1024, "height": 800})
    signed_out.goto(f"{base}/connexion")
    screenshot(signed_out, "laptop-1024-connexion")
    _check(signed_out, "connexion")


def test_a_long_list_pages_sorts_and_searches_by_links(browser: Browser, serve: Serve,
                                                        school: Cli) -> None:
    for _ in range(16):  # the journal beyond one page (50 entries)
        assert school("password", "reset", "temery", "--by", "cdurand").exit_code == 0
    base = serve(school.home, None)
    principal = _sign_in(browser, base, "idasilva", _passwords(school)["idasilva"])
    principal.goto(f"{base}/journal")
    assert "page 1 /" in principal.inner_text("nav.pager")
    click_and_load(principal, "nav.pager >> text=Suivante ›")
    assert "page=2" in principal.url and "page 2 /" in principal.inner_text("nav.pager")
    principal.goto(f"{base}/comptes")
    click_and_load(principal, "th >> text=Identifiant")
    logins = [t for t in principal.locator("tr td:nth-child(2)").all_inner_texts() if t]
    assert logins == sorted(logins) and len(logins) > 5
    click_and_load(principal, "th >> text=Identifiant")  # again: the other way
    assert [t for t in principal.locator("tr td:nth-child(2)").all_inner_texts() if t
            ] == sorted(logins, reverse=True)
    principal.fill("#q", "martin lea")
    click_and_load(principal, "text=Filtrer")
    found = principal.locator("tr td:nth-child(2)").all_inner_texts()
    assert sorted(found) == ["lmartin", "lmartin2"] and "tri=-identifiant" in principal.url
