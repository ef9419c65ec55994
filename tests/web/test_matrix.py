"""Who may do what, as a test (issue 16): every role signed in, and a token of each scope and of
another school, against every page and API operation, allowed or refused as ONE table says
(bascule.web.access.GATES, each gate asking the policy); the same table is the README's."""

from __future__ import annotations

import html
import json
import re
from datetime import datetime
from pathlib import Path

from fastapi import FastAPI
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from httpx2 import Response

from bascule.domain.policy import PolicyOptions, Role
from bascule.store.engine import open_store
from bascule.store.people import find_person
from bascule.store.tokens import create_token
from bascule.synthetic.generate import GeneratedCollege
from bascule.web.access import GATES, Gate, passes, who_may_do_what
from bascule.web.app import create_app
from bascule.web.pages import ROUTERS
from tests.conftest import ROLLOVER_AT, UAI, Cli
from tests.web.conftest import Person
from tests.web.test_console import _passwords, _sign_in
from tests.web.test_operators_web import add_operator, sign_in_operator

README = Path(__file__).parents[2] / "README.md"
OPERATOR = Person("opérateur du département", "jdupont", frozenset({Role.OPERATEUR}))
REFUSED_BY_POLICY = "n'est permis à aucun de vos rôles"
# One request per gate that the person may make without changing what the next cells see: the
# subjects are never one of the people signed in, and hashes, codes and names are made up, so
# that an allowed request meets the operation's own refusal, never the gate's.
_NOBODY = "0" * 64
SAMPLES: dict[tuple[str, str], dict[str, object]] = {
    ("POST", "/mon-compte"): {"data": {"actuel": "faux", "nouveau": "a", "confirmation": "b"}},
    ("POST", "/sessions/fermer"): {"data": {"identifiant": "temery"}},
    ("POST", "/plan/approuver"): {"data": {"empreinte": _NOBODY}},
    ("POST", "/plan/appliquer"): {"data": {"empreinte": _NOBODY}},
    ("POST", "/mots-de-passe/reinitialiser"): {"data": {"identifiant": "temery"}},
    ("POST", "/mots-de-passe/structure"): {"data": {"code": "ZZZ", "nombre": "1"}},
    ("GET", "/mots-de-passe/structure"): {"params": {"code": "ZZZ"}},
    ("POST", "/comptes/reimpression"): {"data": {"code": "ZZZ"}},
    ("POST", "/pilotage/fermeture"): {"data": {"profil": "eleve", "ouvrir": "oui"}},
    ("POST", "/pilotage/autorisations"): {"data": {"identifiant": "cdurand",
                                                   "delegation": "inconnue", "accorder": "oui"}},
    ("POST", "/api/v1/comptes/{login}/reinitialisation"): {"url": "/api/v1/comptes/temery/"
                                                                  "reinitialisation"},
    ("POST", "/api/v1/comptes/{login}/sessions/fermeture"): {
        "url": "/api/v1/comptes/temery/sessions/fermeture"},
    ("POST", "/api/v1/reinitialisations"): {"json": {"code": "ZZZ"}},
    ("POST", "/api/v1/plan/approbation"): {"json": {"empreinte": _NOBODY}},
    ("POST", "/api/v1/plan/application"): {"json": {"empreinte": _NOBODY}},
    ("POST", "/api/v1/delegations"): {"json": {"identifiant": "cdurand",
                                               "delegation": "inconnue", "accorder": True}},
    ("POST", "/api/v1/fermeture"): {"json": {"profil": "eleve", "ouvrir": True}},
    ("POST", "/etablissement"): {"data": {"etablissement": UAI}},
}
# Tested on their own: the sign-in (test_console, test_sessions, test_operators_web), the
# sign-out (last, below).
_NOT_IN_THE_LOOP = {("GET", "/connexion"), ("POST", "/connexion"), ("POST", "/deconnexion")}


def _ask(client: TestClient, gate: Gate, *, csrf: str = "",
         headers: dict[str, str] | None = None) -> Response:
    sample = dict(SAMPLES.get((gate.method, gate.path), {}))
    url = str(sample.pop("url", gate.path))
    if gate.method == "POST" and not gate.api:
        sample["data"] = {**sample.get("data", {}), "csrf": csrf}  # type: ignore[dict-item]
    return client.request(gate.method, url, headers=headers, follow_redirects=False,
                          **sample)  # type: ignore[arg-type]


def _refused(answer: Response, gate: Gate) -> bool:
    """Refused at the gate: the policy's or the token's scope's refusal (403); the dashboard
    sends whoever may not read it to their own first page instead."""
    if (gate.method, gate.path) == ("GET", "/") and answer.status_code == 303:
        return answer.headers["location"] in ("/mots-de-passe", "/mon-compte")
    text = html.unescape(answer.text)
    return answer.status_code == 403 and (REFUSED_BY_POLICY in text or "portée" in text)


