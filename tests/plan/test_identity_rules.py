"""The identity table, row by row: each situation below is decided by exactly the row named."""

from __future__ import annotations

from datetime import date

import pytest

from bascule.plan.desired import DesiredPerson
from bascule.plan.evidence import fold_name, gather_evidence
from bascule.plan.identity_rules import NAMESAKE_ELSEWHERE, RULES, decide
from bascule.plan.model import Decision, Identity, KnownPerson, PersonKind, SourceId

ELEVE, STAFF, RESPONSABLE = PersonKind.ELEVE, PersonKind.STAFF, PersonKind.RESPONSABLE
LEA = ("MARTIN", "Léa", date(2013, 3, 14))
HUGO = ("DUBOIS", "Hugo", date(2013, 2, 2))


def _identity(who: tuple[str, str, date | None], birth_name: str | None = None) -> Identity:
    last, first, born = who
    return Identity(last_name=last, birth_name=birth_name, first_name=first, birth_date=born,
                    email=None, function=None, profile="eleve")


def newcomer(who: tuple[str, str, date | None], *ids: tuple[str, str], kind: PersonKind = ELEVE,
             foreign_elenoet: str | None = None, services: frozenset[str] = frozenset(),
             birth_name: str | None = None) -> DesiredPerson:
    children = frozenset({"eleve:1000001"}) if kind is RESPONSABLE else frozenset()
    return DesiredPerson(ref="x", kind=kind, source_ids=frozenset(SourceId(*i) for i in ids),
                         identity=_identity(who, birth_name), foreign_elenoet=foreign_elenoet,
                         services=services, children=children)


def known(who: tuple[str, str, date | None], *ids: tuple[str, str], kind: PersonKind = ELEVE,
          school: str | None = None, birth_name: str | None = None) -> KnownPerson:
    return KnownPerson(key="k", kind=kind, source_ids=frozenset(SourceId(*i) for i in ids),
                       identity=_identity(who, birth_name), account=None, school=school)


def _children(extra: dict[str, object]) -> tuple[frozenset[str], frozenset[str]]:
    """`child`: True, a child in common; False, each their own; absent, none known."""
    if "child" not in extra:
        return frozenset(), frozenset()
    return frozenset({"eleve:1000001"}), frozenset({"eleve:1000001" if extra["child"]
                                                    else "eleve:1000077"})


