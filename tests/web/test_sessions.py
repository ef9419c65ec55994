"""Sessions that end (issue 16): a cookie replayed after "Se déconnecter", a password changed
or reset, an account disabled or "Fermer ses sessions" is refused; the closure and the account's
state are checked on every request; the sign-in throttle cannot lock anyone out from elsewhere;
every staff category chooses its own password; the direction is told of a reset of its own."""

from __future__ import annotations

import html
from datetime import datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from bascule.domain.school import SCHOOL_TIMEZONE
from bascule.web.app import create_app
from bascule.web.security import FREE_FAILURES
from tests.conftest import Cli
from tests.web.conftest import Person
from tests.web.test_console import CHOSEN, _csrf, _passwords, _post_sign_in, _sign_in
from tests.web.test_matrix import _token_of
from tests.web.test_operators_web import add_operator, sign_in_operator

COOKIE = "bascule_session"


def _replay(home: Path, cookie: str) -> TestClient:
    """Another browser holding a copy of the cookie."""
    thief = TestClient(create_app(home))
    thief.cookies.set(COOKIE, cookie)
    return thief


def _signed_out(client: TestClient) -> bool:
    answer = client.get("/mon-compte", follow_redirects=False)
    return (answer.status_code, answer.headers.get("location")) == (303, "/connexion")


def test_a_cookie_replayed_after_sign_out_reads_and_resets_nothing(school: Cli) -> None:
    client = TestClient(create_app(school.home))
    csrf = _sign_in(client, "cdurand", _passwords(school)["cdurand"])
    cookie = client.cookies[COOKIE]
    assert _replay(school.home, cookie).get("/mots-de-passe").status_code == 200  # a real copy
    client.post("/deconnexion", data={"csrf": csrf})
    thief = _replay(school.home, cookie)
    assert _signed_out(thief)
    reset = thief.post("/mots-de-passe/reinitialiser", data={"identifiant": "lmartin",
                                                             "csrf": csrf})
    assert reset.status_code == 401
    assert "password_reset" not in school("audit", "--json").stdout


def test_a_password_changed_or_reset_ends_the_other_sessions(school: Cli) -> None:
    passwords = _passwords(school)
    app = create_app(school.home)
    here, there = TestClient(app), TestClient(app)
    csrf = _sign_in(here, "cdurand", passwords["cdurand"])  # chooses its own password
    _sign_in(there, "cdurand", passwords["cdurand"])
    chosen, newer = passwords["cdurand"] + CHOSEN, passwords["cdurand"] + "-Autre7"
    changed = here.post("/mon-compte", data={"actuel": chosen, "nouveau": newer,
                                             "confirmation": newer, "csrf": csrf})
    assert "Votre mot de passe est changé" in changed.text
    assert here.get("/mots-de-passe", follow_redirects=False).status_code == 200  # a fresh one
    assert _signed_out(there)
    assert school("delegation", "grant", "jlegoff", "Réinitialiser les mots de passe",
                  "--by", "idasilva").exit_code == 0
    rrupn = TestClient(app)
    rrupn_csrf = _sign_in(rrupn, "jlegoff", passwords["jlegoff"])
    assert rrupn.post("/mots-de-passe/reinitialiser", data={
        "identifiant": "cdurand", "csrf": rrupn_csrf}).status_code == 200
    assert _signed_out(here)


def test_disabling_an_account_ends_its_sessions(leaver_plan: Cli) -> None:
    eleve = TestClient(create_app(leaver_plan.home))
    _sign_in(eleve, "temery", _passwords(leaver_plan)["temery"])
    assert eleve.get("/mon-compte").status_code == 200
    assert leaver_plan("apply", "--yes", "--at", "2026-09-10T10:00").exit_code == 0
    assert _signed_out(eleve)


def test_the_closure_is_checked_on_every_request(school: Cli) -> None:
    now = [datetime(2026, 8, 23, 20, tzinfo=SCHOOL_TIMEZONE)]  # the evening before it
    eleve = TestClient(create_app(school.home, clock=lambda: now[0]))
    _sign_in(eleve, "lmartin", _passwords(school)["lmartin"])
    assert eleve.get("/mon-compte").status_code == 200
    now[0] = datetime(2026, 8, 24, 1, tzinfo=SCHOOL_TIMEZONE)  # the ENT is closed
    closed = eleve.get("/mon-compte", follow_redirects=False)
    assert closed.status_code == 403 and "fermeture rentrée" in html.unescape(closed.text)


