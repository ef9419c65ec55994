"""Faults confined to one record: the one table of what each does, and the record being checked.

An error found while a record is being checked (inside `Checker.record`) concerns that record
only: the record is held, the rest of the school goes on. What puts a whole file in doubt (a
malformed or truncated file, another school or year, an older export, an encoding lie, ids
repeated on a scale that says the export is broken) is checked outside any record and still
refuses the import. `[import] refuse_on_any_error = true` makes every error refuse it.

The table, by kind of record and faulty field ("*": any other field of that record):

| record              | field                         | a new person              | a known person |
|---------------------|-------------------------------|---------------------------|----------------|
| élève               | DATE_NAISS, DATE_ENTREE       | created without the field | held           |
| élève               | * (names, ids, DATE_SORTIE,   | held, not created         | held           |
|                     |   divisions, TYPE_STRUCTURE)  |                           |                |
| responsable         | *                             | held, not created         | held           |
| personnel           | DATE_NAISSANCE                | created without the field | held           |
| personnel           | * (names, id, CSV fonction)   | held, not created         | held           |
| link (PP, service,  | * (unknown person or          | the link is set aside, the rest goes on; |
|  guardianship,      |   structure, bad level or     | the person it names is held (never a     |
|  structures, option)|   code)                       | leaver) when not listed otherwise        |

A held person keeps their previous state (account, logins, division, groups, services...)
and is listed in the import, the quality report and the plan with file:line and what to fix.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from bascule.domain.people import PersonKind
from bascule.snapshot.model import Treatment

_WITHOUT_FIELD = frozenset({
    (PersonKind.ELEVE, "DATE_NAISS"),  # a login needs no birth date; nothing is invented
    (PersonKind.ELEVE, "DATE_ENTREE"),
    (PersonKind.STAFF, "DATE_NAISSANCE"),
})

CONSEQUENCES = {
    Treatment.HOLD: "En attendant, la personne est laissée telle quelle : ni créée, ni "
                    "modifiée, ni désactivée.",
    Treatment.WITHOUT_FIELD: "En attendant, une nouvelle personne est créée sans ce champ "
                             "(rien n'est inventé) ; une personne déjà connue est laissée "
                             "telle quelle.",
    Treatment.SET_ASIDE: "En attendant, ce lien est écarté ; le reste de la fiche est pris en "
                         "compte, et personne n'est désactivé à cause de ce lien écarté.",
}


def treatment_of(kind: PersonKind, field_name: str | None, *, link: bool) -> Treatment:
    """What a fault in this field of this kind of record does (the table above)."""
    if link:
        return Treatment.SET_ASIDE
    if (kind, field_name) in _WITHOUT_FIELD:
        return Treatment.WITHOUT_FIELD
    return Treatment.HOLD


def usable(faults: Sequence[Treatment]) -> bool:
    """A record with these faults may still make a person: none (most records: no generator
    made), or only fields it can go without."""
    return not faults or all(fault is Treatment.WITHOUT_FIELD for fault in faults)


@dataclass(slots=True, kw_only=True)
class RecordScope:
    """The record being checked: who it names, and the faults found in it so far."""

    kind: PersonKind
    person_id: str
    label: str
    other_ids: tuple[tuple[str, str], ...] = ()
    link: bool = False
    faults: list[Treatment] = field(default_factory=list)

    @property
    def usable(self) -> bool:
        return usable(self.faults)
