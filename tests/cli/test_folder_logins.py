"""EduConnect ids are académie-wide: unique in the whole folder, homonyms' numbers going on from
one school to the other; network logins are each school's (README « Logins and homonyms »).
An id given twice by an earlier version is never renamed: verify and feed educonnect say it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from bascule.store import login_collisions
from tests.conftest import Cli

A, B = "0860999U", "0861001W"


def _eleves_xml(uai: str, year: int, eleves: list[tuple[str, str, str]]) -> str:
    """`eleves`: (ELEVE_ID, NOM, PRÉNOM), all in 6A."""
    rows = "".join(
        f'<ELEVE ELEVE_ID="{eid}"><NOM_DE_FAMILLE>{last}</NOM_DE_FAMILLE><PRENOM>{first}'
        f"</PRENOM><DATE_NAISS>1{index}/03/2014</DATE_NAISS><CODE_SEXE>2</CODE_SEXE>"
        f"<DATE_ENTREE>01/09/{year}</DATE_ENTREE></ELEVE>"
        for index, (eid, last, first) in enumerate(eleves))
    structures = "".join(
        f'<STRUCTURES_ELEVE ELEVE_ID="{eid}"><STRUCTURE><CODE_STRUCTURE>6A</CODE_STRUCTURE>'
        "<TYPE_STRUCTURE>D</TYPE_STRUCTURE></STRUCTURE></STRUCTURES_ELEVE>"
        for eid, _last, _first in eleves)
    return ('<?xml version="1.0" encoding="UTF-8"?><BEE_ELEVES VERSION="3.0"><PARAMETRES>'
            f"<UAJ>{uai}</UAJ><ANNEE_SCOLAIRE>{year}</ANNEE_SCOLAIRE><DATE_EXPORT>01/09/{year}"
            f"</DATE_EXPORT><HORODATAGE>01/09/{year} 07:00:00</HORODATAGE></PARAMETRES>"
            f"<DONNEES><ELEVES>{rows}</ELEVES><OPTIONS/><STRUCTURES>{structures}</STRUCTURES>"
            "</DONNEES></BEE_ELEVES>")


def _responsables_xml(uai: str, year: int,
                      parents: list[tuple[str, str, str, str, str]]) -> str:
    """`parents`: (PERSONNE_ID, NOM, PRÉNOM, MEL, ELEVE_ID of their child), legal level 1."""
    people = "".join(
        f'<PERSONNE PERSONNE_ID="{pid}"><NOM_DE_FAMILLE>{last}</NOM_DE_FAMILLE>'
        f"<PRENOM>{first}</PRENOM><LC_CIVILITE>M.</LC_CIVILITE><MEL>{mail}</MEL></PERSONNE>"
        for pid, last, first, mail, _child in parents)
    links = "".join(
        f"<RESPONSABLE_ELEVE><ELEVE_ID>{child}</ELEVE_ID><PERSONNE_ID>{pid}</PERSONNE_ID>"
        "<RESP_LEGAL>1</RESP_LEGAL><NIVEAU_RESPONSABILITE>1</NIVEAU_RESPONSABILITE>"
        "<CODE_PARENTE>20</CODE_PARENTE></RESPONSABLE_ELEVE>"
        for pid, _last, _first, _mail, child in parents)
    return ('<?xml version="1.0" encoding="UTF-8"?><BEE_RESPONSABLES VERSION="3.0"><PARAMETRES>'
            f"<UAJ>{uai}</UAJ><ANNEE_SCOLAIRE>{year}</ANNEE_SCOLAIRE><DATE_EXPORT>01/09/{year}"
            f"</DATE_EXPORT><HORODATAGE>01/09/{year} 07:00:00</HORODATAGE></PARAMETRES>"
            f"<DONNEES><PERSONNES>{people}</PERSONNES><RESPONSABLES>{links}</RESPONSABLES>"
            "</DONNEES></BEE_RESPONSABLES>")


# Each school: Léa and Lou MARTIN (homonyms for both logins), and a parent Théo D'ALMEIDA with
# the same e-mail in both schools but each school's own PERSONNE_ID.
SCHOOLS = {
    A: ([("1000001", "MARTIN", "Léa"), ("1000002", "MARTIN", "Lou"),
         ("1000003", "D'ALMEIDA", "Inès")],
        [("2000001", "D'ALMEIDA", "Théo", "theo.dalmeida@example.fr", "1000003")]),
    B: ([("1000001", "MARTIN", "Luc"), ("1000002", "MARTIN", "Lina"),
         ("1000003", "D'ALMEIDA", "Noé")],
        [("2000009", "D'ALMEIDA", "Théo", "theo.dalmeida@example.fr", "1000003")]),
}


def _exports(root: Path, uai: str, year: int,
             *more: tuple[str, str, str]) -> Path:
    eleves, parents = SCHOOLS[uai]
    eleves = [*eleves, *more]
    folder = root / f"{uai}-{year}"
    folder.mkdir(parents=True)
    (folder / "ElevesSansAdresses.xml").write_text(_eleves_xml(uai, year, eleves), "utf-8")
    (folder / "ResponsablesAvecAdresses.xml").write_text(
        _responsables_xml(uai, year, parents), "utf-8")
    return folder


def _run(cli: Cli, *args: str | Path) -> str:
    result = cli(*args)
    assert result.exit_code == 0, result.output
    return result.stdout


def _roll(cli: Cli, uai: str, folder: Path, at: str) -> None:
    _run(cli, "import", folder)
    _run(cli, "plan", "--uai", uai, "--at", f"{at}T08:00")
    _run(cli, "apply", "--yes", "--uai", uai, "--at", f"{at}T08:30")


def _accounts(cli: Cli, uai: str) -> list[dict[str, object]]:
    return json.loads(_run(cli, "accounts", "--json", "--uai", uai))  # type: ignore[no-any-return]


def _folder(cli: Cli) -> None:
    _run(cli, "init", "--uai", A, "--name", "Collège A")
    _run(cli, "init", "--uai", B, "--name", "Collège B")


@pytest.mark.parametrize("first", [A, B])
def test_educonnect_ids_are_unique_in_the_folder_whichever_school_comes_first(
        cli: Cli, tmp_path: Path, first: str) -> None:
    _folder(cli)
    second = B if first == A else A
    for uai in (first, second):
        _roll(cli, uai, _exports(tmp_path, uai, 2025), "2025-09-01")
    accounts = {uai: _accounts(cli, uai) for uai in (A, B)}
    educonnect = [a["educonnect"] for uai in (A, B) for a in accounts[uai]]
    assert len(educonnect) == len(set(educonnect)) == 8  # 6 élèves and 2 parents
    ids = {(a["last_name"], a["first_name"]): a["educonnect"] for a in accounts[first]}
    later = {(a["last_name"], a["first_name"]): a["educonnect"] for a in accounts[second]}
    assert sorted(ids.values()) == ["i.dalmeida", "l.martin", "l.martin2", "t.dalmeida"] if (
        first == A) else ["l.martin", "l.martin2", "n.dalmeida", "t.dalmeida"]
    # The second school's homonyms go on with the numbers the first one left.
    assert sorted(v for k, v in later.items() if k[0] == "MARTIN") == ["l.martin3", "l.martin4"]
    assert later[("D'ALMEIDA", "Théo")] == "t.dalmeida2"
    # The network logins are each school's: both have their lmartin and lmartin2.
    for uai in (A, B):
        assert sorted(a["login"] for a in accounts[uai] if a["last_name"] == "MARTIN") == [
            "lmartin", "lmartin2"]


def test_the_next_rollovers_keep_every_id_and_stay_unique(cli: Cli, tmp_path: Path) -> None:
    _folder(cli)
    _roll(cli, A, _exports(tmp_path, A, 2025), "2025-09-01")
    _roll(cli, B, _exports(tmp_path, B, 2025), "2025-09-01")
    before = _ids(cli)
    _roll(cli, B, _exports(tmp_path, B, 2026, ("1000004", "MARTIN", "Lisa")), "2026-09-01")
    _roll(cli, A, _exports(tmp_path, A, 2026, ("1000004", "MARTIN", "Lana")), "2026-09-01")
    after = _ids(cli)
    assert {k: v for k, v in after.items() if k[2] not in ("Lisa", "Lana")} == before
    assert (after[(B, "MARTIN", "Lisa")], after[(A, "MARTIN", "Lana")]) == (
        "l.martin5", "l.martin6")


def _ids(cli: Cli) -> dict[tuple[str, str, str], object]:
    return {(uai, a["last_name"], a["first_name"]): a["educonnect"] for uai in (A, B)
            for a in _accounts(cli, uai)}


def _give_twice(cli: Cli, login: str, instead_of: str) -> None:
    """What a bascule before folder-wide ids did: B's parent given A's parent's id."""
    engine = create_engine(f"sqlite:///{cli.home / 'bascule.sqlite'}")
    with engine.begin() as connection:
        connection.execute(text("UPDATE login SET login = :login WHERE uai = :uai AND "
                                "namespace = 'p.nom' AND login = :old"),
                           {"login": login, "uai": B, "old": instead_of})
    engine.dispose()


