"""One sync of one target: read the store and the directory, compute the difference, write it
phase by phase, set the waiting passwords, and remember what the target has received."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import ldap
from sqlalchemy import Engine

from bascule.errors import UserError
from bascule.store.people import journal_entry
from bascule.store.sealed import (
    Pending,
    Sealer,
    forget_delivered,
    record_deliveries,
    waiting_for,
)
from bascule.targets.client import (
    Connection,
    Job,
    Refusal,
    operation_job,
    unicode_password,
)
from bascule.targets.config import TargetConfig, TargetKind
from bascule.targets.diff import (
    CONTAINER,
    GROUP,
    Desired,
    Found,
    Kind,
    Operation,
    SyncPlan,
    plan_sync,
)
from bascule.targets.entries import MARKER, Flavour, Numbers, flavour_for
from bascule.targets.model import DesiredDirectory, desired_directory
from bascule.targets.store_view import posix_numbers, school_view


@dataclass(slots=True)
class SyncReport:
    target: str
    dry_run: bool
    counts: Counter[str] = field(default_factory=Counter)  # "ajout utilisateur": n…
    writes: int = 0
    passwords: int = 0
    refusals: list[Refusal] = field(default_factory=list)
    conflicts: tuple[str, ...] = ()
    without_password: tuple[str, ...] = ()  # logins created with no password to give them
    failure: UserError | None = None  # unreachable, interrupted: nothing or part written
    changes: tuple[str, ...] = ()  # one line per write to make ("modification groupe cn=…")
    # Of those writes, each membership to add (True) or remove: (group DN, member DN, add).
    memberships: tuple[tuple[str, str, bool], ...] = ()


@dataclass(frozen=True, slots=True)
class _Prepared:
    plan: SyncPlan
    desired: DesiredDirectory
    pending: dict[str, Pending]
    flavour: Flavour


def sync_target(engine: Engine, sealer: Sealer, config: TargetConfig, *, all_targets: list[str],
                 dry_run: bool, now: datetime, actor: str,
                 on_total: Callable[[int], None] = lambda _total: None,
                 on_done: Callable[[], None] = lambda: None) -> SyncReport:
    connection = Connection(config, config.bind_password())
    try:
        prepared = _prepare(engine, connection, config, dry_run=dry_run)
        report = _report(config, prepared, dry_run)
        if dry_run:
            return report
        on_total(len(prepared.plan.operations) + len(prepared.pending))
        delivered: list[Pending] = []
        try:
            _write(connection, prepared, sealer, report, delivered, on_done)
        finally:
            report.writes = connection.writes
            _remember(engine, config, all_targets, delivered, report, actor, now)
        return report
    finally:
        connection.close()


def _prepare(engine: Engine, connection: Connection, config: TargetConfig,
             *, dry_run: bool) -> _Prepared:
    flavour = flavour_for(config, posix=_has_rfc2307(connection, config))
    with engine.connect() as store:
        view = school_view(store, config.uai)
        desired = desired_directory(view)
        owners = [*desired.users, *(f"group:{name}" for name in desired.groups)]
        allocated = posix_numbers(store, config.uai, owners, config.first_posix_number)
        pending = {key: item for key, item in waiting_for(store, config.uai, config.name).items()
                   if key in desired.users}
        if not dry_run:
            store.commit()  # numbers are given for good, even if the sync stops half-way
    numbers = Numbers(users=allocated, groups={owner.removeprefix("group:"): number
                                               for owner, number in allocated.items()})
    found = _read(connection, flavour)
    current = {f.attributes["employeenumber"][0].decode(): f for f in found
               if f.managed and f.attributes.get("employeenumber")}
    users = {key: flavour.user(user, numbers, _attributes_of(current.get(key)),
                               has_password=key in pending)
             for key, user in desired.users.items()}
    groups = tuple(flavour.group(group, desired.users, numbers)
                   for group in desired.groups.values())
    plan = plan_sync(Desired(containers=flavour.containers(), users=users, groups=groups,
                             user_attributes=flavour.user_attributes,
                             group_attributes=flavour.group_attributes,
                             member_of=flavour.member_of), found)
    return _Prepared(plan=plan, desired=desired, pending=pending, flavour=flavour)


def _attributes_of(found: Found | None) -> dict[str, tuple[bytes, ...]] | None:
    return dict(found.attributes) if found is not None else None


def _has_rfc2307(connection: Connection, config: TargetConfig) -> bool:
    """OpenLDAP targets carry posixAccount; an AD domain only when its schema has uidNumber."""
    if config.kind is TargetKind.OPENLDAP:
        return True
    schema = connection.root_dse(["schemaNamingContext"]).get("schemanamingcontext")
    if not schema:
        return False
    return any(True for _found in connection.search(
        f"CN=uidNumber,{schema[0].decode()}", ["cn"], ("cn", b""), scope=ldap.SCOPE_BASE))


def _read(connection: Connection, flavour: Flavour) -> list[Found]:
    attributes = sorted({"objectClass", "employeeNumber", flavour.marker_attribute,
                         *flavour.user_attributes, *flavour.group_attributes,
                         *([flavour.member_of] if flavour.member_of else [])})
    marker = (flavour.marker_attribute, MARKER)
    found: list[Found] = []
    for container in flavour.containers():
        found += connection.search(container.dn, attributes, marker)
    return found


def _report(config: TargetConfig, prepared: _Prepared, dry_run: bool) -> SyncReport:
    counts: Counter[str] = Counter(f"{operation.kind.value} {operation.what}"
                                   for operation in prepared.plan.operations)
    if prepared.pending:
        counts["mot de passe à poser"] = len(prepared.pending)
    without = tuple(sorted(prepared.desired.users[key].login for key in prepared.plan.new_users
                           if key not in prepared.pending))
    changes = tuple(f"{op.kind.value} {op.what} {op.new_dn or op.dn}"
                    for op in prepared.plan.operations)
    if prepared.pending:
        changes += (f"{len(prepared.pending)} mot(s) de passe en attente",)
    memberships = tuple((op.dn, value.decode(), change.action == "add")
                        for op in prepared.plan.operations if op.kind is Kind.MODIFY
                        for change in op.changes if change.attribute == "member"
                        for value in change.values)
    return SyncReport(target=config.name, dry_run=dry_run, counts=counts,
                      conflicts=prepared.plan.conflicts, without_password=without,
                      changes=changes, memberships=memberships)


def _phase(operation: Operation) -> int:
    """Containers, renames, users, then groups and passwords, then deletions: each phase waits
    for the one before, as a group's members must exist and a user needs its container."""
    if operation.kind is Kind.DELETE:
        return 4
    if operation.kind is Kind.RENAME:
        return 1
    return {CONTAINER: 0, GROUP: 3}.get(operation.what, 2)


