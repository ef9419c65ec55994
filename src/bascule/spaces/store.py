"""A school's spaces from the store: what they are, and the numeric ids their rights name (the
same uidNumber and gidNumber as the directory targets)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Connection, Engine

from bascule.spaces.model import (
    Space,
    desired_spaces,
    dormant_spaces,
    personal_path,
    quotas_in_bytes,
)
from bascule.spaces.tree import marked_personal_spaces, marker_of
from bascule.store.schema import account, person
from bascule.targets.model import NetworkUser
from bascule.targets.store_view import network_users, posix_numbers, school_view


@dataclass(frozen=True, slots=True)
class SchoolSpaces:
    root: Path  # the school's folder under the spaces root
    # Every space bascule gives rights on: the provisioned ones, then the personal folders of
    # disabled accounts and those of deleted accounts still on disk (Space.withdrawn).
    spaces: list[Space]
    users: dict[str, int]  # login -> uidNumber
    groups: dict[str, int]  # group name -> gidNumber

    @property
    def provisioned(self) -> list[Space]:
        """The spaces of the school's present people and structures: created, with quotas."""
        return [space for space in self.spaces if not space.withdrawn]


def load_school_spaces(engine: Engine, uai: str, root: Path,
                       quotas_gb: dict[str, int] | None, *, allocate: bool,
                       leavers_read: bool = False) -> SchoolSpaces:
    """allocate: newcomers' numbers are given for good (False: only to read, nothing kept).
    leavers_read: disabled accounts' owners keep reading their folder until the deletions."""
    quotas = quotas_in_bytes(quotas_gb)
    with engine.connect() as connection:
        view = school_view(connection, uai)
        spaces = desired_spaces(view, quotas)
        deleted = _deleted_with_folders(connection, uai, root, view.users,
                                        {space.path for space in spaces})
        spaces += dormant_spaces(view, quotas, owner_reads=leavers_read, deleted=deleted)
        names = {grant.name for space in spaces for grant in space.grants
                 if grant.principal == "group"}
        owners = [*(user.key for user in view.users), *(f"group:{name}" for name in names)]
        numbers = posix_numbers(connection, uai, owners)
        if allocate:
            connection.commit()
    users = {user.login: numbers[user.key] for user in deleted if user.key in numbers}
    return SchoolSpaces(root=root, spaces=spaces,
                        users=users | {user.login: numbers[user.key] for user in view.users},
                        groups={name: numbers[f"group:{name}"] for name in names})


def _deleted_with_folders(connection: Connection, uai: str, root: Path,
                          users: Iterable[NetworkUser], taken: set[tuple[str, ...]]
                          ) -> list[NetworkUser]:
    """The deleted accounts whose personal folder is still under the root: the folders whose
    marker names nobody of the directory, looked up by key (the store is asked of them only)."""
    known = {user.key for user in users}
    strays = {str(marker.get("key")) for folder in marked_personal_spaces(root)
              if (marker := marker_of(folder)) is not None and marker.get("key") not in known}
    return [user for user in (_deleted_users(connection, uai, strays) if strays else [])
            if personal_path(user) not in taken and _holds_folder(root, user)]


def _deleted_users(connection: Connection, uai: str, keys: set[str]) -> list[NetworkUser]:
    """Those of `keys` whose account is deleted, with every network login they held (freed
    now): one of them names their folder until the departs cleanup archives it."""
    return network_users(connection, uai, person.c.key.in_(sorted(keys)),
                         account.c.status == "deleted")


def _holds_folder(root: Path, user: NetworkUser) -> bool:
    """The folder at the user's path is theirs: bascule's marker names their key."""
    marker = marker_of(root.joinpath(*personal_path(user)))
    return marker is not None and marker.get("key") == user.key
