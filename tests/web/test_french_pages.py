"""No internal code or English word on the console's pages: every page of the menu, as the
principal reads it with a plan waiting, scanned like the CLI's output (tests/cli/test_french)."""

from __future__ import annotations

from bascule.web.access import GATES
from tests.cli.test_french import NOT_FOR_PEOPLE, _visible_text
from tests.conftest import Cli
from tests.web.test_console import _client, _passwords, _sign_in


def test_every_page_of_the_menu_speaks_french(leaver_plan: Cli) -> None:
    assert leaver_plan("password", "reset", "temery", "--by", "cdurand").exit_code == 0
    client = _client(leaver_plan.home)
    _sign_in(client, "idasilva", _passwords(leaver_plan)["idasilva"])
    paths = sorted({gate.path for gate in GATES if gate.menu and gate.method == "GET"})
    assert {"/plan", "/comptes", "/journal"} <= set(paths)
    for path in paths:
        page = client.get(path)
        assert page.status_code == 200, path
        text = _visible_text(page.text)
        found = NOT_FOR_PEOPLE.search(text)
        assert found is None, (path, text[max(0, found.start() - 80):found.end() + 80])