def _write(connection: Connection, prepared: _Prepared, sealer: Sealer, report: SyncReport,
           delivered: list[Pending], on_done: Callable[[], None]) -> None:
    users = {prepared.flavour.user_dn(user).lower(): key
             for key, user in prepared.desired.users.items()}
    is_ad = prepared.flavour.config.kind is TargetKind.AD
    chosen: list[Pending] = []  # set, and waiting for their pwdReset to go
    phases: list[list[Job]] = [[] for _ in range(5)]
    for operation in prepared.plan.operations:
        phases[_phase(operation)].append(
            _job(operation, users, prepared, sealer, delivered, is_ad))
    phases[3] += [_password_job(prepared, sealer, key, item,
                                delivered if is_ad or item.must_change else chosen, is_ad)
                  for key, item in prepared.pending.items()
                  if not (is_ad and key in prepared.plan.new_users)]
    for jobs in phases[:4]:
        report.refusals += connection.run(jobs, on_done)
    report.refusals += connection.run(_chosen_passwords(prepared, chosen, delivered))
    report.refusals += connection.run(phases[4], on_done)
    report.passwords = len(delivered)


def _chosen_passwords(prepared: _Prepared, chosen: list[Pending],
                      delivered: list[Pending]) -> list[Job]:
    """ppolicy marks every password an administrator sets as to be changed (pwdReset); not
    one its owner chose (bascule password change). Such a password counts as delivered only
    once its mark is gone (replaced by nothing: no error where the policy set none): a sync
    stopped in between sets it again next time, and clears it."""
    def clear(item: Pending) -> Job:
        dn = prepared.flavour.user_dn(prepared.desired.users[item.person_key])
        return Job(dn, "mot de passe choisi", lambda server: int(
            server.modify_ext(dn, [(ldap.MOD_REPLACE, "pwdReset", None)])),
            on_success=lambda: delivered.append(item))

    return [clear(item) for item in chosen]


def _job(operation: Operation, users: dict[str, str], prepared: _Prepared, sealer: Sealer,
         delivered: list[Pending], is_ad: bool) -> Job:
    """An AD account is created with its password (AD enables only an account that has one)."""
    key = users.get(operation.dn.lower())
    item = prepared.pending.get(key) if key is not None else None
    if not (is_ad and operation.kind is Kind.ADD and item is not None):
        return operation_job(operation)
    password = sealer.open(item.sealed)
    attributes = {**operation.attributes, "unicodepwd": (unicode_password(password),),
                  "pwdlastset": (_pwd_last_set(item),)}
    job = operation_job(Operation(Kind.ADD, operation.dn, attributes))
    return Job(job.dn, job.what, job.send, on_success=lambda: delivered.append(item))


def _password_job(prepared: _Prepared, sealer: Sealer, key: str, item: Pending,
                  delivered: list[Pending], is_ad: bool) -> Job:
    """The password is opened only as its request leaves, while the server works on the ones
    before it. OpenLDAP: Password Modify (RFC 3062), the server hashes by its own policy; AD:
    unicodePwd, and "must change at next logon"."""
    dn = prepared.flavour.user_dn(prepared.desired.users[key])

    def send(server: Any) -> int:
        password = sealer.open(item.sealed)
        if is_ad:
            return int(server.modify_ext(dn, [
                (ldap.MOD_REPLACE, "unicodePwd", [unicode_password(password)]),
                (ldap.MOD_REPLACE, "pwdLastSet", [_pwd_last_set(item)])]))
        return int(server.passwd(dn, None, password))

    return Job(dn, "mot de passe", send, on_success=lambda: delivered.append(item))


def _pwd_last_set(item: Pending) -> bytes:
    """AD: 0 asks for a change at the next logon; -1 says the password was just set."""
    return b"0" if item.must_change else b"-1"


def _remember(engine: Engine, config: TargetConfig, all_targets: list[str],
              delivered: list[Pending], report: SyncReport, actor: str, now: datetime) -> None:
    summary = ", ".join(f"{what} : {n}" for what, n in sorted(report.counts.items())) or "rien"
    with engine.begin() as store:
        record_deliveries(store, config.name, delivered)
        forget_delivered(store, config.uai, all_targets)
        journal_entry(store, config.uai, "sync", config.name, actor, now,
                      {"écritures": report.writes, "détail": summary,
                       "mots de passe posés": len(delivered), "refus": len(report.refusals)})
