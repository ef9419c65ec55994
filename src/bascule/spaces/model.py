"""The spaces a school's pedagogical server holds, who may read or write each, and its quota:
derived from the same view of the store as the directory targets, with the same group names,
so that a group of the directory is the one an access rule names. Pure."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import Enum

from bascule.domain.naming import folder_name
from bascule.domain.reserved import REFERENTS_GROUP
from bascule.targets.model import (
    PROFILE_GROUPS,
    Container,
    NetworkUser,
    SchoolView,
    desired_directory,
    structure_names_of,
    taught_subjects,
)


class SpaceKind(Enum):
    PERSONAL_ELEVE = "perso-eleve"
    PERSONAL_STAFF = "perso-personnel"
    CLASS = "classe"
    SUBJECT = "matiere"
    STAFF_ROOM = "salle-des-profs"
    MEDIAPROF = "mediaprof"
    COMMON = "commun"
    REFERENTS = "referents"


GB = 1024**3
# The memo's quotas ("Perso élève : 1Go, Perso enseignant : 6Go, Espace classe : 20Go, Espace
# matière : 20Go et Salle des professeurs : 20Go"); None: no quota.
DEFAULT_QUOTAS: dict[SpaceKind, int | None] = {
    SpaceKind.PERSONAL_ELEVE: 1 * GB, SpaceKind.PERSONAL_STAFF: 6 * GB,
    SpaceKind.CLASS: 20 * GB, SpaceKind.SUBJECT: 20 * GB, SpaceKind.STAFF_ROOM: 20 * GB,
    SpaceKind.MEDIAPROF: None, SpaceKind.COMMON: None, SpaceKind.REFERENTS: None,
}


def quotas_in_bytes(gigabytes: dict[str, int] | None) -> dict[SpaceKind, int | None]:
    """The configuration's quotas (in GB, by kind name) over the memo's defaults."""
    configured = {SpaceKind(kind): gb * GB for kind, gb in (gigabytes or {}).items()}
    return {**DEFAULT_QUOTAS, **configured}


@dataclass(frozen=True, slots=True, order=True)
class Grant:
    principal: str  # "user" or "group"
    name: str  # a login, or a group name of the directory
    write: bool


@dataclass(frozen=True, slots=True, kw_only=True)
class Space:
    kind: SpaceKind
    path: tuple[str, ...]  # under the school's root: ("Classes", "6A")
    key: str  # what it is for: a person key, "D:6A", a subject code, or the kind
    label: str
    quota: int | None
    grants: tuple[Grant, ...]
    # A personal folder whose account is disabled or deleted (kept until the departs cleanup):
    # the logins whose rights it no longer gives beyond `grants`; never created anew.
    withdrawn: tuple[str, ...] = ()

    @property
    def relative(self) -> str:
        return "/".join(self.path)


CONTAINER_FOLDERS = {Container.ELEVES: "Eleves", Container.PROFS: "Profs",
                      Container.PERSONNELS: "Personnels"}


def personal_path(user: NetworkUser) -> tuple[str, ...]:
    """Where the user's own folder is under the school's root: ("Eleves", "lmartin")."""
    return CONTAINER_FOLDERS[user.container], folder_name(user.login)


def _personal(user: NetworkUser, quotas: dict[SpaceKind, int | None], *,
              write: bool | None) -> Space:
    """The user's own folder; `write` None: nobody's rights. A disabled (or deleted) account's
    folder withdraws its owner's rights beyond what `write` still gives."""
    kind = (SpaceKind.PERSONAL_ELEVE if user.container is Container.ELEVES
            else SpaceKind.PERSONAL_STAFF)
    return Space(kind=kind, path=personal_path(user), key=user.key,
                 label=f"{user.display_name} ({user.login})", quota=quotas[kind],
                 grants=() if write is None else (Grant("user", user.login, write),),
                 withdrawn=() if user.enabled else (user.login,))


def dormant_spaces(view: SchoolView, quotas: dict[SpaceKind, int | None] | None = None, *,
                   owner_reads: bool, deleted: Iterable[NetworkUser] = ()) -> list[Space]:
    """The personal folders of disabled accounts (kept until the September deletions): with
    `owner_reads` (`[lifecycle] leavers_keep_files_until_deletion`), their owner keeps reading
    them, never writing; else nobody's rights are given. `deleted`: accounts deleted whose
    folder waits for the departs cleanup: nobody's rights, whatever the school chose."""
    quotas = {**DEFAULT_QUOTAS, **(quotas or {})}
    return ([_personal(user, quotas, write=False if owner_reads else None)
             for user in desired_directory(view).users.values() if not user.enabled]
            + [_personal(user, quotas, write=None) for user in deleted])


def desired_spaces(view: SchoolView, quotas: dict[SpaceKind, int | None] | None = None
                   ) -> list[Space]:
    quotas = {**DEFAULT_QUOTAS, **(quotas or {})}
    directory = desired_directory(view)
    names = structure_names_of(view)
    groups = {key: named.name for key, named in names.items()}
    eleves, profs, personnels = (PROFILE_GROUPS[c] for c in
                                 (Container.ELEVES, Container.PROFS, Container.PERSONNELS))

    def shared(kind: SpaceKind, path: tuple[str, ...], label: str,
               *grants: Grant) -> Space:
        return Space(kind=kind, path=path, key=kind.value, label=label, quota=quotas[kind],
                     grants=tuple(sorted(grants)))

    spaces = [_personal(user, quotas, write=True) for user in directory.users.values()
              if user.enabled]
    spaces += [
        Space(kind=SpaceKind.CLASS, path=("Classes", names["classe", code].folder), key=f"D:{code}",
              label=f"Classe {label}", quota=quotas[SpaceKind.CLASS],
              grants=tuple(sorted((Grant("group", groups["classe", code], True),
                                   Grant("group", groups["equipe", code], True)))))
        for code, label in view.divisions.items()]
    spaces += [
        Space(kind=SpaceKind.SUBJECT, path=("Matieres", names["matiere", code].folder),
              key=f"S:{code}", label=f"Matière {view.subjects.get(code, code)}",
              quota=quotas[SpaceKind.SUBJECT],
              grants=(Grant("group", groups["matiere", code], True),))
        for code in sorted(taught_subjects(view))]
    spaces += [
        shared(SpaceKind.STAFF_ROOM, ("Salle_des_profs",), "Salle des professeurs",
               Grant("group", profs, True), Grant("group", personnels, True)),
        shared(SpaceKind.MEDIAPROF, ("Mediaprof",), "Mediaprof",
               Grant("group", profs, True), Grant("group", eleves, False)),
        shared(SpaceKind.COMMON, ("Commun",), "Commun", Grant("group", profs, True),
               Grant("group", personnels, True), Grant("group", eleves, False)),
        shared(SpaceKind.REFERENTS, ("Groupes", "ReferentsInformatique"),
               "Référents informatique", Grant("group", REFERENTS_GROUP, True)),
    ]
    return spaces