def test_the_direction_ends_a_persons_sessions_and_a_teacher_cannot(school: Cli) -> None:
    passwords, app = _passwords(school), create_app(school.home)
    teacher, principal = TestClient(app), TestClient(app)
    teacher_csrf = _sign_in(teacher, "cdurand", passwords["cdurand"])
    csrf = _sign_in(principal, "idasilva", passwords["idasilva"])
    refused = teacher.post("/sessions/fermer", data={"identifiant": "idasilva",
                                                     "csrf": teacher_csrf})
    assert refused.status_code == 403 and not _signed_out(principal)
    ended = principal.post("/sessions/fermer", data={"identifiant": "cdurand", "csrf": csrf})
    assert ended.status_code == 200 and "1 session" in ended.text
    assert _signed_out(teacher)
    assert '"sessions_fermees"' in school("audit", "--json").stdout


def test_an_attacker_elsewhere_does_not_lock_the_principal_out(
        school: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("bascule.web.security.FIRST_DELAY", 600.0)  # however slow the machine
    app, password = create_app(school.home), _passwords(school)["idasilva"]
    attacker = TestClient(app, client=("203.0.113.7", 40000))
    for _ in range(FREE_FAILURES):
        assert _post_sign_in(attacker, "idasilva", "pas-le-bon").status_code == 401
    assert _post_sign_in(attacker, "idasilva", password).status_code == 429
    principal = TestClient(app, client=("10.0.0.9", 40000))
    assert _post_sign_in(principal, "idasilva", password).status_code == 303
    # Her success does not forgive the attacker's address.
    assert _post_sign_in(attacker, "idasilva", password).status_code == 429


def test_every_staff_category_and_profile_chooses_its_own_password(
        staffed: tuple[Cli, tuple[Person, ...]]) -> None:
    """A CPE signing in on a printed password was refused the change ("à aucun de vos
    rôles"), so locked out."""
    cli, people = staffed
    passwords, app = _passwords(cli), create_app(cli.home)
    for person in people:
        client = TestClient(app)
        first = _post_sign_in(client, person.login, passwords[person.login])
        assert first.headers["location"] == "/mon-compte", person
        page = client.get("/mon-compte").text
        chosen = passwords[person.login] + CHOSEN
        changed = client.post("/mon-compte", data={"actuel": passwords[person.login],
                                                   "nouveau": chosen, "confirmation": chosen,
                                                   "csrf": _csrf(page)})
        assert "Votre mot de passe est changé" in changed.text, (person, changed.text)


def test_the_principal_is_told_of_a_reset_of_her_password(school: Cli) -> None:
    passwords, app = _passwords(school), create_app(school.home)
    principal = TestClient(app)
    _sign_in(principal, "idasilva", passwords["idasilva"])
    assert "réinitialisé par" not in principal.get("/").text
    assert school("delegation", "grant", "jlegoff", "Réinitialiser les mots de passe",
                  "--by", "idasilva").exit_code == 0
    rrupn = TestClient(app)
    csrf = _sign_in(rrupn, "jlegoff", passwords["jlegoff"])
    refused = rrupn.post("/mots-de-passe/reinitialiser", data={"identifiant": "idasilva",
                                                               "csrf": csrf})
    assert refused.status_code == 403 and "(direction)" in html.unescape(refused.text)
    assert "idasilva" not in rrupn.get("/mots-de-passe", params={"q": "silva"}).text
    add_operator(school)
    operator = TestClient(app)
    csrf = sign_in_operator(operator)
    reset = operator.post("/mots-de-passe/reinitialiser", data={"identifiant": "idasilva",
                                                                "csrf": csrf})
    new = html.unescape(reset.text).split('class="secret">')[1].split("</span>")[0]
    assert _signed_out(principal)
    again = TestClient(app)
    _sign_in(again, "idasilva", new)
    assert "Le mot de passe de idasilva (direction) a été réinitialisé par" in html.unescape(
        again.get("/").text)
    assert "réinitialisé par" not in rrupn.get("/").text  # told to the direction only


def test_a_token_made_for_an_eleve_is_refused_during_the_closure(school: Cli) -> None:
    """Tokens are checked like sessions: the closure (and an account's state) on every call."""
    closed = datetime(2026, 8, 26, 10, tzinfo=SCHOOL_TIMEZONE)
    api = TestClient(create_app(school.home, clock=lambda: closed))
    eleve = {"Authorization": "Bearer " + _token_of(school, "lmartin", ["lecture"], "ancien")}
    refused = api.get("/api/v1/comptes", headers=eleve)
    assert refused.status_code == 401 and "fermeture rentrée" in refused.json()["detail"]
    staff = {"Authorization": "Bearer " + _token_of(school, "cdurand", ["lecture"], "prof")}
    assert api.get("/api/v1/comptes", headers=staff).status_code == 200
