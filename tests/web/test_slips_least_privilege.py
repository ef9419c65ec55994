"""The slips kept on disk (the console's Fiches) go only to whom the policy lets have every
slip of a file: the direction's printed passwords, which still sign in, to the direction and
the operators only; each download journaled with its file; the direction told of a download
of its slips by someone else; a division's reset made with the CLI named as what it is."""

from __future__ import annotations

import html
import re
from datetime import timedelta

from fastapi.testclient import TestClient

from bascule.web.app import create_app
from tests.conftest import UAI, Cli
from tests.web.conftest import Person
from tests.web.test_apply_slips import APPLIED, _folder, _text
from tests.web.test_console import _passwords, _post_sign_in, _sign_in
from tests.web.test_operators_web import add_operator, sign_in_operator
from tests.web.test_password_tool import _journal

SOON = APPLIED + timedelta(days=1)
DIRECTION = "fiches-personnels_de_direction.pdf"


def _client(cli: Cli, login: str) -> tuple[TestClient, str]:
    client = TestClient(create_app(cli.home, clock=lambda: SOON))
    return client, _sign_in(client, login, _passwords(cli)[login])


def _listed(client: TestClient) -> list[str]:
    return re.findall(r'href="/fiches/[^/"]+/(fiches-[^"]+\.pdf)"', client.get("/fiches").text)


def test_the_referent_neither_sees_nor_takes_the_direction_s_slips(
        staffed: tuple[Cli, tuple[Person, ...]]) -> None:
    school, people = staffed
    adjoint = next(person.login for person in people if person.name == "adjoint")
    folder, (referent, csrf) = _folder(school), _client(school, "jlegoff")
    listed = _listed(referent)
    assert "fiches-6A.pdf" in listed and "fiches-enseignants.pdf" in listed  # his own too
    assert DIRECTION not in listed
    refused = referent.get(f"/fiches/{folder}/{DIRECTION}")
    assert refused.status_code == 403 and "Refusé" in html.unescape(refused.text)
    assert _journal(school, "fiches_telechargees") == []
    # nor destroys the folder the direction's slips are in
    assert 'action="/fiches/' not in referent.get("/fiches").text
    kept = referent.post(f"/fiches/{folder}/destruction",
                         data={"csrf": csrf, "distribuees": "oui"})
    assert kept.status_code == 403 and (school.home / "credentials" / UAI / folder).exists()
    # the adjoint's printed password still signs in: nobody but the direction had it
    assert _post_sign_in(TestClient(create_app(school.home, clock=lambda: SOON)), adjoint,
                         _passwords(school)[adjoint]).status_code == 303
    assert referent.get(f"/fiches/{folder}/fiches-6A.pdf").status_code == 200
    assert [e["detail"] for e in _journal(school, "fiches_telechargees")] == [
        {"application": folder, "fichier": "fiches-6A.pdf"}]


def test_the_direction_is_told_of_a_download_of_its_slips(
        staffed: tuple[Cli, tuple[Person, ...]]) -> None:
    school, people = staffed
    adjoint = next(person.login for person in people if person.name == "adjoint")
    folder = _folder(school)
    add_operator(school)
    operator = TestClient(create_app(school.home, clock=lambda: SOON))
    sign_in_operator(operator)
    assert DIRECTION in _listed(operator)
    pdf = operator.get(f"/fiches/{folder}/{DIRECTION}")
    assert pdf.status_code == 200 and _passwords(school)[adjoint] in _text(pdf.content)
    [entry] = _journal(school, "fiches_telechargees")
    assert entry["detail"] == {"application": folder, "fichier": DIRECTION,
                               "direction": sorted([adjoint, "idasilva"])}
    principal, _ = _client(school, "idasilva")
    told = html.unescape(principal.get("/").text)
    assert (f"Les fiches des mots de passe initiaux de {', '.join(sorted([adjoint, 'idasilva']))}"
            " (direction) ont été téléchargées par opérateur:jdupont") in told
    journal = html.unescape(principal.get("/journal").text)
    assert f"fichier {DIRECTION}" in journal


def test_a_division_reset_from_the_cli_is_named_as_such(
        staffed: tuple[Cli, tuple[Person, ...]]) -> None:
    school, _people = staffed
    at = (SOON - timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M")
    assert school("password", "reset-group", "6A", "--by", "jlegoff", "--at", at).exit_code == 0
    principal, _ = _client(school, "idasilva")
    page = html.unescape(principal.get("/fiches").text)
    assert "Réinitialisation de la division 6A par LE GOFF Jean-Baptiste (jlegoff)" in page, page
    assert page.count("<h2>Application du") == 1  # the apply's own folder only
    teacher = TestClient(create_app(school.home, clock=lambda: SOON))
    _sign_in(teacher, "cdurand", _passwords(school)["cdurand"])
    assert teacher.get("/fiches").status_code == 403