def test_an_id_given_twice_before_is_reported_never_renamed(cli: Cli, tmp_path: Path) -> None:
    _folder(cli)
    _roll(cli, A, _exports(tmp_path, A, 2025), "2025-09-01")
    _roll(cli, B, _exports(tmp_path, B, 2025), "2025-09-01")
    # Without a shared id, the parent known in both schools is said, with each own id.
    found = json.loads(_run(cli, "verify", "--json", "--uai", B, "--at", "2025-09-02T08:00"))
    codes = {f["code"]: f for f in found["findings"]}
    assert "educonnect-identifiant-partage" not in codes
    (twin,) = codes["responsable-connu-deux-fois"]["items"]
    assert twin == (f"D'ALMEIDA Théo (t.dalmeida2) ici, et D'ALMEIDA Théo (t.dalmeida) au "
                    f"collège {A} : mêmes nom, prénom et courriel")
    ids = _ids(cli)
    (lmartin,) = [k[2] for k, v in ids.items() if v == "l.martin"]  # in A
    (lmartin3,) = [k[2] for k, v in ids.items() if v == "l.martin3"]  # in B
    _give_twice(cli, "t.dalmeida", instead_of="t.dalmeida2")
    _give_twice(cli, "l.martin", instead_of="l.martin3")

    result = cli("verify", "--json", "--uai", B, "--at", "2025-09-02T08:00")
    assert result.exit_code == 0, result.output  # a warning: nothing bascule may fix alone
    codes = {f["code"]: f for f in json.loads(result.stdout)["findings"]}
    shared = codes["educonnect-identifiant-partage"]
    assert shared["severity"] == "avertissement"
    assert shared["items"] == [
        f"l.martin : MARTIN {lmartin3} (élève, actif) ici, et MARTIN {lmartin} (élève, actif) "
        f"au collège {A}",
        f"t.dalmeida : D'ALMEIDA Théo (responsable, actif) ici, et D'ALMEIDA Théo "
        f"(responsable, actif) au collège {A} — probablement la même personne (mêmes nom, "
        "prénom et courriel)"]
    assert "ne change jamais de lui-même un identifiant" in shared["action"]
    assert "responsable-connu-deux-fois" not in codes  # said once, with the shared id
    seen_from_a = json.loads(_run(cli, "verify", "--json", "--uai", A, "--at",
                                  "2025-09-02T08:00"))
    (from_a,) = [f for f in seen_from_a["findings"]
                 if f["code"] == "educonnect-identifiant-partage"]
    assert from_a["count"] == 2 and from_a["items"][0] == (
        f"l.martin : MARTIN {lmartin} (élève, actif) ici, et MARTIN {lmartin3} (élève, actif) "
        f"au collège {B}")

    feed = cli("feed", "educonnect", "--uai", B, "--out", tmp_path / "feed",
               "--at", "2025-09-02T08:00")
    assert feed.exit_code == 0, feed.output
    assert "Attention : 2 identifiants EduConnect donnés aussi à une autre personne" in (
        feed.stderr)
    assert (f"l.martin : MARTIN {lmartin3} (élève, actif) ici, et MARTIN {lmartin} (élève, "
            f"actif) au collège {A}") in " ".join(feed.stderr.split())
    assert "Attention" not in feed.stdout

    # The next rollover renames no one, and gives no one else an id already taken.
    _roll(cli, B, _exports(tmp_path, B, 2026), "2026-09-01")
    ids = _ids(cli)
    assert (ids[(B, "MARTIN", lmartin3)], ids[(B, "D'ALMEIDA", "Théo")]) == (
        "l.martin", "t.dalmeida")


