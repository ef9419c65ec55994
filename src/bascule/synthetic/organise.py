"""A year's organisation: divisions, groups across divisions, services, PP, and life during it."""

from __future__ import annotations

import math
import random
import string
from dataclasses import replace
from datetime import timedelta

from bascule.synthetic.college import (
    CORE_SUBJECTS,
    LEVELS,
    CollegeYear,
    Eleve,
    Group,
    Ids,
    Staff,
    StructureService,
    new_eleve,
)

DIVISION_SIZE = 26


def division_codes(level: str, count: int) -> list[str]:
    """Codes as schools write them: 6A, 5B, 4EME1, "3 A" (with a space)."""
    letters = string.ascii_uppercase[:count]
    if level == "4":
        return [f"4EME{number}" for number in range(1, count + 1)]
    if level == "3":
        return [f"3 {letter}" for letter in letters]
    return [f"{level}{letter}" for letter in letters]


def organise(college: CollegeYear, rng: random.Random) -> None:
    for level in LEVELS:
        _divide_level(college, rng, level)
    for level in LEVELS:
        _make_groups(college, rng, level)
    _assign_services(college, rng)
    _assign_profs_principaux(college, rng)
    _add_homonyms(college, rng)


def _divide_level(college: CollegeYear, rng: random.Random, level: str) -> None:
    eleves = [e for e in college.eleves if e.level == level]
    codes = division_codes(level, max(1, math.ceil(len(eleves) / DIVISION_SIZE)))
    rng.shuffle(eleves)
    for number, eleve in enumerate(eleves):
        eleve.division = codes[number % len(codes)]
    college.divisions.update({code: level for code in codes})


def _make_groups(college: CollegeYear, rng: random.Random, level: str) -> None:
    codes = [code for code, lvl in college.divisions.items() if lvl == level]
    eleves = [e for e in college.eleves if e.level == level]
    if level == "6":
        _group(college, Group("6 Chorale", "6E CHORALE", "080200", tuple(codes)),
               [e for e in eleves if rng.random() < 0.2])
        return
    for start in range(0, len(codes), 2):
        pair = tuple(codes[start:start + 2])
        members = [e for e in eleves if e.division in pair]
        spanish = [e for e in members if rng.random() < 0.6]
        german = [e for e in members if e not in spanish]
        number = start // 2 + 1
        _group(college, Group(f"{level}ESP {number}", f"{level}E ESPAGNOL LV2", "030602", pair),
               spanish)
        _group(college, Group(f"{level}ALL/{number}", f"{level}E ALLEMAND LV2", "030102", pair),
               german)
    _group(college, Group(f"{level} LATIN", f"{level}E LATIN", "020300", tuple(codes)),
           [e for e in eleves if rng.random() < 0.2])
    if level == "3":
        _group(college, Group("3 Théâtre", "THÉÂTRE 3E", "024800", tuple(codes)),
               [e for e in eleves if rng.random() < 0.1])


def _group(college: CollegeYear, group: Group, members: list[Eleve]) -> None:
    college.groups.append(group)
    for eleve in members:
        eleve.groups += (group.code,)
        eleve.options += (group.subject,)


def _teachers_of(college: CollegeYear, subject: str) -> list[Staff]:
    teachers = [s for s in college.staff if s.function == "ENS" and s.subject == subject]
    return teachers or [s for s in college.staff if s.function == "ENS"]


def _assign_services(college: CollegeYear, rng: random.Random) -> None:
    for code in college.divisions:
        for subject, _gestion, _label in CORE_SUBJECTS:
            teacher = rng.choice(_teachers_of(college, subject))
            college.services.append(StructureService(code, "D", subject, teacher))
    for number, group in enumerate(college.groups):
        # One group in some collèges has no teacher yet: the quality report must show it.
        if number == 0 and rng.random() < 0.5:
            continue
        teacher = rng.choice(_teachers_of(college, group.subject))
        college.services.append(StructureService(group.code, "G", group.subject, teacher))


def _assign_profs_principaux(college: CollegeYear, rng: random.Random) -> None:
    codes = list(college.divisions)
    # PP indemnities are sometimes not yet entered in STS for one division.
    skipped = rng.choice(codes) if rng.random() < 0.5 else None
    for code in codes:
        if code == skipped:
            continue
        teachers = [s.teacher for s in college.services if s.structure == code]
        rng.choice(teachers).pp_of.append(code)


def _add_homonyms(college: CollegeYear, rng: random.Random) -> None:
    """Two élèves with the same names and birth date in one division, in some collèges. The
    second is new this year: a known pupil's names and birth date never change all at once."""
    if rng.random() < 0.4:
        return
    placed = [e for e in college.eleves if e.division]
    second = rng.choice([e for e in placed if e.entry_date.year == college.year])
    first = rng.choice([e for e in placed if e is not second])
    twin = replace(second, last_name=first.last_name, first_name=first.first_name,
                   birth_date=first.birth_date, division=first.division)
    college.eleves[college.eleves.index(second)] = twin


def life_during_year(college: CollegeYear, rng: random.Random, ids: Ids) -> None:
    """Departures (past and announced), arrivals, élèves not yet placed, the Inactifs."""
    export = college.export_date
    for eleve in college.eleves:
        draw = rng.random()
        if draw < 0.01:
            eleve.exit_date = export - timedelta(days=rng.randint(1, 10))
        elif draw < 0.02:
            eleve.exit_date = export + timedelta(days=rng.randint(5, 60))
        elif draw < 0.025:
            eleve.division, eleve.groups, eleve.options = None, (), ()
        elif draw < 0.028:
            eleve.division, eleve.groups, eleve.options = "Inactifs", (), ()
    for _ in range(max(1, len(college.eleves) // 100)):
        level = rng.choice(LEVELS)
        newcomer = new_eleve(rng, ids, level, college.year, college.eleves)
        newcomer.entry_date = export - timedelta(days=rng.randint(1, 12))
        newcomer.division = rng.choice([c for c, lvl in college.divisions.items() if lvl == level])
        college.eleves.append(newcomer)
