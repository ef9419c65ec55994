"""A school's spaces from the store: what they are, and the numeric ids their rights name (the
same uidNumber and gidNumber as the directory targets)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import Engine

from bascule.spaces.model import Space, desired_spaces, dormant_spaces, quotas_in_bytes
from bascule.targets.store_view import posix_numbers, school_view


@dataclass(frozen=True, slots=True)
class SchoolSpaces:
    root: Path  # the school's folder under the spaces root
    spaces: list[Space]
    users: dict[str, int]  # login -> uidNumber
    groups: dict[str, int]  # group name -> gidNumber
    # Disabled accounts' personal folders, outside `spaces` unless their owners keep reading.
    dormant: list[Space] = field(default_factory=list)


def load_school_spaces(engine: Engine, uai: str, root: Path,
                       quotas_gb: dict[str, int] | None, *, allocate: bool,
                       leavers_read: bool = False) -> SchoolSpaces:
    """allocate: newcomers' numbers are given for good (False: only to read, nothing kept).
    leavers_read: disabled accounts' owners keep reading their folder until the deletions."""
    with engine.connect() as connection:
        view = school_view(connection, uai)
        spaces = desired_spaces(view, quotas_in_bytes(quotas_gb))
        dormant = dormant_spaces(view, quotas_in_bytes(quotas_gb), owner_reads=leavers_read)
        if leavers_read:
            spaces, dormant = spaces + dormant, []
        names = {grant.name for space in spaces for grant in space.grants
                 if grant.principal == "group"}
        owners = [*(user.key for user in view.users), *(f"group:{name}" for name in names)]
        numbers = posix_numbers(connection, uai, owners)
        if allocate:
            connection.commit()
    return SchoolSpaces(root=root, spaces=spaces,
                        users={user.login: numbers[user.key] for user in view.users},
                        groups={name: numbers[f"group:{name}"] for name in names},
                        dormant=dormant)
