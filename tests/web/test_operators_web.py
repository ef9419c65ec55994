"""The département's operators in the console (issue 21): their own sign-in, a session tied
to no person of a school, with the operator's role only (the policy decides their menu, pages
and actions), the school they look at chosen among the console's, and sessions that end as the
others do (sign-out, expiry, password change, removal), with the same CSRF and throttle."""

from __future__ import annotations

import html
import json
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from httpx2 import Response

from bascule.cli.app import app as cli_app
from bascule.domain.labels import NIGHT_OUTCOMES
from bascule.operations.campaign import utc_now
from bascule.store.sessions import SESSION_SECONDS
from bascule.web.app import create_app
from bascule.web.security import FREE_FAILURES
from tests.conftest import UAI, Cli
from tests.web.test_console import _csrf

OPERATOR, PASSWORD = "jdupont", "Tr3s-solide!pass"
OTHER_UAI = "0861234K"


def add_operator(cli: Cli, login: str = OPERATOR, password: str = PASSWORD) -> None:
    done = cli.runner.invoke(cli_app, ["--home", str(cli.home), "operator", "add", login,
                                       "--nom", "Jean Dupont", "--password-stdin"],
                             input=password + "\n")
    assert done.exit_code == 0, done.output


def post_operator_sign_in(client: TestClient, login: str = OPERATOR,
                          password: str = PASSWORD, **form: str) -> Response:
    token = _csrf(client.get("/connexion/operateur").text)
    return client.post("/connexion/operateur", follow_redirects=False, data={
        "identifiant": login, "mot_de_passe": password, "csrf": token, **form})


def sign_in_operator(client: TestClient, **form: str) -> str:
    """Signed in as the operator; the session's CSRF token."""
    answer = post_operator_sign_in(client, **form)
    assert answer.status_code == 303, answer.text
    return _csrf(client.get(answer.headers["location"]).text)


@pytest.fixture
def operated(school: Cli) -> Cli:
    add_operator(school)
    return school


def _signed_out(client: TestClient) -> bool:
    answer = client.get("/nuit", follow_redirects=False)
    return (answer.status_code, answer.headers.get("location")) == (303, "/connexion")


def test_an_operator_signs_in_and_opens_the_night(operated: Cli) -> None:
    client = TestClient(create_app(operated.home))
    answer = post_operator_sign_in(client)
    assert (answer.status_code, answer.headers["location"]) == (303, "/")
    dashboard = client.get("/")
    assert dashboard.status_code == 200 and "Tableau de bord" in dashboard.text
    assert "Jean Dupont (opérateur)" in dashboard.text
    assert 'href="/nuit"' in dashboard.text and 'href="/etablissement"' in dashboard.text
    assert 'href="/mon-compte"' not in dashboard.text  # no account of a school
    night = client.get("/nuit")
    assert night.status_code == 200 and "<h1>Dernière nuit" in night.text
    own = client.get("/mon-compte", follow_redirects=False)
    assert own.status_code == 403 and "n'est permis à aucun de vos rôles" in html.unescape(
        own.text)
    listed = json.loads(operated("operator", "list", "--json").stdout)
    assert listed[0]["last_sign_in_at"] is not None


def test_on_sqlite_the_night_page_shows_the_last_nights_report(operated: Cli) -> None:
    client = TestClient(create_app(operated.home))
    post_operator_sign_in(client)
    before = html.unescape(client.get("/nuit").text)
    assert "<h1>Dernière nuit</h1>" in before and "Aucune nuit n'a encore été lancée" in before
    operated("run", "--at", "2026-09-11T02:30", "--jobs", "1")
    (school,) = json.loads(next((operated.home / "rapports" / "nuits").glob("nuit-*.json"))
                           .read_text(encoding="utf-8"))["schools"]
    after = html.unescape(client.get("/nuit").text)
    assert "Nuit du 11/09/2026, commencée le" in after, after
    assert "nuit-20260911-" in after  # where its full report is
    row = after.split('<table id="rapport">')[1]
    assert f"<td>{UAI}</td>" in row and f"<td>{html.unescape(school['reason'])}</td>" in row
    assert NIGHT_OUTCOMES[school["outcome"]] in row


