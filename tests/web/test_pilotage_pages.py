"""Pilotage: Fermeture rentrée says, for every profile, whether the ENT is open now and why,
and the dashboard says the same (one function, ent_states); Autorisations picks a staff member
from the school's list, and a refusal is shown in the form with the choice kept."""

from __future__ import annotations

import html
import re
from datetime import datetime

from bascule.domain.labels import PROFILES
from bascule.domain.school import SCHOOL_TIMEZONE
from tests.conftest import Cli
from tests.web.test_console import CLOSURE, _client, _passwords, _sign_in


def _access_table(page: str) -> list[tuple[str, str, str]]:
    """The « acces » table's rows: profile, open or closed, why."""
    table = html.unescape(page.split('id="acces"')[1].split("</table>")[0])
    return [tuple(re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(
        r"<td[^>]*>(.*?)</td>", row)[:3])  # type: ignore[misc]
        for row in re.findall(r"<tr>(.*?)</tr>", table, re.S)[1:]]


def test_closure_and_dashboard_say_the_same_per_profile(school: Cli) -> None:
    client = _client(school.home, CLOSURE)
    csrf = _sign_in(client, "idasilva", _passwords(school)["idasilva"])
    closure = _access_table(client.get("/pilotage/fermeture").text)
    assert [row[0] for row in closure] == list(PROFILES.values())
    assert closure[0] == ("élève", "fermé", "Fermeture rentrée jusqu'au mardi 01/09/2026 18:00")
    assert closure[1][:2] == ("responsable", "fermé")
    assert closure[2] == ("enseignant", "ouvert", "La fermeture rentrée ne concerne que les "
                                                  "élèves et les responsables")
    assert _access_table(client.get("/").text) == closure
    client.post("/pilotage/fermeture", data={"profil": "eleve", "ouvrir": "oui", "csrf": csrf})
    reopened = _access_table(client.get("/pilotage/fermeture").text)
    assert reopened[0][:2] == ("élève", "ouvert") and "levée pour les élèves par idasilva" in (
        reopened[0][2])
    assert reopened[1][:2] == ("responsable", "fermé")
    assert _access_table(client.get("/").text) == reopened


def test_outside_the_closure_every_profile_is_open_and_why(school: Cli) -> None:
    client = _client(school.home, datetime(2026, 11, 15, 8, tzinfo=SCHOOL_TIMEZONE))
    _sign_in(client, "idasilva", _passwords(school)["idasilva"])
    rows = _access_table(client.get("/pilotage/fermeture").text)
    assert all(row[1] == "ouvert" for row in rows)
    assert rows[0][2] == "Fermeture rentrée terminée le mardi 01/09/2026 18:00"


def test_a_delegation_is_granted_from_the_staff_list(school: Cli) -> None:
    client = _client(school.home)
    csrf = _sign_in(client, "idasilva", _passwords(school)["idasilva"])
    form = html.unescape(client.get("/pilotage/autorisations").text)
    assert '<select id="identifiant" name="identifiant" required>' in form
    assert '<option value="cdurand">DURAND Claire (cdurand) · enseignant</option>' in form
    assert 'value="lmartin"' not in form and 'value="p.martin"' not in form  # staff only
    refused = client.post("/pilotage/autorisations", data={
        "identifiant": "cdurand", "delegation": "Tout faire", "accorder": "oui", "csrf": csrf})
    assert refused.status_code == 400
    text = html.unescape(refused.text)
    assert "Délégation « Tout faire » : délégation inconnue." in text
    assert '<option value="cdurand" selected>' in text  # the choice kept
    granted = client.post("/pilotage/autorisations", data={
        "identifiant": "cdurand", "delegation": "Affecter des ressources GAR", "accorder": "oui",
        "csrf": csrf}, follow_redirects=False)
    assert granted.status_code == 303
    assert "DURAND Claire (cdurand)</td><td>Affecter des ressources GAR" in html.unescape(
        client.get("/pilotage/autorisations").text)


def test_a_toggle_outside_the_closure_is_said_on_the_page(school: Cli) -> None:
    client = _client(school.home, datetime(2026, 11, 15, 8, tzinfo=SCHOOL_TIMEZONE))
    csrf = _sign_in(client, "idasilva", _passwords(school)["idasilva"])
    late = client.post("/pilotage/fermeture", data={"profil": "eleve", "ouvrir": "oui",
                                                    "csrf": csrf})
    assert late.status_code == 400
    text = html.unescape(late.text)
    assert '<div class="form-error" role="alert">' in text
    assert "La fermeture rentrée n'est pas en cours : il n'y a rien à lever ni à refermer." in text
    assert _access_table(late.text)[0][:2] == ("élève", "ouvert")  # the page as it is now