def test_two_plans_computed_side_by_side_cannot_both_give_an_id(cli: Cli, tmp_path: Path) -> None:
    """Each plan saw the other school without the id; the second apply is refused, whole, and
    its plan computed again gives the next number."""
    _folder(cli)
    for uai in (A, B):
        _run(cli, "import", _exports(tmp_path, uai, 2025))
        _run(cli, "plan", "--uai", uai, "--at", "2025-09-01T08:00")
    _run(cli, "apply", "--yes", "--uai", A, "--at", "2025-09-01T08:30")
    refused = cli("apply", "--yes", "--uai", B, "--at", "2025-09-01T08:31")
    assert refused.exit_code == 1
    said = " ".join(refused.stderr.split())
    assert ("Le plan donne des identifiants EduConnect qu'un autre collège du dossier a donnés "
            "depuis son calcul : l.martin (MARTIN ") in said
    assert "Rien n'a été appliqué." in said
    assert f"Recalculez le plan (bascule plan --uai {B}" in said
    assert "Traceback" not in refused.output
    assert _accounts(cli, B) == []
    _run(cli, "plan", "--uai", B, "--at", "2025-09-01T08:40")
    _run(cli, "apply", "--yes", "--uai", B, "--at", "2025-09-01T08:45")
    ids = [a["educonnect"] for uai in (A, B) for a in _accounts(cli, uai)]
    assert len(ids) == len(set(ids)) == 8


