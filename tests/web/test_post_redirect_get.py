"""POST → redirect → GET (issue 17): no console form answers a state change with a page of
its own, which a reload would post again; every POST of the gates table, made by the
principal with the matrix's samples and with samples that succeed, answers a redirect (303)
or a refusal, never 200."""

from __future__ import annotations

from fastapi.testclient import TestClient

from bascule.web.access import GATES
from bascule.web.app import create_app
from tests.conftest import Cli
from tests.web.conftest import Person
from tests.web.test_console import _passwords, _sign_in
from tests.web.test_matrix import SAMPLES

# Samples that succeed, beside the matrix's (which often meet the operation's refusal).
SUCCEEDING: dict[str, dict[str, str]] = {
    "/mots-de-passe/reinitialiser": {"identifiant": "temery"},
    "/mots-de-passe/structure": {"code": "6A", "nombre": "3"},
    "/comptes/reimpression": {"code": "5 B/1"},
    "/sessions/fermer": {"identifiant": "temery"},
    "/pilotage/autorisations": {"identifiant": "cdurand", "delegation": "Gestionnaire de l'ENT",
                                "accorder": "oui"},
}


def _post(client: TestClient, path: str, data: dict[str, object], csrf: str) -> int:
    answer = client.post(path, data={**data, "csrf": csrf}, follow_redirects=False)
    return answer.status_code


def test_no_form_answers_a_state_change_with_a_page(
        staffed: tuple[Cli, tuple[Person, ...]]) -> None:
    cli, people = staffed
    principal = people[0]
    client = TestClient(create_app(cli.home))
    csrf = _sign_in(client, principal.login, _passwords(cli)[principal.login])
    forms = [gate.path for gate in GATES if gate.method == "POST" and not gate.api
             and "{" not in gate.path and gate.path not in ("/connexion", "/deconnexion")]
    samples = {path: dict(SAMPLES.get(("POST", path), {}).get("data", {}))  # type: ignore
               for path in forms}
    answered = {path: _post(client, path, samples[path], csrf) for path in forms}
    assert [path for path, status in answered.items() if status == 200] == []
    done = {path: _post(client, path, data, csrf) for path, data in SUCCEEDING.items()}
    assert done == dict.fromkeys(SUCCEEDING, 303)