def _check(answer: Response, allowed: bool, who: str, gate: Gate) -> str | None:
    cell = f"{who} × {gate.method} {gate.path}: {answer.status_code}"
    if allowed and (answer.status_code in (401, 429) or _refused(answer, gate)
                    or answer.headers.get("location") == "/connexion"):
        return cell + " refusé, la table dit permis"
    if not allowed and not _refused(answer, gate):
        return cell + " permis, la table dit refusé"
    return None


def test_every_role_on_every_page(staffed: tuple[Cli, tuple[Person, ...]]) -> None:
    cli, people = staffed
    add_operator(cli)  # the département's operator: an account of their own, no school's
    app, passwords, wrong = create_app(cli.home), _passwords(cli), []
    for person in (*people, OPERATOR):
        client = TestClient(app)
        csrf = (sign_in_operator(client) if person is OPERATOR
                else _sign_in(client, person.login, passwords[person.login]))
        for gate in GATES:
            if gate.api or gate.permission is None or (gate.method, gate.path) in _NOT_IN_THE_LOOP:
                continue
            answer = _ask(client, gate, csrf=csrf)
            wrong.append(_check(answer, passes(gate, person.roles), person.name, gate))
        ended = client.post("/deconnexion", data={"csrf": csrf}, follow_redirects=False)
        assert (ended.status_code, ended.headers["location"]) == (303, "/connexion")
    assert [cell for cell in wrong if cell] == []


def _token_of(cli: Cli, login: str, scopes: list[str], name: str) -> str:
    """Made in the store directly: the CLI refuses a token to an élève or a responsable now,
    and such tokens, made before, must still reach nothing."""
    with open_store(f"sqlite:///{cli.home / 'bascule.sqlite'}").begin() as connection:
        holder = find_person(connection, UAI, login)
        return create_token(connection, UAI, name, holder.person_id, scopes, "test",
                            datetime.now().astimezone())


def _api_gates() -> list[Gate]:
    return [gate for gate in GATES if gate.api and gate.permission is not None]


def test_every_token_on_every_api_operation(staffed: tuple[Cli, tuple[Person, ...]]) -> None:
    cli, people = staffed
    api, wrong = TestClient(create_app(cli.home)), []
    every_scope = ["lecture", "mots-de-passe", "pilotage", "plan"]
    holders = [(person.name, person.roles, every_scope, person.login) for person in people]
    principal = people[0]
    holders += [(f"jeton « {scope} » du principal", principal.roles, [scope], principal.login)
                for scope in every_scope]
    for number, (who, roles, scopes, login) in enumerate(holders):
        token = _token_of(cli, login, scopes, f"jeton-{number}")
        for gate in _api_gates():
            answer = _ask(api, gate, headers={"Authorization": f"Bearer {token}"})
            allowed = gate.token_scope in scopes and passes(gate, roles)
            wrong.append(_check(answer, allowed, who, gate))
    assert [cell for cell in wrong if cell] == []


def test_a_token_of_another_school_reaches_nothing(
        staffed: tuple[Cli, tuple[Person, ...]], generated: GeneratedCollege) -> None:
    cli, _people = staffed
    assert cli("init", "--uai", generated.uai, "--name", generated.name).exit_code == 0
    for step in (("import", *sorted(generated.folders[0].iterdir())),
                 ("plan", "--uai", generated.uai, "--at", ROLLOVER_AT),
                 ("apply", "--yes", "--uai", generated.uai, "--at", ROLLOVER_AT)):
        assert cli(*step).exit_code == 0, step
    staff = next(a["login"] for a in json.loads(cli("accounts", "--json", "--uai",
                                                    generated.uai).stdout)
                 if a["profile"] == "direction")
    token = cli("token", "create", "ailleurs", "--pour", staff, "--portee", "lecture",
                "--portee", "mots-de-passe", "--portee", "pilotage", "--portee", "plan",
                "--uai", generated.uai).stdout.strip().splitlines()[-1]
    only_ours = TestClient(create_app(cli.home, uai=UAI))
    for gate in _api_gates():
        answer = _ask(only_ours, gate, headers={"Authorization": f"Bearer {token}"})
        assert answer.status_code == 401, (gate, answer.text)


def _routes(app: FastAPI) -> set[tuple[str, str]]:
    """The pages (their routers, included without a prefix) and the API's operations (its
    OpenAPI document: included routers are not copied into the app's routes)."""
    pages = {(method, route.path) for router in ROUTERS for route in router.routes
             if isinstance(route, APIRoute) for method in route.methods - {"HEAD"}}
    return pages | {(method.upper(), path) for path, operations in app.openapi()["paths"].items()
                    for method in operations}


def test_the_table_names_every_route_and_only_them(school: Cli) -> None:
    assert _routes(create_app(school.home)) == {(gate.method, gate.path) for gate in GATES}


def test_the_readme_shows_the_table() -> None:
    text = README.read_text(encoding="utf-8")
    found = re.search(r"<!-- qui-peut-quoi -->\n(.*?)<!-- /qui-peut-quoi -->", text, re.S)
    assert found, "README: the section between <!-- qui-peut-quoi --> markers is missing"
    assert found.group(1) == who_may_do_what(PolicyOptions()), (
        "README out of date: .venv/bin/python -m bascule.web.access README.md rewrites it")
