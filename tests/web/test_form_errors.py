"""A refused form is shown again with its reason inside it and what was typed kept (the
identifiant, never a password): the sign-in, Mon compte, a review decision."""

from __future__ import annotations

import html

from tests.conftest import Cli, Files
from tests.web.test_console import _client, _csrf, _passwords, _sign_in
from tests.web.test_review_web import _conflict


def test_a_wrong_password_is_said_in_the_sign_in_form(school: Cli) -> None:
    client = _client(school.home)
    form = client.get("/connexion").text
    wrong = client.post("/connexion", data={"identifiant": "cdurand", "mot_de_passe": "faux",
                                            "csrf": _csrf(form)})
    assert wrong.status_code == 401
    text = html.unescape(wrong.text)
    assert '<div class="form-error" role="alert">' in text and "<h1>Connexion</h1>" in text
    assert 'value="cdurand"' in text and "faux" not in text
    again = client.post("/connexion", follow_redirects=False, data={
        "identifiant": "cdurand", "mot_de_passe": _passwords(school)["cdurand"],
        "csrf": _csrf(wrong.text)})
    assert again.status_code == 303  # the form shown again signs in


def test_mon_compte_says_what_is_wrong_in_its_form(school: Cli) -> None:
    client = _client(school.home)
    csrf = _sign_in(client, "cdurand", _passwords(school)["cdurand"])
    differ = client.post("/mon-compte", data={"actuel": "x", "nouveau": "Abcdefgh-12345",
                                              "confirmation": "Abcdefgh-12346", "csrf": csrf})
    assert differ.status_code == 400
    text = html.unescape(differ.text)
    assert "Les deux saisies du nouveau mot de passe diffèrent : rien n'a changé." in text
    assert '<form method="post" action="/mon-compte">' in text and "Abcdefgh" not in text
    wrong = client.post("/mon-compte", data={"actuel": "pas-le-bon", "nouveau": "Abcdefgh-12345",
                                             "confirmation": "Abcdefgh-12345", "csrf": csrf})
    assert wrong.status_code == 400
    assert "Le mot de passe actuel n'est pas le bon" in html.unescape(wrong.text)


def test_a_refused_review_decision_is_said_in_its_case(school: Cli, files: Files) -> None:
    _conflict(school, files)
    client = _client(school.home)
    csrf = _sign_in(client, "idasilva", _passwords(school)["idasilva"])
    refused = client.post("/revue/decision", data={"csrf": csrf, "numero": "1",
                                                  "decision": "annuler"})
    assert refused.status_code == 400
    text = html.unescape(refused.text)
    form = text.split("<h2>Cas 1 ·")[1]
    assert "Le cas 1 n'a pas de décision à annuler." in form.split("</form>")[0]