def test_an_apply_looks_its_ids_up_only_when_another_school_applied_since_its_plan(
        cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A plan keeps the other schools' directory versions it read before their ids: when none
    changed, no other school gave an id since, and its apply has nothing to look up (a first
    rollover of a département, school after school, looked up each of the thousands it gave);
    when one did, even a school applied before, its ids are looked up and the apply refused."""
    lookups: list[object] = []
    real_slices = login_collisions.slices
    monkeypatch.setattr(login_collisions, "slices",
                        lambda *args: lookups.append(args) or real_slices(*args))
    _folder(cli)
    _roll(cli, A, _exports(tmp_path, A, 2025), "2025-09-01")
    _roll(cli, B, _exports(tmp_path, B, 2025), "2025-09-02")
    assert lookups == []
    # The next year, both plans computed before either apply: A's apply changes its version.
    for uai in (A, B):
        _run(cli, "import", _exports(tmp_path, uai, 2026, ("1000009", "MARTIN", "Lise")))
        _run(cli, "plan", "--uai", uai, "--at", "2026-09-01T08:00")
    _run(cli, "apply", "--yes", "--uai", A, "--at", "2026-09-01T08:30")
    refused = cli("apply", "--yes", "--uai", B, "--at", "2026-09-01T08:31")
    assert refused.exit_code == 1 and lookups
    assert "depuis son calcul : l.martin5 (MARTIN Lise)" in " ".join(refused.stderr.split())
