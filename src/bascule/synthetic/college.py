"""A collège over two school years, as plain values: who is where, who teaches what.

Year Y is built from scratch; year Y+1 evolves from it: 6e->5e->4e->3e promotions (a few
repeat), 3e leave, new 6e arrive, élèves are redistributed into the new divisions, a few leave
or arrive during the year, staff come and go, the local substitute gets a new local id.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from itertools import count

from bascule.domain.school import uai_key
from bascule.synthetic.names import email_of, family_name, first_name

LEVELS = ("6", "5", "4", "3")
MEF_OF_LEVEL = {"6": "10010012110", "5": "10110001110", "4": "10210001110", "3": "10310019110"}
MEF_LABELS = {"10010012110": "6EME", "10110001110": "5EME", "10210001110": "4EME",
              "10310019110": "3EME"}
# (code, gestion, label): every division has the core subjects; groups carry LV2, latin, options.
CORE_SUBJECTS = (
    ("020700", "FRANC", "FRANCAIS"), ("061300", "MATHS", "MATHEMATIQUES"),
    ("040700", "HI-GE", "HISTOIRE-GEOGRAPHIE"), ("030201", "AGL1", "ANGLAIS LV1"),
    ("062900", "SVT", "SCIENCES VIE & TERRE"), ("061800", "PH-CH", "PHYSIQUE-CHIMIE"),
    ("070400", "TECHN", "TECHNOLOGIE"), ("080100", "A-PLA", "ARTS PLASTIQUES"),
    ("080200", "EDMUS", "EDUCATION MUSICALE"), ("100100", "EPS", "ED.PHYSIQUE & SPORT."),
)
GROUP_SUBJECTS = (("030602", "ESP2", "ESPAGNOL LV2"), ("030102", "ALL2", "ALLEMAND LV2"),
                  ("020300", "LCALA", "LCA LATIN"), ("024800", "THEAT", "THEATRE"))
SUBJECTS = CORE_SUBJECTS + GROUP_SUBJECTS


@dataclass(slots=True)
class Family:
    family_id: int
    responsables: list[Responsable]


@dataclass(slots=True)
class Responsable:
    personne_id: int
    civility: str
    last_name: str
    birth_name: str
    first_name: str
    level: int  # NIVEAU_RESPONSABILITE
    parente: str
    email: str | None
    phone: str
    address_id: int


@dataclass(slots=True)
class Eleve:
    eleve_id: int
    elenoet: int
    ine: str | None
    last_name: str
    usage_name: str | None
    first_name: str
    other_first_names: tuple[str, ...]
    birth_date: date
    female: bool
    level: str
    division: str | None
    groups: tuple[str, ...]
    options: tuple[str, ...]
    family: Family
    entry_date: date
    exit_date: date | None = None


@dataclass(slots=True)
class Staff:
    staff_id: int
    type: str  # epp | local
    function: str
    last_name: str
    first_name: str
    female: bool
    birth_date: date | None
    subject: str | None = None
    pp_of: list[str] = field(default_factory=list)


@dataclass(slots=True)
class LocalPerson:
    identifier: str
    last_name: str
    first_name: str
    function: str
    birth_date: date | None
    email: str | None


@dataclass(slots=True)
class StructureService:
    structure: str
    kind: str  # D | G
    subject: str
    teacher: Staff


@dataclass(slots=True)
class Group:
    code: str
    label: str
    subject: str
    parent_divisions: tuple[str, ...]


@dataclass(slots=True)
class CollegeYear:
    uai: str
    name: str
    year: int
    export_date: date
    divisions: dict[str, str]  # code -> level
    groups: list[Group]
    eleves: list[Eleve]
    staff: list[Staff]
    local_people: list[LocalPerson]
    services: list[StructureService]


def college_uai(index: int) -> str:
    digits = f"086{1000 + index:04d}"
    return digits + uai_key(digits)


@dataclass(slots=True)
class Ids:
    """Counters of one collège: ids are unique within it and never reused."""

    eleve: Iterator[int]
    personne: Iterator[int]
    staff: Iterator[int]
    address: Iterator[int]

    @classmethod
    def for_college(cls, index: int) -> Ids:
        return cls(eleve=count(1_000_001 + index * 50_000),
                   personne=count(2_000_001 + index * 100_000),
                   staff=count(10_001 + index * 1_000),
                   address=count(5_000_001 + index * 100_000))


def first_year(index: int, year: int, rng: random.Random, size: int) -> tuple[CollegeYear, Ids]:
    ids = Ids.for_college(index)
    per_level = max(1, size // len(LEVELS))
    export_date = date(year, 9, 15)
    eleves: list[Eleve] = []
    for level in LEVELS:
        eleves.extend(new_eleve(rng, ids, level, year, eleves) for _ in range(per_level))
    staff = _new_staff(rng, ids, year, teachers=max(12, size * 45 // 600))
    college = CollegeYear(
        uai=college_uai(index), name=f"Collège {family_name(rng).title()}", year=year,
        export_date=export_date, divisions={}, groups=[], eleves=eleves, staff=staff,
        local_people=_local_people(rng, index, year), services=[],
    )
    return college, ids


def next_year(previous: CollegeYear, rng: random.Random, ids: Ids) -> CollegeYear:
    year = previous.year + 1
    stayers = [e for e in previous.eleves if e.exit_date is None or e.exit_date > date(year, 7, 4)]
    eleves = []
    for eleve in stayers:
        if eleve.level == "3" and rng.random() > 0.03:
            continue  # 3e leave the collège
        repeats = rng.random() < 0.03
        level = eleve.level if repeats or eleve.level == "3" else str(int(eleve.level) - 1)
        eleves.append(replace(eleve, level=level, division=None, groups=(), options=()))
    per_level = max(1, len(previous.eleves) // len(LEVELS))
    eleves.extend(new_eleve(rng, ids, "6", year, eleves) for _ in range(per_level))
    # Copies, never the previous year's objects: that year stays as it was written.
    staff = [replace(s, pp_of=[]) for s in previous.staff if s.type == "epp" and rng.random() > 0.1]
    staff += _replacements(previous.staff, staff, rng, ids, year)
    college = CollegeYear(
        uai=previous.uai, name=previous.name, year=year, export_date=date(year, 9, 15),
        divisions={}, groups=[], eleves=eleves, staff=staff,
        local_people=previous.local_people, services=[],
    )
    return college


def new_eleve(
    rng: random.Random, ids: Ids, level: str, year: int, others: list[Eleve]
) -> Eleve:
    family = _sibling_family(rng, others) or _new_family(rng, ids)
    female = rng.random() < 0.5
    father = family.responsables[0]
    eleve_id = next(ids.eleve)
    age = 11 + LEVELS.index(level)
    birth = date(year - age, 1, 1) + timedelta(days=rng.randrange(365))
    return Eleve(
        eleve_id=eleve_id, elenoet=eleve_id % 100_000,
        ine=None if rng.random() < 0.01 else _ine(rng),
        last_name=father.birth_name, usage_name=None, first_name=first_name(rng, female),
        other_first_names=tuple(first_name(rng, female) for _ in range(rng.choice((0, 1, 1, 2)))),
        birth_date=birth, female=female, level=level, division=None, groups=(), options=(),
        family=family, entry_date=date(year, 9, 1),
    )


def _ine(rng: random.Random) -> str:
    return f"{rng.randrange(10**9, 10**10)}{rng.choice('ABCDEFGHJKLMNPRSTUVWXYZ')}"


def _sibling_family(rng: random.Random, others: list[Eleve]) -> Family | None:
    if others and rng.random() < 0.12:
        return rng.choice(others).family
    return None


def _new_family(rng: random.Random, ids: Ids) -> Family:
    last = family_name(rng)
    address = next(ids.address)
    people = [_person(rng, ids, last, last, female=False, level=1, parente="20", address=address)]
    if rng.random() < 0.88:
        mother_birth = family_name(rng)
        people.append(_person(rng, ids, last, mother_birth, female=True, level=1, parente="10",
                              address=address if rng.random() < 0.8 else next(ids.address)))
    if rng.random() < 0.15:
        people.append(_person(rng, ids, family_name(rng), None, female=rng.random() < 0.6,
                              level=3, parente=rng.choice(("38", "39", "90")),
                              address=next(ids.address)))
    if rng.random() < 0.02:
        people.append(_person(rng, ids, family_name(rng), None, female=True, level=2,
                              parente="42", address=next(ids.address)))
    return Family(family_id=address, responsables=people)


def _person(
    rng: random.Random, ids: Ids, usage: str, birth: str | None, *, female: bool, level: int,
    parente: str, address: int,
) -> Responsable:
    first = first_name(rng, female)
    return Responsable(
        personne_id=next(ids.personne), civility="MME" if female else "M.",
        last_name=usage, birth_name=birth or usage, first_name=first, level=level,
        parente=parente, email=email_of(first, usage, rng) if rng.random() < 0.7 else None,
        phone=f"06{rng.randrange(10**8):08d}", address_id=address,
    )


def _new_staff(rng: random.Random, ids: Ids, year: int, teachers: int) -> list[Staff]:
    functions = ["DIR", "DIR", "DOC", "EDU", "EDU", "AED", "AED", "AED"]
    staff = [_staff_member(rng, ids, function, year) for function in functions]
    for number in range(teachers):
        member = _staff_member(rng, ids, "ENS", year)
        member.subject = SUBJECTS[number % len(SUBJECTS)][0]
        staff.append(member)
    substitute = _staff_member(rng, ids, "ENS", year, type_="local")
    substitute.subject = CORE_SUBJECTS[0][0]
    return [*staff, substitute]


def _staff_member(
    rng: random.Random, ids: Ids, function: str, year: int, type_: str = "epp"
) -> Staff:
    female = rng.random() < 0.6
    # STS local records often lack the birth date (and the sex and birth name).
    birth = None if type_ == "local" else date(year - rng.randint(24, 63), 1, 1) + timedelta(
        days=rng.randrange(365))
    return Staff(staff_id=next(ids.staff), type=type_, function=function,
                 last_name=family_name(rng), first_name=first_name(rng, female), female=female,
                 birth_date=birth)


def _replacements(
    before: list[Staff], kept: list[Staff], rng: random.Random, ids: Ids, year: int
) -> list[Staff]:
    kept_ids = {member.staff_id for member in kept}
    new = []
    for member in before:
        if member.staff_id not in kept_ids:
            replacement = _staff_member(rng, ids, member.function, year, type_=member.type)
            replacement.subject = member.subject
            new.append(replacement)
    return new


def _local_people(rng: random.Random, index: int, year: int) -> list[LocalPerson]:
    functions = ("ADF", "ADF", "ADF", "LAB", "OUV", "OUV", "OUV", "ADF")
    people = []
    for number, function in enumerate(functions, start=1):
        female = rng.random() < 0.6
        first, last = first_name(rng, female), family_name(rng)
        people.append(LocalPerson(
            identifier=f"L{index:02d}{number:03d}", last_name=last, first_name=first,
            function=function,
            birth_date=date(year - rng.randint(22, 60), rng.randint(1, 12), rng.randint(1, 28)),
            email=email_of(first, last, rng) if rng.random() < 0.5 else None,
        ))
    return people

