"""Divisions and groups, as Siècle and STS name them."""

from __future__ import annotations

from enum import Enum


class StructureKind(Enum):
    DIVISION = "D"
    GROUPE = "G"

    @property
    def label(self) -> str:
        return "division" if self is StructureKind.DIVISION else "groupe"


# Siècle parks élèves who are no longer taught in a pseudo-division with this code.
INACTIVE_DIVISION = "Inactifs"

# MEF codes of the 3e, the last level of a collège (100 = 6e, 101 = 5e, 102 = 4e, 103 = 3e).
_LAST_LEVEL_MEF_PREFIX = "103"
_LEVELS = {"100": "6e", "101": "5e", "102": "4e", "103": "3e"}


def level_of(division: str, mefs: tuple[str, ...]) -> str:
    """The collège level of a division: by its first MEF; by its code's first character when
    the exports gave none (or an unknown MEF)."""
    for mef in mefs:
        if mef[:3] in _LEVELS:
            return _LEVELS[mef[:3]]
    first = division.strip()[:1]
    return f"{first}e" if first in "6543" and first else division.strip()[:2] or "?"


def is_last_level(division: str, mefs: tuple[str, ...]) -> bool:
    """A division of 3e, whose élèves leave the collège at the next rentrée. By its MEFs; by
    its code only when the exports gave none."""
    if mefs:
        return any(mef.startswith(_LAST_LEVEL_MEF_PREFIX) for mef in mefs)
    return division.strip().startswith("3")