NO_BIRTH = ("LEROY", "Anne", None)
ANNE = ("LEROY", "Anne", date(1980, 5, 1))
AYA = ("MARTIN", "Aya", None)  # a responsable: MME MARTIN Aya, née BOUCHER
ETIENNE = ("BOUCHER", "Étienne", None)  # M. BOUCHER Étienne: the first name and the children
ROWS = [
    ("deux INE différents, même ELEVE_ID (ou ELENOET, jointure AAF), nom ou naissance commun",
     newcomer(LEA, ("ine", "1234567809A"), ("eleve_id", "145778")),  # one character changed
     known(LEA, ("ine", "1234567890A"), ("eleve_id", "145778")), {}),
    ("deux INE différents, même ELEVE_ID (ou ELENOET, jointure AAF), nom ou naissance commun",
     newcomer(("MARTIN", "Léa", date(2013, 3, 15)), ("ine", "1234567809A"), ("elenoet", "2643")),
     known(LEA, ("ine", "1234567890A"), ("elenoet", "2643")), {}),
    ("deux INE différents : deux personnes",  # identity-elenoet-carried, with an own ELENOET
     newcomer(HUGO, ("ine", "0987654321Z"), ("elenoet", "2643"), ("eleve_id", "151002")),
     known(LEA, ("ine", "1234567890A"), ("elenoet", "2643"), ("eleve_id", "145778")), {}),
    ("deux INE différents : deux personnes",  # one ELEVE_ID, but nothing else of one person
     newcomer(HUGO, ("ine", "0987654321Z"), ("eleve_id", "145778")),
     known(LEA, ("ine", "1234567890A"), ("eleve_id", "145778")), {}),
    ("deux INE différents : deux personnes",  # the same names and birth date, no id in common
     newcomer(LEA, ("ine", "0987654321Z"), ("eleve_id", "151002")),
     known(LEA, ("ine", "1234567890A"), ("eleve_id", "145778")), {}),
    ("identifiant commun, mais date de naissance et nom différents",
     newcomer(HUGO, ("ine", "1234567890A"), ("eleve_id", "151002")),
     known(LEA, ("ine", "1234567890A"), ("eleve_id", "145778")), {}),
    ("identifiant commun, mais date de naissance et nom différents",  # an own ELENOET, no INE
     newcomer(HUGO, ("elenoet", "2643")), known(LEA, ("elenoet", "2643")), {}),
    ("même INE, venu d'un autre collège du dossier, même personne",
     newcomer(LEA, ("ine", "071818181RR"), ("eleve_id", "601801")),
     known(LEA, ("ine", "071818181RR"), ("eleve_id", "101801"), school="0860999U"), {}),
    ("même INE, venu d'un autre collège du dossier, nom ou naissance différent",
     newcomer(("MARTIN", "Léa", date(2013, 3, 15)), ("ine", "071818181RR")),
     known(LEA, ("ine", "071818181RR"), school="0860999U"), {}),
    ("même INE, mais prénom différent, ou autre ELEVE_ID et nom ou naissance différent",
     newcomer(("MARTIN", "Léo", date(2013, 3, 14)), ("ine", "1234567890A"),
              ("eleve_id", "151002")),  # a twin given his sister's INE
     known(LEA, ("ine", "1234567890A"), ("eleve_id", "145778")), {}),
    ("même INE, mais prénom différent, ou autre ELEVE_ID et nom ou naissance différent",
     newcomer(("MARTIN", "Léo", date(2013, 3, 14)), ("ine", "1234567890A"),
              ("eleve_id", "145778")),  # one record, another first name: asked
     known(LEA, ("ine", "1234567890A"), ("eleve_id", "145778")), {}),
    ("même INE, mais prénom différent, ou autre ELEVE_ID et nom ou naissance différent",
     newcomer(("MARTIN", "Léa-Marie", date(2013, 3, 14)), ("ine_bea", "1234567890A")),
     known(LEA, ("ine", "1234567890A")), {}),  # a first name changed: rare, asked
    ("même INE, mais prénom différent, ou autre ELEVE_ID et nom ou naissance différent",
     newcomer(("MARTIN", "Léa", date(2013, 3, 15)), ("ine", "1234567890A"),
              ("eleve_id", "151002")),  # another record, another birth date
     known(LEA, ("ine", "1234567890A"), ("eleve_id", "145778")), {}),
    ("même INE, mais prénom différent, ou autre ELEVE_ID et nom ou naissance différent",
     newcomer(("MARTIN", "Lea", date(2013, 3, 14)), ("ine", "1234567890A"),
              ("eleve_id", "151002")),  # another record, the name written otherwise
     known(LEA, ("ine", "1234567890A"), ("eleve_id", "145778")), {}),
    ("même INE",
     newcomer(("MARTIN-DUBOIS", "Léa", date(2013, 3, 14)), ("ine_bea", "1234567890A")),
     known(LEA, ("ine", "1234567890A")), {}),
    ("même INE",  # re-registered under a new ELEVE_ID, every other attribute the same
     newcomer(LEA, ("ine", "1234567890A"), ("eleve_id", "151002")),
     known(LEA, ("ine", "1234567890A"), ("eleve_id", "145778")), {}),
    ("même INE",  # the birth date corrected on the same record
     newcomer(("MARTIN", "Léa", date(2013, 3, 15)), ("ine", "1234567890A"),
              ("eleve_id", "145778")),
     known(LEA, ("ine", "1234567890A"), ("eleve_id", "145778")), {}),
    ("même ELEVE_ID (ou identifiant STS epp, de la liste locale, jointure AAF), mais prénom "
     "différent",  # newcomer-9 #2: the INE missing from the export, a boy's record a girl's
     newcomer(("GAUTHIER", "Clara", date(2014, 5, 2)), ("eleve_id", "1000005")),
     known(("GAUTHIER", "Mohamed", date(2014, 5, 2)), ("eleve_id", "1000005"),
           ("ine", "7700479117C")), {}),
    ("même ELEVE_ID (ou identifiant STS epp, de la liste locale, jointure AAF), mais prénom "
     "différent",
     newcomer(("DURAND", "Marc", None), ("sts_epp", "8949"), kind=STAFF),
     known(("DURAND", "Claire", None), ("sts_epp", "8949"), kind=STAFF), {}),
    ("même ELEVE_ID (ou identifiant STS epp, de la liste locale, jointure AAF), mais prénom "
     "différent",
     newcomer(("MARTIN", "Hugo", date(2013, 3, 14)), ("aaf", "1234567")),
     known(LEA, ("aaf", "1234567")), {}),
    ("même ELEVE_ID", newcomer(("BERNARD", "Léa", date(2013, 3, 14)), ("eleve_id", "145778")),
     known(LEA, ("eleve_id", "145778")), {}),
    ("même ELEVE_ID",  # the first name only folded otherwise: the same first name
     newcomer(("BERNARD", "LEA", date(2013, 3, 14)), ("eleve_id", "145778")),
     known(LEA, ("eleve_id", "145778")), {}),
    ("même identifiant STS epp (ou de la liste locale)",
     newcomer(("DURAND-LÉGER", "Claire", None), ("sts_epp", "8949"), kind=STAFF),
     known(("DURAND", "Claire", None), ("sts_epp", "8949"), kind=STAFF), {}),
    ("même jointure AAF (ENTPersonJointure)",
     newcomer(("MARTIN", "Léa", date(2013, 3, 14)), ("aaf", "1234567")),
     known(LEA, ("aaf", "1234567"), ("eleve_id", "145778")), {}),
    ("même PERSONNE_ID, mais nom et prénom tous deux différents",
     newcomer(("MOREAU", "Sylvie", None), ("personne_id", "2000621"), kind=RESPONSABLE),
     known(("BÉNARD", "Clément", None), ("personne_id", "2000621"), kind=RESPONSABLE), {}),
    ("même PERSONNE_ID, mais prénom différent",  # the usage name became the birth name's
     newcomer(ETIENNE, ("personne_id", "2000004"), kind=RESPONSABLE),
     known(AYA, ("personne_id", "2000004"), kind=RESPONSABLE, birth_name="BOUCHER"),
     {"child": False}),
    ("même PERSONNE_ID, mais prénom différent",  # even with a child in common
     newcomer(("MARTIN", "Paul", None), ("personne_id", "2000001"), kind=RESPONSABLE),
     known(("MARTIN", "Pauline", None), ("personne_id", "2000001"), kind=RESPONSABLE),
     {"child": True}),
    ("même PERSONNE_ID, mais nom différent et aucun enfant en commun",
     newcomer(("GAUTHIER", "Raphaël", None), ("personne_id", "2000017"), kind=RESPONSABLE),
     known(("LEFEBVRE", "Raphaël", None), ("personne_id", "2000017"), kind=RESPONSABLE),
     {"child": False}),
    ("même PERSONNE_ID",  # a married name: the last name changed, the first name the same
     newcomer(("MOREAU", "Sylvie", None), ("personne_id", "2000621"), kind=RESPONSABLE),
     known(("BÉNARD", "Sylvie", None), ("personne_id", "2000621"), kind=RESPONSABLE),
     {"child": True}),
    ("même PERSONNE_ID",  # a married name, children not known in the directory
     newcomer(("MOREAU", "Sylvie", None), ("personne_id", "2000621"), kind=RESPONSABLE),
     known(("BÉNARD", "Sylvie", None), ("personne_id", "2000621"), kind=RESPONSABLE), {}),
    ("même PERSONNE_ID",  # a new child only: the elder left, the younger arrives
     newcomer(("MARTIN", "Paul", None), ("personne_id", "2000001"), kind=RESPONSABLE),
     known(("MARTIN", "Paul", None), ("personne_id", "2000001"), kind=RESPONSABLE),
     {"child": False}),
    ("même PERSONNE_ID",  # an accent fixed, and a new child only
     newcomer(("MARTIN", "Hélène", None), ("personne_id", "2000001"), kind=RESPONSABLE),
     known(("MARTIN", "Helene", None), ("personne_id", "2000001"), kind=RESPONSABLE),
     {"child": False}),
    ("même PERSONNE_ID", newcomer(("MARTIN", "Paul", None), ("personne_id", "2000001"),
                                  kind=RESPONSABLE),
     known(("MARTINE", "Paul", None), ("personne_id", "2000001"), kind=RESPONSABLE), {}),
    ("même ELENOET de l'établissement, même nom et même date de naissance",
     newcomer(LEA, ("elenoet", "2643"), ("eleve_id", "2")),
     known(LEA, ("elenoet", "2643"), ("eleve_id", "1")), {}),
    ("même ELENOET de l'établissement, nom ou date de naissance différent",
     newcomer(("MARTIN", "Léa", date(2013, 3, 15)), ("elenoet", "2643"), ("eleve_id", "2")),
     known(LEA, ("elenoet", "2643"), ("eleve_id", "1")), {}),
    ("même identifiant STS local et même nom",
     newcomer(NO_BIRTH, ("sts_local", "12"), kind=STAFF),
     known(NO_BIRTH, ("sts_local", "12"), kind=STAFF), {}),
    ("identifiant STS local devenu epp, même nom, même naissance ou mêmes services",
     newcomer(NO_BIRTH, ("sts_epp", "8949"), kind=STAFF, services=frozenset({"D:4A/MATHS"})),
     known(NO_BIRTH, ("sts_local", "12"), kind=STAFF), {"services": {"D:4A/MATHS"}}),
    ("identifiant STS local devenu epp, même nom, même naissance ou mêmes services",
     newcomer(ANNE, ("sts_epp", "8949"), kind=STAFF),
     known(ANNE, ("sts_local", "12"), kind=STAFF), {}),
    ("identifiant STS local devenu epp, même nom, rien d'autre pour confirmer",
     newcomer(ANNE, ("sts_epp", "8949"), kind=STAFF),
     known(NO_BIRTH, ("sts_local", "12"), kind=STAFF), {}),
    (NAMESAKE_ELSEWHERE,  # newcomer-9 #11: no INE in B's export, A's élève has one
     newcomer(LEA, ("eleve_id", "601801")),
     known(LEA, ("ine", "071818181RR"), ("eleve_id", "101801"), school="0860999U"), {}),
    (NAMESAKE_ELSEWHERE,  # accents and case folded, and no INE on either side: still asked
     newcomer(("Martin", "LEA", date(2013, 3, 14)), ("eleve_id", "601801")),
     known(LEA, ("eleve_id", "101801"), school="0860999U"), {}),
    ("même nom et même date de naissance",
     newcomer(("Martin", "LÉA", date(2013, 3, 14)), ("eleve_id", "2")),
     known(LEA, ("eleve_id", "1")), {}),
    ("personnel : même nom sans date de naissance, mais identifiants différents",
     newcomer(NO_BIRTH, ("csv", "L00099"), kind=STAFF),  # the local list against STS local
     known(NO_BIRTH, ("sts_local", "10021"), kind=STAFF), {}),
    ("personnel : même nom sans date de naissance, mais identifiants différents",
     newcomer(NO_BIRTH, ("csv", "L00099"), kind=STAFF),  # two lines of the local list
     known(NO_BIRTH, ("csv", "L00012"), kind=STAFF), {}),
    ("personnel : même nom sans date de naissance, mais identifiants différents",
     newcomer(NO_BIRTH, ("aaf", "AS1234"), kind=STAFF),  # two jointures AAF
     known(NO_BIRTH, ("aaf", "AS9999"), kind=STAFF), {}),
    ("personnel : même nom sans date de naissance, mais identifiants différents",
     newcomer(NO_BIRTH, ("sts_local", "15"), kind=STAFF),  # an epp become local
     known(NO_BIRTH, ("sts_epp", "8949"), kind=STAFF), {}),
    ("personnel : même nom, pas de date de naissance à comparer",
     newcomer(NO_BIRTH, ("aaf", "AS1234"), kind=STAFF),
     known(NO_BIRTH, ("sts_local", "12"), kind=STAFF), {}),
    ("personnel : même nom sans date de naissance, autre identifiant STS local, aucune "
     "division ni aucun groupe enseignés en commun",  # newcomer-9 #3: nothing confirms
     newcomer(NO_BIRTH, ("sts_local", "10031"), kind=STAFF, services=frozenset({"D:5B/MATHS"})),
     known(NO_BIRTH, ("sts_local", "10021"), kind=STAFF),
     {"services": {"D:6A/MATHS", "D:6B/MATHS"}}),
    ("personnel : même nom sans date de naissance, autre identifiant STS local, aucune "
     "division ni aucun groupe enseignés en commun",  # no services to compare either
     newcomer(NO_BIRTH, ("sts_local", "15"), kind=STAFF),
     known(NO_BIRTH, ("sts_local", "12"), kind=STAFF), {}),
    ("personnel : même nom, pas de date de naissance à comparer",  # STS gives local ids anew:
     newcomer(NO_BIRTH, ("sts_local", "15"), kind=STAFF,  # the same service confirms
              services=frozenset({"D:6A/MATHS"})),
     known(NO_BIRTH, ("sts_local", "12"), kind=STAFF), {"services": {"D:6A/MATHS"}}),
    ("personnel : même nom, pas de date de naissance à comparer",  # a division in common too,
     newcomer(NO_BIRTH, ("sts_local", "15"), kind=STAFF,  # another subject taught there
              services=frozenset({"D:6A/SVT", "D:5B/SVT"})),
     known(NO_BIRTH, ("sts_local", "12"), kind=STAFF), {"services": {"D:6A/MATHS"}}),
    ("nom proche (accents, tirets, espaces) et même date de naissance",
     newcomer(("MARTIN", "Lena Marie", date(2013, 3, 14)), ("eleve_id", "2")),
     known(("MARTIN", "Lena-Marie", date(2013, 3, 14)), ("eleve_id", "1")), {}),
    ("nom proche (accents, tirets, espaces) et même date de naissance",
     newcomer(("PETIT", "Rene", date(2013, 3, 14)), ("eleve_id", "2")),
     known(("PETIT", "René", date(2013, 3, 14)), ("eleve_id", "1")), {}),
    ("responsable : même nom et un enfant en commun",
     newcomer(("MARTIN", "Paul", None), ("personne_id", "3000009"), kind=RESPONSABLE),
     known(("MARTIN", "Paul", None), ("personne_id", "2000001"), kind=RESPONSABLE),
     {"child": True}),
    ("aucune correspondance",  # a foreign ELENOET is no id: identity-elenoet-carried
     newcomer(HUGO, ("eleve_id", "151002"), foreign_elenoet="2643"),
     known(LEA, ("elenoet", "2643"), ("eleve_id", "145778")), {}),
    ("aucune correspondance",  # twins: same last name and birth date, other first name
     newcomer(("MARTIN", "Léo", date(2013, 3, 14)), ("eleve_id", "2")),
     known(LEA, ("eleve_id", "1")), {}),
]


