"""What was applied to a school, newest first (`bascule history`), and what each apply changed
in the store, field by field (`bascule history --apply N`)."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from bascule.domain.labels import folded, store_row_text
from bascule.errors import UserError
from bascule.settings import Settings
from bascule.store.audit import logins_of_people, people_named_by_key
from bascule.store.changes import Change, changes_of
from bascule.store.engine import open_store
from bascule.store.history import AppliedPlan as AppliedPlan
from bascule.store.history import applied_plans


def history(settings: Settings, uai: str) -> list[AppliedPlan]:
    return applied_plans(open_store(settings.store_url), uai)


_NEVER_SHOWN = {"password_hash"}  # kept to undo a deletion, never printed


@dataclass(frozen=True, slots=True, kw_only=True)
class FieldChanged:
    """One field of one row of the store that an apply changed, for people to read."""

    table: str
    person: str | None  # the person key, when the row is a person's
    row: tuple[object, ...]  # the row's identity in its table
    field: str  # "*" for a row that appeared or disappeared as a whole
    old: object
    new: object
    person_label: str = ""  # « NOM Prénom (login) » of the person, when the store knows them
    row_text: str = ""  # the row as people read it (« 2025-2026 : membre de la division 6A »)
    person_logins: tuple[str, ...] = ()  # every login the person holds or held, for a search

    def concerns(self, someone: str) -> bool:
        """Whether `someone` (a login, a name, a first name, parts of them in any order:
        accents, case and apostrophes aside) is this row's person."""
        words = folded(someone).replace("'", " ").split()
        known = folded(f"{self.person_label} {self.person or ''} "
                       f"{' '.join(self.person_logins)}").replace("'", " ")
        return bool(words) and all(word in known for word in words)


def changes_about(changes: list[FieldChanged], someone: str) -> list[FieldChanged]:
    """The rows of one person: the one who holds or held `someone` as a login (or has it as
    key), exactly, when anyone does (« aandre » is not « aandre2 »); otherwise those whose
    name and logins `concerns` finds `someone` in."""
    exact = someone.strip().lower()
    holders = [change for change in changes
               if exact in change.person_logins or exact == change.person]
    return holders or [change for change in changes if change.concerns(someone)]


def changes_of_apply(settings: Settings, uai: str, apply_id: int) -> list[FieldChanged]:
    """What the applied plan `apply_id` changed in the store, field by field."""
    engine = open_store(settings.store_url)
    if all(one.id != apply_id for one in applied_plans(engine, uai)):
        raise unknown_apply(uai, apply_id)
    with engine.connect() as connection:
        changes = changes_of(connection, apply_id)
        names = people_named_by_key(connection, uai, {
            key for change in changes
            for key in (change.person_key, _guardianship_child(change)) if key})
        logins = logins_of_people(connection, uai, {change.person_key for change in changes
                                                    if change.person_key})
    return [dataclasses.replace(changed, person_label=names.get(changed.person or "", ""),
                                person_logins=tuple(logins.get(changed.person or "", ())),
                                row_text=store_row_text(changed.table, changed.row, names))
            for change in changes for changed in _fields(change)]


def _guardianship_child(change: Change) -> str | None:
    """The child a guardianship row names (fact: uai, year, kind, subject, target, detail)."""
    row = change.row_key
    if change.table == "fact" and len(row) == 6 and row[2] == "guardian":
        return str(row[4])
    return None


def unknown_apply(uai: str, apply_id: int) -> UserError:
    return UserError(f"Aucune application n° {apply_id} pour {uai}.",
                     hint="bascule history montre les plans appliqués et leurs numéros.",
                     console_hint="La page Historique montre les plans appliqués et leurs "
                                  "numéros.")


def _fields(change: Change) -> list[FieldChanged]:
    def one(field: str, old: object, new: object) -> FieldChanged:
        return FieldChanged(table=change.table, person=change.person_key, row=change.row_key,
                            field=field, old=old, new=new)
    if change.before is None:
        return [one("*", None, "créé")]
    if change.after is None:
        return [one("*", "retiré", None)]
    return [one(field, old, change.after.get(field)) for field, old in change.before.items()
            if field not in _NEVER_SHOWN]
