"""Each matching rule: ids before names, INE in any field, ambiguity reported, never merged."""

from __future__ import annotations

from datetime import date

from bascule.plan.desired import DesiredPerson
from bascule.plan.matching import match_people
from bascule.plan.model import Identity, KnownPerson, PersonKind, SourceId

ELEVE, STAFF, RESPONSABLE = PersonKind.ELEVE, PersonKind.STAFF, PersonKind.RESPONSABLE


def identity(last: str = "MARTIN", first: str = "Léa", born: date | None = date(2014, 3, 14),
             profile: str = "eleve") -> Identity:
    return Identity(last_name=last, birth_name=None, first_name=first, birth_date=born,
                    email=None, function=None, profile=profile)


def known(key: str, kind: PersonKind = ELEVE, *ids: tuple[str, str],
          **names: object) -> KnownPerson:
    return KnownPerson(key=key, kind=kind, source_ids=frozenset(SourceId(*i) for i in ids),
                       identity=identity(**names), account=None)  # type: ignore[arg-type]


def desired(ref: str, kind: PersonKind = ELEVE, *ids: tuple[str, str],
            children: frozenset[str] = frozenset(), **names: object) -> DesiredPerson:
    return DesiredPerson(ref=ref, kind=kind, source_ids=frozenset(SourceId(*i) for i in ids),
                         identity=identity(**names), children=children)  # type: ignore[arg-type]


def matched(people: list[DesiredPerson], directory: list[KnownPerson],
            children: dict[str, frozenset[str]] | None = None) -> dict[str, str]:
    result = match_people(people, directory, children or {})
    return {ref: person.key for ref, person in result.known.items()}


def test_an_ine_matches_whichever_field_holds_it() -> None:
    directory = [known("k1", ELEVE, ("ine_bea", "0987654321B"), ("eleve_id", "1"))]
    people = [desired("eleve:2", ELEVE, ("ine", "0987654321B"), ("eleve_id", "2"))]
    assert matched(people, directory) == {"eleve:2": "k1"}


def test_a_record_recreated_with_a_new_eleve_id_but_the_same_ine_is_the_same_person() -> None:
    directory = [known("k1", ELEVE, ("ine", "1234567890A"), ("eleve_id", "1"))]
    people = [desired("eleve:9", ELEVE, ("ine", "1234567890A"), ("eleve_id", "9"),
                      first="Léa-Marie")]
    assert matched(people, directory) == {"eleve:9": "k1"}


def test_an_ine_appearing_later_on_a_known_eleve_id_is_the_same_person() -> None:
    directory = [known("k1", ELEVE, ("eleve_id", "1"))]
    people = [desired("eleve:1", ELEVE, ("ine", "1234567890A"), ("eleve_id", "1"))]
    assert matched(people, directory) == {"eleve:1": "k1"}


def test_elenoet_then_name_and_birth_date() -> None:
    directory = [known("k1", ELEVE, ("elenoet", "2643")),
                 known("k2", ELEVE, ("eleve_id", "77"), last="DUPONT", first="Hugo")]
    people = [desired("eleve:1", ELEVE, ("elenoet", "2643"), ("eleve_id", "1")),
              desired("eleve:2", ELEVE, ("eleve_id", "2"), last="Dupont", first="hugo")]
    assert matched(people, directory) == {"eleve:1": "k1", "eleve:2": "k2"}


def test_a_name_never_takes_a_record_an_id_speaks_for() -> None:
    directory = [known("k1", ELEVE, ("eleve_id", "1"))]
    people = [desired("eleve:0", ELEVE, ("eleve_id", "0")),  # same name and birth date
              desired("eleve:1", ELEVE, ("eleve_id", "1"))]
    result = match_people(people, directory, {})
    assert {r: p.key for r, p in result.known.items()} == {"eleve:1": "k1"}
    assert [p.person for p in result.problems] == ["eleve:0"]


def test_two_candidates_are_reported_never_merged() -> None:
    directory = [known("k1", ELEVE, ("eleve_id", "1")), known("k2", ELEVE, ("eleve_id", "2"))]
    people = [desired("eleve:3", ELEVE, ("eleve_id", "3"))]  # same names as both
    result = match_people(people, directory, {})
    assert result.known == {}
    assert result.ambiguous == {"eleve:3"}
    assert "correspond à plusieurs comptes" in result.problems[0].message


def test_staff_by_epp_id_then_name_and_birth_date() -> None:
    directory = [known("s1", STAFF, ("sts_epp", "8949"), last="DURAND", first="Claire"),
                 known("s2", STAFF, ("sts_epp", "100"), last="LE GOFF", first="Jean")]
    people = [desired("staff:epp:8949", STAFF, ("sts_epp", "8949"), last="DURAND-LÉGER",
                      first="Claire"),
              desired("staff:epp:555", STAFF, ("sts_epp", "555"), last="LE GOFF", first="Jean")]
    assert matched(people, directory) == {"staff:epp:8949": "s1", "staff:epp:555": "s2"}


def test_a_local_sts_id_alone_is_not_trusted() -> None:
    directory = [known("s1", STAFF, ("sts_local", "12"), last="FRANÇOIS", first="Loïc",
                       born=None)]
    someone_else = desired("staff:local:12", STAFF, ("sts_local", "12"), last="NOËL",
                           first="Joël", born=None)
    same = desired("staff:local:12", STAFF, ("sts_local", "12"), last="FRANÇOIS",
                   first="Loïc", born=None)
    assert matched([someone_else], directory) == {}
    assert matched([same], directory) == {"staff:local:12": "s1"}


def test_responsable_by_personne_id_then_name_and_a_child_in_common() -> None:
    directory = [known("e1", ELEVE, ("eleve_id", "1")),
                 known("r1", RESPONSABLE, ("personne_id", "2000001"), last="MARTIN",
                       first="Paul", born=None)]
    people = [desired("eleve:1", ELEVE, ("eleve_id", "1")),
              desired("responsable:3000009", RESPONSABLE, ("personne_id", "3000009"),
                      children=frozenset({"eleve:1"}), last="MARTIN", first="Paul", born=None)]
    assert matched(people, directory, {"r1": frozenset({"e1"})}) == {
        "eleve:1": "e1", "responsable:3000009": "r1"}
    assert "responsable:3000009" not in matched(people, directory, {})
