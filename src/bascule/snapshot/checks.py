"""Field checks shared by the snapshot builders: each problem gets the record's location and a hint.

French texts for the school office live here and in the builders, next to the rule they explain.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Protocol, TypeVar

from bascule.domain.people import has_control_character, has_mojibake
from bascule.errors import Location, Problem, error, warning

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
K = TypeVar("K", bound=Hashable)


@dataclass(slots=True)
class Checker:
    """Collects the problems of one import. `fix` is the hint for the source being checked."""

    problems: list[Problem] = field(default_factory=list)

    def error(self, code: str, message: str, location: Location, hint: str) -> None:
        self.problems.append(error(code, message, location, hint))

    def warn(self, code: str, message: str, location: Location, hint: str) -> None:
        self.problems.append(warning(code, message, location, hint))

    def unique(self, records: Iterable[R], key_of: Callable[[R], K | None],
               describe: Callable[[K], str], hint_of: Callable[[R], str]) -> dict[K, R]:
        """The first record of each key; a repeated key is an error naming the first line.
        `key_of` gives None for a record without an id (it reports that itself)."""
        unique: dict[K, R] = {}
        for record in records:
            key = key_of(record)
            if key is None:
                continue
            if key in unique:
                self.error("id-double", f"{describe(key)} figure deux fois (déjà ligne "
                           f"{unique[key].location.line})", record.location, hint_of(record))
                continue
            unique[key] = record
        return unique

    def identifier(self, value: str | None, location: Location, field_name: str, hint: str) -> str:
        text = (value or "").strip()
        if not text:
            self.error("id-manquant", "identifiant absent", location.at(field=field_name), hint)
        return text

    def name(
        self, value: str | None, location: Location, field_name: str, hint: str, *, required: bool
    ) -> str:
        """A clean name: stripped, no control characters, no mojibake; required ones not empty."""
        text = (value or "").strip()
        where = location.at(field=field_name)
        if required and not text:
            self.error("nom-vide", "est vide", where, hint)
        elif has_control_character(text):
            self.error("caractere-controle", f"« {text!r} » contient un caractère de contrôle",
                       where, hint)
        elif has_mojibake(text):
            self.error("encodage-mojibake",
                       f"« {text} » est mal encodé (accents transformés, comme « Ã© » pour « é »)",
                       where, "Refaites l'export sans ouvrir ni ré-enregistrer le fichier.")
        return text

    def code(self, value: str | None, location: Location, field_name: str, hint: str) -> str:
        """A structure or subject code, kept verbatim (spaces, '/', accents) but trimmed."""
        text = (value or "").strip()
        where = location.at(field=field_name)
        if not text:
            self.error("code-vide", "code absent", where, hint)
        elif has_control_character(text):
            self.error("caractere-controle", f"« {text!r} » contient un caractère de contrôle",
                       where, hint)
        return text

    def date(
        self,
        value: str | None,
        parse: Callable[[str], date],
        location: Location,
        field_name: str,
        hint: str,
        *,
        required: bool,
    ) -> date | None:
        text = (value or "").strip()
        where = location.at(field=field_name)
        if not text:
            if required:
                self.error("date-absente", "date absente", where, hint)
            return None
        try:
            return parse(text)
        except ValueError:
            self.error("date-invalide", f"« {text} » n'est pas une date", where, hint)
            return None


def optional(value: str | None) -> str | None:
    text = (value or "").strip()
    return text or None


def plausible_email(value: str | None) -> str | None:
    text = optional(value)
    if text and "@" in text and " " not in text and "." in text.rsplit("@", 1)[-1]:
        return text
    return None
