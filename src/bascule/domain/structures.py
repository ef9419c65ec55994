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

