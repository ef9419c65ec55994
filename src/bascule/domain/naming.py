"""The names of a school's structures on every target: ONE function, structure_names.

Siècle and STS codes are verbatim text (« 5 B/1 », « 3ème A », « LV2 ESP »); a directory group,
a folder and an Eléa cohort need a plain form, and two codes can give the same one (« 5 B/1 »,
« 5 B 1 », « 5 B-1 », « 5 B_1 » all become `5-b-1`). structure_names gives each structure
(a family: classe, equipe, groupe, matiere; and its verbatim code) one name and one folder:

- distinct structures get distinct names (compared without case, as AD and Windows do), and
  distinct folders within their family;
- a name never moves from one structure to another, and a structure keeps its name from year
  to year: the structures are taken in the order they first appeared in the school's history
  (the store keeps every year's structures), so one seen earlier keeps the plain form and a
  later one that would collide with it gets the next number (`classe-5-b-1-2`), even if it
  sorts first; a structure that is gone keeps its name reserved, never given to another code;
- the number is the same for the name and the folder (« 5 B 1 » -> `classe-5-b-1-2` and
  `Classes/5_B_1-2`), so a folder's rights name its own group.

GAR and the ENT's AAF files carry the verbatim code itself (their specifications ask for the
code « tel qu'il est dans les référentiels sources »): distinct by nature, never renamed.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from anyascii import anyascii

MAX_NAME_LENGTH = 60  # under AD's 64-character limit for a group's cn, with room for "-2"
MAX_FOLDER_LENGTH = 64
_NOT_IN_NAME = re.compile(r"[^a-z0-9]+")
_NOT_IN_FOLDER = re.compile(r"[^A-Za-z0-9._-]+")
_WINDOWS_DEVICES = frozenset({"CON", "PRN", "AUX", "NUL", *(f"COM{n}" for n in range(1, 10)),
                              *(f"LPT{n}" for n in range(1, 10))})
_UNKNOWN_YEAR = 10**6  # a structure the history does not know yet is the newest


def plain_name(text: str) -> str:
    """Lower-case ASCII letters, digits and dashes, ≤ 60 characters: any directory accepts it."""
    cleaned = _NOT_IN_NAME.sub("-", anyascii(text).lower()).strip("-")
    return cleaned[:MAX_NAME_LENGTH].rstrip("-") or "sans-nom"


def folder_name(text: str) -> str:
    """Safe on Linux and on a Windows share: no separator, no "." or "..", no control or
    reserved character, no reserved device name, no trailing dot or space."""
    cleaned = _NOT_IN_FOLDER.sub("_", anyascii(text)).strip("._ ")[:MAX_FOLDER_LENGTH]
    cleaned = cleaned.rstrip("._ ")
    if not cleaned:
        return "sans-nom"
    return f"_{cleaned}" if cleaned.split(".")[0].upper() in _WINDOWS_DEVICES else cleaned


@dataclass(frozen=True, slots=True, order=True)
class Structure:
    """A structure to name: its family, verbatim code, the text it is named by (the code, or a
    subject's label) and the first school year it appeared in (None: not in the history)."""

    family: str  # "classe", "equipe", "groupe", "matiere"
    code: str
    text: str
    first_year: int | None = None


@dataclass(frozen=True, slots=True)
class StructureName:
    name: str  # "classe-5-b-1-2": the directory group; the cohort id is "<uai>-<name>"
    folder: str  # "5_B_1-2": the space's folder within its family's folder


def structure_names(structures: Iterable[Structure]
                    ) -> dict[tuple[str, str], StructureName]:
    """(family, code) -> its name and folder, for every structure given (give the whole history:
    names of structures that are gone stay theirs)."""
    names: dict[tuple[str, str], StructureName] = {}
    taken: set[str] = set()
    folders: set[tuple[str, str]] = set()
    for structure in sorted(set(structures), key=_seniority):
        if (structure.family, structure.code) in names:
            continue  # the same structure with another text: its first one names it
        base = f"{structure.family}-{plain_name(structure.text)}"
        folder, number = folder_name(structure.text), 1
        while True:
            suffix = "" if number == 1 else f"-{number}"
            if (base + suffix).casefold() not in taken and (
                    structure.family, (folder + suffix).casefold()) not in folders:
                break
            number += 1
        taken.add((base + suffix).casefold())
        folders.add((structure.family, (folder + suffix).casefold()))
        names[structure.family, structure.code] = StructureName(base + suffix, folder + suffix)
    return names


def _seniority(structure: Structure) -> tuple[int, str, str, str]:
    year = _UNKNOWN_YEAR if structure.first_year is None else structure.first_year
    return (year, structure.family, structure.code, structure.text)


def school_structures(divisions: Iterable[str], groups: Iterable[str],
                      subjects: Mapping[str, str],
                      history: Mapping[tuple[str, str], int]) -> list[Structure]:
    """Every structure a school's targets name: this year's divisions (their class and teaching
    team), groups and taught subjects (code -> label), and those of the history
    ((family, code) -> first school year) that are gone, which keep their names."""
    wanted = [*((family, code, code) for code in divisions for family in ("classe", "equipe")),
              *(("groupe", code, code) for code in groups),
              *(("matiere", code, label) for code, label in subjects.items())]
    present = {(family, code) for family, code, _text in wanted}
    return [*(Structure(family, code, text, history.get((family, code)))
              for family, code, text in wanted),
            *(Structure(family, code, code, year) for (family, code), year in history.items()
              if (family, code) not in present)]
