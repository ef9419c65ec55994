"""Comptes, Journal and Espaces: filters in French (the label table's words, or the codes), an
unknown value shown beside its field with the allowed ones and what was typed kept; search,
sort and pages by query parameters."""

from __future__ import annotations

import html
import re

from tests.conftest import Cli
from tests.web.test_console import _client, _passwords, _sign_in


def _cells(page: str, column: int) -> list[str]:
    rows = re.findall(r"<tr><td[^>]*>(.*?)</td></tr>", page)
    return [re.split(r"</td><td[^>]*>", row)[column] for row in rows]


def test_accounts_filters_take_french_words(school: Cli) -> None:
    client = _client(school.home)
    _sign_in(client, "idasilva", _passwords(school)["idasilva"])
    page = client.get("/comptes").text
    assert 'placeholder="élève, enseignant…"' in page
    assert 'placeholder="actif, désactivé, supprimé"' in page and 'value="actif"' in page
    eleves = client.get("/comptes", params={"profil": "Élève", "etat": "actif"})
    assert eleves.status_code == 200
    assert set(_cells(eleves.text, 3)) == {"élève"} and len(_cells(eleves.text, 3)) == 4
    by_code = client.get("/comptes", params={"profil": "eleve", "etat": "active"})
    assert _cells(by_code.text, 1) == _cells(eleves.text, 1)
    csv = client.get("/comptes", params={"profil": "vie scolaire", "format": "csv"})
    assert csv.status_code == 200 and csv.headers["content-type"].startswith("text/csv")


def test_an_unknown_filter_is_said_in_the_form(school: Cli) -> None:
    client = _client(school.home)
    _sign_in(client, "idasilva", _passwords(school)["idasilva"])
    wrong = client.get("/comptes", params={"profil": "prof", "division": "6A", "etat": "actif"})
    assert wrong.status_code == 400
    text = html.unescape(wrong.text)
    assert "Profil « prof » : profil inconnu." in text
    assert "Les valeurs possibles sont : élève, responsable, enseignant" in text
    assert 'value="prof"' in text and 'value="6A"' in text  # what was typed, kept
    assert 'aria-invalid="true" aria-describedby="profil-erreur"' in text
    assert _cells(wrong.text, 1) == []
    csv = client.get("/comptes", params={"etat": "parti", "format": "csv"})
    assert csv.status_code == 400 and "État « parti » : état inconnu." in html.unescape(csv.text)
    journal = client.get("/journal", params={"action": "bidule", "acteur": "idasilva"})
    assert journal.status_code == 400
    text = html.unescape(journal.text)
    assert "Action « bidule » : type d'action inconnu." in text and 'value="idasilva"' in text


def test_journal_filter_in_french_and_pages(school: Cli) -> None:
    for _ in range(3):
        assert school("password", "reset", "temery", "--by", "cdurand").exit_code == 0
    client = _client(school.home)
    _sign_in(client, "idasilva", _passwords(school)["idasilva"])
    resets = client.get("/journal", params={"action": "réinitialisation du mot de passe"})
    assert resets.status_code == 200
    assert _cells(resets.text, 2) == ["réinitialisation du mot de passe"] * 3
    everything = client.get("/journal").text
    total = int(re.search(r"Entrées 1 à \d+ sur (\d+)", everything).group(1))  # type: ignore[union-attr]
    assert total > 30
    assert "division ou groupe</td>" in everything  # a structure's fact: nothing after it
    assert "division ou groupe :" not in everything
    newest_first = _cells(everything, 2)
    assert newest_first[0] == "changement de mot de passe"  # the principal's, on signing in
    assert _cells(client.get("/journal", params={"tri": "quand"}).text, 2)[-1] == (
        "changement de mot de passe")
