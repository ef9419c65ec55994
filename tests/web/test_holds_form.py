"""The Retenues form (newcomer 8, fault 8): a day written as bascule shows it (31/01/2027) is
read like the date picker's ISO; a day unread or past brings the page back, the reason beside
the field and what was typed kept, not a bare refusal page."""

from __future__ import annotations

import html
import re
from typing import Any

from tests.conftest import Cli
from tests.web.test_console import _client, _passwords, _sign_in
from tests.web.test_holds_web import _text


def _principal(school: Cli) -> tuple[object, str]:
    principal = _client(school.home)
    return principal, _sign_in(principal, "idasilva", _passwords(school)["idasilva"])


def test_a_day_written_the_french_way_holds(school: Cli) -> None:
    principal, csrf = _principal(school)
    added = principal.post("/retenues", data={  # type: ignore[attr-defined]
        "csrf": csrf, "personne": "lmartin", "jusqu_au": "31/01/2027",
        "motif": "départ fin janvier"}, follow_redirects=True)
    assert added.status_code == 200
    assert "MARTIN Léa (eleve:1000001) 31/01/2027 en cours départ fin janvier" in _text(
        added.text)


def _refused_day(school: Cli, day: str) -> tuple[Any, str]:
    """The form sent with `day` as the hold's last day: the page (400, the form again) and
    what it says beside the field."""
    principal, csrf = _principal(school)
    refused = principal.post("/retenues", data={  # type: ignore[attr-defined]
        "csrf": csrf, "personne": "lmartin", "jusqu_au": day, "motif": "départ fin janvier"})
    assert refused.status_code == 400 and "<h1>Retenues</h1>" in refused.text
    return refused, html.unescape(
        _text(refused.text.split('id="jusqu_au-erreur">')[1].split("</p>")[0]))


def test_a_day_unread_comes_back_beside_its_field_with_the_input_kept(school: Cli) -> None:
    refused, said = _refused_day(school, "31 janvier")
    assert said == ("« 31 janvier » n'est pas une date. Écrivez le dernier jour de la retenue "
                    "ainsi : 31/12/2026 (ou 2026-12-31).")
    assert re.search(r'name="jusqu_au"[^>]*value="31 janvier"', refused.text)
    assert 'value="départ fin janvier"' in refused.text and 'value="lmartin"' in refused.text
    assert "Aucune retenue" in refused.text


def test_a_past_day_comes_back_with_a_french_reason(school: Cli) -> None:
    refused, said = _refused_day(school, "01/01/2020")
    assert said.startswith("La date de fin de la retenue (01/01/2020) est déjà passée (nous "
                           "sommes le ")
    assert "--until" not in said and 'value="01/01/2020"' in refused.text
