"""The difference between what a directory should hold and what it holds: the writes to make, in
dependency order (containers, users, groups, then deletions). Pure, over plain entries: the
adapters build the desired entries and read the current ones.

Users are matched by their stable key (employeeNumber), so a login change is a rename, not a
delete and a create. Entries bascule did not create (no marker) are never written: one in the way
of a desired entry is reported as a conflict. Attribute names are lower-case; DN-valued attributes
and objectClass compare without case, as directories do.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from enum import Enum

Values = tuple[bytes, ...]
Attributes = Mapping[str, Values]

CASELESS = frozenset({"objectclass", "member"})
CONTAINER, GROUP = "conteneur", "groupe"


@dataclass(frozen=True, slots=True)
class Entry:
    dn: str
    attributes: Attributes


@dataclass(frozen=True, slots=True)
class Found:
    dn: str
    attributes: Attributes
    managed: bool  # carries bascule's marker


class Kind(Enum):
    ADD = "ajout"
    RENAME = "renommage"
    MODIFY = "modification"
    DELETE = "suppression"


@dataclass(frozen=True, slots=True)
class Change:
    action: str  # "add", "delete" or "replace" of values
    attribute: str
    values: Values


@dataclass(frozen=True, slots=True)
class Operation:
    kind: Kind
    dn: str
    attributes: Attributes = field(default_factory=dict)  # ADD
    changes: tuple[Change, ...] = ()  # MODIFY
    new_dn: str = ""  # RENAME
    what: str = "utilisateur"  # or "groupe", "conteneur": for the report


@dataclass(frozen=True, slots=True)
class SyncPlan:
    operations: tuple[Operation, ...]
    conflicts: tuple[str, ...]  # DNs in the way, not bascule's
    new_users: frozenset[str]  # keys of users added by this plan


def _norm(attribute: str, values: Iterable[bytes]) -> frozenset[bytes]:
    return frozenset(v.lower() if attribute in CASELESS else v for v in values)


def changes_between(desired: Attributes, current: Attributes,
                    managed: Collection[str]) -> tuple[Change, ...]:
    """The changes that make the managed attributes of `current` those of `desired`."""
    changes: list[Change] = []
    for attribute in sorted(managed):
        want, have = desired.get(attribute, ()), current.get(attribute, ())
        if want == have or _norm(attribute, want) == _norm(attribute, have):
            continue
        if attribute == "member":
            changes.extend(_member_changes(want, have))
        elif not want:
            changes.append(Change("delete", attribute, ()))
        else:
            changes.append(Change("replace", attribute, tuple(want)))
    return tuple(changes)


def _member_changes(want: Values, have: Values) -> list[Change]:
    """Only the members that come and go: a class of 30 loses one élève in one small write."""
    wanted = {value.lower(): value for value in want}
    held = {value.lower(): value for value in have}
    added = tuple(wanted[key] for key in sorted(wanted.keys() - held.keys()))
    removed = tuple(held[key] for key in sorted(held.keys() - wanted.keys()))
    return [*([Change("add", "member", added)] if added else []),
            *([Change("delete", "member", removed)] if removed else [])]


@dataclass(frozen=True, slots=True, kw_only=True)
class Desired:
    containers: tuple[Entry, ...]
    users: Mapping[str, Entry]  # by person key
    groups: tuple[Entry, ...]
    user_attributes: frozenset[str]  # the attributes bascule manages on users…
    group_attributes: frozenset[str]  # …and on groups
    user_key: str = "employeenumber"
    member_of: str | None = None  # derived on users from the groups (Flavour.member_of)


def plan_sync(desired: Desired, found: Iterable[Found]) -> SyncPlan:
    found = list(found)
    by_dn = {entry.dn.lower(): entry for entry in found}
    users = {entry.attributes[desired.user_key][0].decode(): entry for entry in found
             if entry.managed and entry.attributes.get(desired.user_key)}
    conflicts: list[str] = []
    operations = [Operation(Kind.ADD, c.dn, c.attributes, what=CONTAINER)
                  for c in desired.containers if c.dn.lower() not in by_dn]
    renamed: dict[str, str] = {}
    user_adds, user_changes, new_users = [], [], set()
    for key, entry in desired.users.items():
        current = users.get(key)
        if current is None:
            if (in_the_way := by_dn.get(entry.dn.lower())) is not None:
                conflicts.append(in_the_way.dn)
                continue
            user_adds.append(Operation(Kind.ADD, entry.dn, entry.attributes))
            new_users.add(key)
            continue
        if current.dn.lower() != entry.dn.lower():
            operations.append(Operation(Kind.RENAME, current.dn, new_dn=entry.dn))
            renamed[current.dn.lower()] = entry.dn
        if changes := changes_between(entry.attributes, current.attributes,
                                      desired.user_attributes):
            user_changes.append(Operation(Kind.MODIFY, entry.dn, changes=changes))
    operations += user_adds + user_changes
    operations += _group_operations(desired, found, by_dn, renamed, conflicts)
    wanted_keys = set(desired.users)
    operations += [Operation(Kind.DELETE, entry.dn) for key, entry in sorted(users.items())
                   if key not in wanted_keys]
    return SyncPlan(operations=tuple(operations), conflicts=tuple(conflicts),
                    new_users=frozenset(new_users))


def _derived_member_of(desired: Desired, found: list[Found]) -> str | None:
    """The memberOf-like attribute to check, if the server shows it keeps one: some managed
    user has a value (a directory without the overlay shows none, and is left alone)."""
    name = desired.member_of
    if name is None or not any(entry.managed and entry.attributes.get(name) for entry in found):
        return None
    return name


def _lost_member_of(group: Entry, current: Attributes, by_dn: Mapping[str, Found],
                    derived: str | None) -> tuple[Change, ...]:
    """Members the group holds (and keeps) whose entry lost the group from its memberOf (a
    server crash between the two writes): each is written again, removed and added in one
    modification, so that the server derives memberOf afresh. What the directory lost is
    repaired, not only what the store changed."""
    if derived is None:
        return ()
    held = _norm("member", current.get("member", ()))
    dn = group.dn.lower().encode()
    lost = tuple(sorted(value for value in group.attributes.get("member", ())
                        if value.lower() in held
                        and (user := by_dn.get(value.decode().lower())) is not None
                        and user.managed
                        and dn not in _norm("member", user.attributes.get(derived, ()))))
    return (Change("delete", "member", lost), Change("add", "member", lost)) if lost else ()


def _group_operations(desired: Desired, found: list[Found], by_dn: dict[str, Found],
                      renamed: dict[str, str], conflicts: list[str]) -> list[Operation]:
    adds, changes = [], []
    derived = _derived_member_of(desired, found)
    # Containers are never deleted, even one the configuration no longer names.
    wanted = {entry.dn.lower() for entry in (*desired.groups, *desired.containers)}
    for group in desired.groups:
        current = by_dn.get(group.dn.lower())
        if current is None:
            adds.append(Operation(Kind.ADD, group.dn, group.attributes, what=GROUP))
        elif not current.managed:
            conflicts.append(current.dn)
        else:
            members = tuple(renamed.get(v.decode().lower(), v.decode()).encode()
                            for v in current.attributes.get("member", ()))
            attributes = {**current.attributes, "member": members}
            group_changes = (*changes_between(group.attributes, attributes,
                                              desired.group_attributes),
                             *_lost_member_of(group, attributes, by_dn, derived))
            if group_changes:
                changes.append(Operation(Kind.MODIFY, group.dn, changes=group_changes,
                                         what=GROUP))
    deletes = [Operation(Kind.DELETE, entry.dn, what=GROUP) for entry in found
               if entry.managed and entry.dn.lower() not in wanted
               and not entry.attributes.get(desired.user_key)
               and b"organizationalunit" not in _norm("objectclass",
                                                      entry.attributes.get("objectclass", ()))]
    return adds + changes + deletes
