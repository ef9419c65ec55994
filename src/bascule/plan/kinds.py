"""The kinds of a plan's actions, apart from the plan's values (plan/model.py): the settings'
thresholds name them, and every command reads the settings at start-up, where the values'
dozens of dataclasses cost a tenth of `bascule version`'s CPU to make."""

from __future__ import annotations

from enum import Enum

from bascule.domain.labels import ACTIONS


class ActionKind(Enum):
    CREATE = "create"
    UPDATE = "update"
    MOVE = "move"
    TRANSFER = "transfer"  # an élève arriving from another school of the folder, account kept
    DISABLE = "disable"
    REACTIVATE = "reactivate"
    DELETE = "delete"
    ADD = "add"  # a fact: structure, membership, service, PP, guardianship
    REMOVE = "remove"

    @property
    def is_account_action(self) -> bool:
        return self not in (ActionKind.ADD, ActionKind.REMOVE)

    @property
    def label(self) -> str:
        """In French, for the people who read the plan."""
        return ACTIONS[self.value]
