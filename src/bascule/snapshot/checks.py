"""Field checks shared by the snapshot builders: each problem gets the record's location and a hint.

French texts for the school office live here and in the builders, next to the rule they explain.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Protocol, TypeVar

from bascule.domain.people import (
    clean_name,
    has_control_character,
    has_mojibake,
    invisible_characters,
)
from bascule.errors import Location, Problem, Severity, error, warning
from bascule.snapshot.holds import CONSEQUENCES, RecordScope, treatment_of
from bascule.snapshot.model import HeldRecord

FIX_IN_SIECLE = "Corrigez la fiche dans Siècle-BEE, refaites l'export, puis relancez l'import."
FIX_IN_STS = "Corrigez la fiche dans STS-Web, refaites l'export, puis relancez l'import."
REEXPORT_TOGETHER = (
    "Les fichiers ne sont pas du même export : refaites tous les exports le même jour et "
    "donnez-les ensemble."
)


class _Located(Protocol):
    @property
    def location(self) -> Location: ...


R = TypeVar("R", bound=_Located)
# Where a field stands: a Location, or a record whose `location` is built only when a problem
# is reported (an import checks some 100,000 fields and finds a handful of problems).
Where = Location | _Located


def _at(where: Where, field_name: str) -> Location:
    return (where if isinstance(where, Location) else where.location).at(field=field_name)
K = TypeVar("K", bound=Hashable)


# More repeated ids than this (and than 1 % of the records) says the export itself is broken.
MAX_HELD_DUPLICATES = 5


@dataclass(slots=True)
class Checker:
    """Collects the problems of one import, and the records held for a fault of their own.

    An error reported while a record is being checked (`with checker.record(scope)`) holds that
    record (snapshot/holds.py), unless `hold_records` is False: then it refuses the import.
    """

    problems: list[Problem] = field(default_factory=list)
    held: list[HeldRecord] = field(default_factory=list)
    hold_records: bool = True
    _scope: RecordScope | None = None

    def record(self, scope: RecordScope) -> _InRecord:
        """Errors reported inside concern this record only (`with checker.record(scope) as
        scope:`)."""
        return _InRecord(self, scope)

    def error(self, code: str, message: str, location: Location, hint: str) -> None:
        if self._scope is None or not self.hold_records:
            self.file_error(code, message, location, hint)
            return
        self.hold(self._scope, code, message, location, hint)

    def file_error(self, code: str, message: str, location: Location, hint: str) -> None:
        """An error that puts the whole file in doubt, wherever it is found."""
        self.problems.append(error(code, message, location, hint))

    def hold(self, scope: RecordScope, code: str, message: str, location: Location,
             hint: str) -> None:
        treatment = treatment_of(scope.kind, location.field, link=scope.link)
        scope.faults.append(treatment)
        consequence = CONSEQUENCES[treatment]
        self.problems.append(Problem(severity=Severity.HELD, code=code, message=message,
                                     location=location, hint=f"{hint} {consequence}"))
        field_part = f"{location.field} " if location.field else ""
        self.held.append(HeldRecord(
            kind=scope.kind, person_id=scope.person_id, other_ids=scope.other_ids,
            label=scope.label, treatment=treatment, reason=f"{field_part}{message}",
            hint=hint, location=location, field=location.field))

    def warn(self, code: str, message: str, location: Location, hint: str) -> None:
        self.problems.append(warning(code, message, location, hint))

    def unique(self, records: Iterable[R], key_of: Callable[[R], K | None],
               describe: Callable[[K], str], hint_of: Callable[[R], str],
               scope_of: Callable[[R], RecordScope] | None = None) -> dict[K, R]:
        """The first record of each key. A repeated key holds every record of that key (each
        with its `scope_of`), unless ids repeat on a scale that says the export is broken:
        then each repetition is an error naming the first line. `key_of` gives None for a
        record without an id (it reports that itself)."""
        unique: dict[K, R] = {}
        repeated: list[tuple[K, R]] = []
        count = 0
        for record in records:
            count += 1
            key = key_of(record)
            if key is None:
                continue
            if key in unique:
                repeated.append((key, record))
                continue
            unique[key] = record
        broken = len(repeated) > max(MAX_HELD_DUPLICATES, count // 100)
        for key, record in repeated:
            message = f"{describe(key)} figure deux fois (déjà ligne {unique[key].location.line})"
            if broken or scope_of is None or not self.hold_records:
                self.file_error("id-double", message, record.location, hint_of(record))
            else:
                self.hold(scope_of(record), "id-double", message, record.location,
                          hint_of(record))
        return unique  # a held id's first record stays: the plan holds whoever it names

    def identifier(self, value: str | None, location: Where, field_name: str, hint: str) -> str:
        text = (value or "").strip()
        if not text:
            self.error("id-manquant", "identifiant absent", _at(location, field_name), hint)
        return text

    def name(
        self, value: str | None, location: Where, field_name: str, hint: str, *, required: bool
    ) -> str:
        """A clean name (domain.people.clean_name: NFC, no format characters, single spaces),
        with a warning when cleaning changed it; no control characters, no mojibake; required
        ones not empty."""
        raw = (value or "").strip()
        text = clean_name(raw)
        if text != raw:
            self._cleaned(raw, text, _at(location, field_name))
        if required and not text:
            self.error("nom-vide", "est vide", _at(location, field_name), hint)
        # A printable text holds no control character; mojibake needs a non-ASCII one: most
        # names need neither pattern searched.
        elif not text.isprintable() and has_control_character(text):
            self.error("caractere-controle", f"« {text!r} » contient un caractère de contrôle",
                       _at(location, field_name), hint)
        elif not text.isascii() and has_mojibake(text):  # an encoding lie: the whole file
            self.file_error("encodage-mojibake",
                       f"« {text} » est mal encodé (accents transformés, comme « Ã© » pour « é »)",
                       _at(location, field_name),
                       "Refaites l'export sans ouvrir ni ré-enregistrer le fichier.")
        return text

    def _cleaned(self, raw: str, text: str, where: Location) -> None:
        hidden = invisible_characters(raw)
        what = (f"caractère(s) invisible(s) retiré(s) ({', '.join(hidden)})" if hidden
                else "écriture des accents ou des espaces normalisée")
        self.warn("nom-nettoye", f"« {text} » : {what}", where,
                  "Rien à faire pour la bascule, qui garde le nom nettoyé ; corrigez la fiche "
                  "dans le logiciel d'origine pour que les autres outils l'aient propre aussi.")

    def code(self, value: str | None, location: Where, field_name: str, hint: str) -> str:
        """A structure or subject code, kept verbatim (spaces, '/', accents) but trimmed."""
        text = (value or "").strip()
        if not text:
            self.error("code-vide", "code absent", _at(location, field_name), hint)
        elif not text.isprintable() and has_control_character(text):
            self.error("caractere-controle", f"« {text!r} » contient un caractère de contrôle",
                       _at(location, field_name), hint)
        return text

    def date(
        self,
        value: str | None,
        parse: Callable[[str], date],
        location: Where,
        field_name: str,
        hint: str,
        *,
        required: bool,
    ) -> date | None:
        text = (value or "").strip()
        if not text:
            if required:
                self.error("date-absente", "date absente", _at(location, field_name), hint)
            return None
        try:
            return parse(text)
        except ValueError:
            self.error("date-invalide", f"« {text} » n'est pas une date",
                       _at(location, field_name), hint)
            return None


class _InRecord:
    """`Checker.record`'s context: a class, where a generator's context costs a few times
    more (an import enters one for each record and link, tens of thousands)."""

    __slots__ = ("_checker", "_outer", "_scope")

    def __init__(self, checker: Checker, scope: RecordScope):
        self._checker, self._scope = checker, scope
        self._outer: RecordScope | None = None

    def __enter__(self) -> RecordScope:
        self._outer, self._checker._scope = self._checker._scope, self._scope
        return self._scope

    def __exit__(self, *_exc: object) -> None:
        self._checker._scope = self._outer


def optional(value: str | None) -> str | None:
    """The text trimmed; None when there is none (the fields most often missing are None)."""
    return (value.strip() or None) if value else None


def plausible_email(value: str | None) -> str | None:
    text = optional(value)
    if text and "@" in text and " " not in text and "." in text.rsplit("@", 1)[-1]:
        return text
    return None