@pytest.mark.parametrize(("row", "person", "candidate", "extra"), ROWS,
                         ids=[f"{i}-{row[0][:40]}" for i, row in enumerate(ROWS)])
def test_each_situation_is_decided_by_its_row(row: str, person: DesiredPerson,
                                              candidate: KnownPerson,
                                              extra: dict[str, object]) -> None:
    evidence = gather_evidence(person, candidate,
                               frozenset(extra.get("services", ())),  # type: ignore[arg-type]
                               _children(extra))
    decision, rule, _rank = decide(evidence)
    assert rule.name == row
    assert decision is rule.decision


def test_every_row_of_the_table_has_a_situation() -> None:
    assert {rule.name for rule in RULES} == {row for row, *_ in ROWS}


def test_no_id_ever_joins_a_person_whose_birth_date_and_names_both_differ() -> None:
    for scheme in ("ine", "eleve_id", "elenoet", "sts_epp", "personne_id"):
        evidence = gather_evidence(newcomer(HUGO, (scheme, "1")), known(LEA, (scheme, "1")))
        assert decide(evidence)[0] is Decision.CONFLICT, scheme


def test_names_fold_case_accents_hyphens_spaces_and_apostrophes() -> None:
    assert fold_name("Lena Marie") == fold_name("lena-marie") == "lenamarie"
    assert fold_name("René") == fold_name("RENE")
    assert fold_name("N'Diaye") == fold_name("N DIAYE") == fold_name("N’DIAYE")


def test_a_usage_name_matches_a_birth_name() -> None:
    married = DesiredPerson(
        ref="x", kind=ELEVE, source_ids=frozenset(),
        identity=Identity(last_name="DUPONT", birth_name="MARTIN", first_name="Léa",
                          birth_date=LEA[2], email=None, function=None, profile="eleve"))
    assert decide(gather_evidence(married, known(LEA)))[1].name == (
        "même nom et même date de naissance")


def test_the_readme_shows_every_row_of_the_table() -> None:
    from pathlib import Path

    readme = (Path(__file__).parents[2] / "README.md").read_text(encoding="utf-8")
    assert all(f"| {rule.name} |" in readme for rule in RULES)
