"""An apply's « fiches » in the console (issue 17): the slips the apply wrote, given again without
new passwords (the passwords on them still sign in), each download journaled; refused after the
date; destroyed once handed out (a ticked confirmation); the re-print of those still on their
initial password is a confirmed action giving new ones."""

from __future__ import annotations

import html
import io
import re
from datetime import datetime, timedelta

from fastapi.testclient import TestClient
from pypdf import PdfReader

from bascule.domain.school import SCHOOL_TIMEZONE
from bascule.web.app import create_app
from tests.conftest import UAI, Cli
from tests.web.test_console import _passwords, _post_sign_in, _sign_in
from tests.web.test_operators_web import add_operator, sign_in_operator
from tests.web.test_password_tool import _journal

APPLIED = datetime(2026, 9, 10, 10, tzinfo=SCHOOL_TIMEZONE)  # conftest's ROLLOVER_AT


def _text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def _folder(cli: Cli) -> str:
    return next(p.name for p in (cli.home / "credentials" / UAI).iterdir() if p.is_dir())


def test_the_apply_slips_are_given_again_without_new_passwords(school: Cli) -> None:
    passwords, soon = _passwords(school), APPLIED + timedelta(days=1)
    principal = TestClient(create_app(school.home, clock=lambda: soon))
    csrf = _sign_in(principal, "idasilva", passwords["idasilva"])
    listed = principal.get("/fiches")
    assert listed.status_code == 200 and 'href="/fiches"' in listed.text  # in the menu
    folder = _folder(school)
    links = re.findall(rf'href="(/fiches/{folder}/fiches-[^"]+\.pdf)"', listed.text)
    assert f"/fiches/{folder}/fiches-6A.pdf" in links, listed.text
    pdf = principal.get(f"/fiches/{folder}/fiches-6A.pdf")
    assert pdf.headers["content-type"] == "application/pdf"
    assert passwords["lmartin"] in _text(pdf.content)  # the initial one, still valid
    assert _post_sign_in(TestClient(create_app(school.home)), "lmartin",
                         passwords["lmartin"]).status_code == 303
    assert _journal(school, "password_reset") == []
    assert [e["detail"] for e in _journal(school, "fiches_telechargees")] == [
        {"application": folder, "fichier": "fiches-6A.pdf"}]
    assert principal.get(f"/fiches/{folder}/..%2Fcomptes.csv").status_code == 404
    assert principal.get("/fiches/autre/fiches-6A.pdf").status_code == 404
    unticked = principal.post(f"/fiches/{folder}/destruction", data={"csrf": csrf})
    assert unticked.status_code == 400 and (school.home / "credentials" / UAI / folder).exists()
    done = principal.post(f"/fiches/{folder}/destruction",
                          data={"csrf": csrf, "distribuees": "oui"})
    assert done.status_code == 200 and "sont détruits" in html.unescape(done.text)
    assert not (school.home / "credentials" / UAI / folder).exists()
    assert len(_journal(school, "fiches_detruites")) == 1
    assert "Aucune fiche d'application" in html.unescape(principal.get("/fiches").text)


def test_after_the_date_the_reprint_is_what_remains(school: Cli) -> None:
    later = APPLIED + timedelta(days=31)
    referent = TestClient(create_app(school.home, clock=lambda: later))
    assert school("delegation", "grant", "jlegoff", "Réinitialiser les mots de passe",
                  "--by", "idasilva").exit_code == 0
    _sign_in(referent, "jlegoff", _passwords(school)["jlegoff"])
    page = html.unescape(referent.get("/fiches").text)
    assert "Le délai pour les distribuer est passé" in page
    folder = _folder(school)
    assert referent.get(f"/fiches/{folder}/fiches-6A.pdf").status_code == 404
    assert "/mots-de-passe/structure?code=6A&amp;reimpression=oui" in referent.get(
        "/fiches").text
    confirm = html.unescape(referent.get("/mots-de-passe/structure",
                                         params={"code": "6A", "reimpression": "oui"}).text)
    assert "3 élève(s) de la division 6A n'ont jamais changé" in confirm
    teacher = TestClient(create_app(school.home, clock=lambda: later))
    _sign_in(teacher, "cdurand", _passwords(school)["cdurand"])
    assert teacher.get("/fiches").status_code == 403


def test_the_slips_of_an_apply_undone_are_no_longer_given(school: Cli) -> None:
    """Apply n° 1 undone: its accounts removed, its slips' passwords sign in nowhere. The page
    says so and offers only their destruction; a download is refused."""
    later = "2026-09-11T10:00"
    assert school("undo", "1", "--at", later).exit_code == 0
    assert school("apply", "--yes", "--at", later).exit_code == 0
    add_operator(school)
    operator = TestClient(create_app(school.home, clock=lambda: APPLIED + timedelta(days=2)))
    sign_in_operator(operator)
    folder = _folder(school)
    page = html.unescape(operator.get("/fiches").text)
    said = " ".join(page.split())
    assert "L'application n° 2 a annulé celle-ci" in said and "Détruire ces fiches" in page
    assert f'href="/fiches/{folder}/fiches-6A.pdf"' not in page
    refused = operator.get(f"/fiches/{folder}/fiches-6A.pdf")
    assert refused.status_code == 404 and "n° 2 a annulé celle-ci" in html.unescape(refused.text)
    assert _journal(school, "fiches_telechargees") == []
