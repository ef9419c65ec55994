"""Eléa (Moodle): the "upload users" CSV and the cohorts. A cohort per division, per group and
per teaching team, whose idnumber is the school and the structure's name on every target
(domain/naming.py): distinct for distinct structures, the same every year, so that a course keeps
its cohorts across the rollover (their members change, not the id)."""

from __future__ import annotations

from collections import defaultdict

from bascule.domain.people import on_pedagogical_network
from bascule.feeds.store import FeedSchool
from bascule.reports.tables import csv_for_program


def cohort_id(school: FeedSchool, family: str, code: str) -> str:
    """"0861000v-classe-5-b-1-2": the school, then the structure's group name."""
    return f"{school.uai.lower()}-{school.structure_names[family, code].name}"


def cohorts(school: FeedSchool) -> dict[str, tuple[str, set[str]]]:
    """idnumber -> (name, person keys)."""
    found: dict[str, tuple[str, set[str]]] = {}

    def add(kind: str, code: str, name: str, key: str | None) -> None:
        entry = found.setdefault(cohort_id(school, kind, code), (name, set()))
        if key is not None:
            entry[1].add(key)

    for code, (label, _mefs) in school.facts.divisions.items():
        add("classe", code, f"{school.uai} Classe {label or code}", None)
        add("equipe", code, f"{school.uai} Équipe pédagogique {label or code}", None)
    for code, (label, _parents) in school.facts.groups.items():
        add("groupe", code, f"{school.uai} Groupe {label or code}", None)
    for key, target in school.facts.members:
        kind = "classe" if target.startswith("D:") else "groupe"
        label = (school.facts.divisions if kind == "classe" else school.facts.groups).get(
            target[2:], (target[2:], ()))[0]
        add(kind, target[2:], f"{school.uai} {kind.capitalize()} {label}", key)
    for teacher, structure, _subject in school.facts.services:
        divisions = ((structure[2:],) if structure.startswith("D:")
                     else school.facts.groups.get(structure[2:], ("", ()))[1])
        for division in divisions:
            if division in school.facts.divisions:
                add("equipe", division, f"{school.uai} Équipe pédagogique "
                    f"{school.facts.divisions[division][0] or division}", teacher)
    return found


def users_csv(school: FeedSchool, *, auth: str) -> str:
    """username,firstname,lastname,email,idnumber,auth,cohort1…: élèves and staff, by their
    network login; idnumber is the person's opaque feed id, the same every year."""
    member_of: dict[str, list[str]] = defaultdict(list)
    for identifier, (_name, keys) in sorted(cohorts(school).items()):
        for key in keys:
            member_of[key].append(identifier)
    people = [p for p in school.people if on_pedagogical_network(p.profile) and p.network]
    width = max((len(member_of[p.key]) for p in people), default=0)
    header = ["username", "firstname", "lastname", "email", "idnumber", "auth",
              *(f"cohort{n}" for n in range(1, width + 1))]
    return csv_for_program(header, ([
        person.network or "", person.first_name, person.last_name, person.email or "",
        person.feed_id, auth, *member_of[person.key],
        *([""] * (width - len(member_of[person.key])))] for person in people))


def cohorts_csv(school: FeedSchool) -> str:
    return csv_for_program(["name", "idnumber", "description", "contextid"], (
        [name, identifier, f"bascule : {name}", "1"]
        for identifier, (name, _keys) in sorted(cohorts(school).items())))