def test_the_school_sign_in_and_the_operators_are_apart(operated: Cli) -> None:
    client = TestClient(create_app(operated.home))
    school_form = client.get("/connexion").text
    assert 'href="/connexion/operateur"' in school_form
    refused = client.post("/connexion", follow_redirects=False, data={
        "identifiant": OPERATOR, "mot_de_passe": PASSWORD, "csrf": _csrf(school_form)})
    assert refused.status_code == 401  # an operator is nobody of the school
    wrong = post_operator_sign_in(client, password=PASSWORD + "x")
    assert wrong.status_code == 401
    assert "Identifiant d'opérateur ou mot de passe incorrect." in html.unescape(wrong.text)
    assert PASSWORD not in wrong.text
    unknown = post_operator_sign_in(client, login="idasilva")  # a school login is no operator
    assert unknown.status_code == 401
    forged = client.post("/connexion/operateur", follow_redirects=False, data={
        "identifiant": OPERATOR, "mot_de_passe": PASSWORD, "csrf": "faux"})
    assert forged.status_code == 403 and "Formulaire expiré" in html.unescape(forged.text)


def test_failed_operator_sign_ins_are_throttled(operated: Cli,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("bascule.web.security.FIRST_DELAY", 600.0)
    client = TestClient(create_app(operated.home))
    for _ in range(FREE_FAILURES):
        assert post_operator_sign_in(client, password="pas-le-bon").status_code == 401
    answer = post_operator_sign_in(client)  # even the right password waits now
    assert answer.status_code == 429 and "Trop d'essais" in html.unescape(answer.text)


def test_an_operator_picks_a_school_of_the_console(operated: Cli) -> None:
    assert operated("init", "--uai", OTHER_UAI, "--name", "Collège Autre").exit_code == 0
    client = TestClient(create_app(operated.home))
    csrf = sign_in_operator(client, etablissement=UAI)
    picker = client.get("/etablissement")
    assert picker.status_code == 200 and "Collège Autre (0861234K)" in picker.text
    assert client.post("/etablissement", data={"etablissement": OTHER_UAI},
                       follow_redirects=False).status_code == 403  # no CSRF token
    chosen = client.post("/etablissement", data={"etablissement": OTHER_UAI, "csrf": csrf},
                         follow_redirects=False)
    assert (chosen.status_code, chosen.headers["location"]) == (303, "/")
    assert "bascule · Collège Autre" in client.get("/").text
    unknown = client.post("/etablissement", data={"etablissement": "0000000A", "csrf": csrf})
    assert unknown.status_code == 400 and "inconnu de cette console" in html.unescape(
        unknown.text)
    only_ours = TestClient(create_app(operated.home, uai=UAI))
    only_ours.cookies.set("bascule_session", client.cookies["bascule_session"])
    assert _signed_out(only_ours)  # looking at a school that console does not serve


def test_a_school_person_may_not_pick_a_school(school: Cli) -> None:
    from tests.web.test_console import _passwords, _sign_in

    client = TestClient(create_app(school.home))
    csrf = _sign_in(client, "idasilva", _passwords(school)["idasilva"])
    assert 'href="/etablissement"' not in client.get("/").text
    answer = client.post("/etablissement", data={"etablissement": UAI, "csrf": csrf})
    assert answer.status_code == 403


def test_an_operator_acts_under_their_own_name(operated: Cli) -> None:
    client = TestClient(create_app(operated.home))
    csrf = sign_in_operator(client)
    ended = client.post("/sessions/fermer", data={"identifiant": "temery", "csrf": csrf})
    assert ended.status_code == 200 and "session(s) de ÉMERY" in html.unescape(ended.text)
    journal = json.loads(operated("audit", "--json", "--action", "sessions_fermees").stdout)
    assert journal[0]["actor"] == "opérateur:jdupont"


@pytest.mark.parametrize("ending", ["sign-out", "password", "remove", "expiry"])
def test_an_operators_session_ends(operated: Cli, ending: str) -> None:
    clock = [utc_now()]
    app = create_app(operated.home, clock=lambda: clock[0])
    client = TestClient(app)
    csrf = sign_in_operator(client)
    cookie = client.cookies["bascule_session"]
    if ending == "sign-out":
        client.post("/deconnexion", data={"csrf": csrf})
    elif ending == "password":
        assert operated.runner.invoke(cli_app, [
            "--home", str(operated.home), "operator", "password", OPERATOR,
            "--password-stdin"], input=PASSWORD + "2\n").exit_code == 0
    elif ending == "remove":
        assert operated("operator", "remove", OPERATOR).exit_code == 0
    else:
        clock[0] += timedelta(seconds=SESSION_SECONDS + 1)
    thief = TestClient(app)
    thief.cookies.set("bascule_session", cookie)
    assert _signed_out(thief)
    if ending == "remove":
        assert post_operator_sign_in(TestClient(app)).status_code == 401
