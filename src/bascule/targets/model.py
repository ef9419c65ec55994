"""What the pedagogical server's directory should hold, from the school's directory in the
store: its accounts (élèves and staff; responsables are not on that network) and its groups.
Pure: no LDAP here, the entries' attributes and DNs are the adapters' (entries.py)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import Enum

from bascule.domain.naming import StructureName, school_structures, structure_names
from bascule.domain.reserved import (
    ELEVES_GROUP,
    PERSONNELS_GROUP,
    PP_GROUP,
    PROFS_GROUP,
    REFERENTS_GROUP,
)


class Container(Enum):
    """The OU each entry goes to (names configurable per target)."""

    ELEVES = "eleves"
    PROFS = "profs"
    PERSONNELS = "personnels"
    GROUPES = "groupes"


TEACHING_PROFILES = frozenset({"enseignant", "documentation"})


def container_of(profile: str) -> Container:
    if profile == "eleve":
        return Container.ELEVES
    return Container.PROFS if profile in TEACHING_PROFILES else Container.PERSONNELS


@dataclass(frozen=True, slots=True, kw_only=True)
class NetworkUser:
    key: str  # the store's stable person key ("eleve:1000001"), the entries' employeeNumber
    login: str  # pnom
    first_name: str
    last_name: str
    profile: str
    email: str | None
    enabled: bool

    @property
    def display_name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    @property
    def container(self) -> Container:
        return container_of(self.profile)


@dataclass(frozen=True, slots=True, kw_only=True)
class SchoolView:
    """The store's latest school year, as the targets need it."""

    uai: str
    users: tuple[NetworkUser, ...]
    divisions: Mapping[str, str]  # code -> label
    groups: Mapping[str, tuple[str, ...]]  # code -> parent divisions
    members: Mapping[str, frozenset[str]]  # "D:6A" / "G:5ESP 1" -> person keys
    services: frozenset[tuple[str, str, str]]  # (teacher key, "D:6A" / "G:…", subject code)
    profs_principaux: frozenset[str]  # teacher keys
    subjects: Mapping[str, str]  # subject code -> label
    referents: frozenset[str]  # person keys of the RRUPN
    headed_divisions: frozenset[str] = frozenset()  # divisions with a professeur principal
    # (family, code) -> first school year, for every structure the store ever held: names stay
    structure_history: Mapping[tuple[str, str], int] = field(default_factory=dict)


@dataclass(frozen=True, slots=True, kw_only=True)
class DesiredGroup:
    name: str
    description: str
    members: frozenset[str]  # person keys


@dataclass(frozen=True, slots=True, kw_only=True)
class DesiredDirectory:
    users: dict[str, NetworkUser]  # by person key
    groups: dict[str, DesiredGroup] = field(default_factory=dict)  # by name


# Their names are in the table of names no login may take (domain/reserved.py).
PROFILE_GROUPS = {Container.ELEVES: ELEVES_GROUP, Container.PROFS: PROFS_GROUP,
                  Container.PERSONNELS: PERSONNELS_GROUP}


def desired_directory(view: SchoolView) -> DesiredDirectory:
    users = {user.key: user for user in view.users}
    present = set(users)
    names = group_names_of(view)
    groups = [
        *_profile_groups(view),
        *_structure_groups(view, names),
        *_team_groups(view, names),
        *_subject_groups(view, names),
        DesiredGroup(name=PP_GROUP, description="Professeurs principaux",
                     members=view.profs_principaux),
        DesiredGroup(name=REFERENTS_GROUP, description="Référents numériques (RRUPN) : "
                     "accès à Groupes/ReferentsInformatique", members=view.referents),
    ]
    return DesiredDirectory(users=users, groups={
        group.name: DesiredGroup(name=group.name, description=group.description,
                                 members=group.members & present) for group in groups})


def taught_subjects(view: SchoolView) -> frozenset[str]:
    return frozenset(subject for _teacher, _structure, subject in view.services)


def group_names_of(view: SchoolView) -> dict[tuple[str, str], str]:
    """("classe" | "groupe" | "equipe" | "matiere", code) -> the group's name."""
    return {key: named.name for key, named in structure_names_of(view).items()}


def structure_names_of(view: SchoolView) -> dict[tuple[str, str], StructureName]:
    """Every structure's group name and folder (domain/naming.py: the one naming rule)."""
    taught = {code: view.subjects.get(code, code) for code in taught_subjects(view)}
    return structure_names(school_structures(view.divisions, view.groups, taught,
                                             view.structure_history))


def _profile_groups(view: SchoolView) -> list[DesiredGroup]:
    members: dict[Container, set[str]] = defaultdict(set)
    for user in view.users:
        members[user.container].add(user.key)
    return [DesiredGroup(name=name, description=f"Tous les comptes {name}",
                         members=frozenset(members[container]))
            for container, name in PROFILE_GROUPS.items()]


def _structure_groups(view: SchoolView,
                      names: dict[tuple[str, str], str]) -> list[DesiredGroup]:
    return [*(DesiredGroup(name=names["classe", code], description=f"Classe {label}",
                           members=view.members.get(f"D:{code}", frozenset()))
              for code, label in view.divisions.items()),
            *(DesiredGroup(name=names["groupe", code], description=f"Groupe {code}",
                           members=view.members.get(f"G:{code}", frozenset()))
              for code in view.groups)]


def _team_groups(view: SchoolView, names: dict[tuple[str, str], str]) -> list[DesiredGroup]:
    """A division's teaching team: who teaches it, or one of its groups."""
    team: dict[str, set[str]] = defaultdict(set)
    for teacher, structure, _subject in view.services:
        kind, code = structure.split(":", 1)
        divisions = (code,) if kind == "D" else view.groups.get(code, ())
        for division in divisions:
            team[division].add(teacher)
    return [DesiredGroup(name=names["equipe", code], description=f"Équipe pédagogique {label}",
                         members=frozenset(team[code]))
            for code, label in view.divisions.items()]


def _subject_groups(view: SchoolView, names: dict[tuple[str, str], str]) -> list[DesiredGroup]:
    teachers: dict[str, set[str]] = defaultdict(set)
    for teacher, _structure, subject in view.services:
        teachers[subject].add(teacher)
    return [DesiredGroup(name=names["matiere", code],
                         description=f"Matière {view.subjects.get(code, code)}",
                         members=frozenset(keys))
            for code, keys in teachers.items()]
