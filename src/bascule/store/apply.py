"""apply_plan: execute exactly a saved plan, in one transaction, or nothing at all."""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from operator import attrgetter

import msgspec
from sqlalchemy import Connection, Engine, bindparam, delete, insert, select, update
from sqlalchemy.sql import ClauseElement

from bascule.bulk import bulk_phase
from bascule.domain.logins import LoginKind
from bascule.errors import UserError
from bascule.plan.model import AccountStatus, Action, ActionKind, Identity, Plan, PlanPurpose
from bascule.store.batch import Rows, execute_many, insert_rows
from bascule.store.breaker import update_departure_marks
from bascule.store.changes import (
    Written,
    account_keys,
    capture,
    changes_of,
    fact_person_key,
    narrowed,
    record_changes,
    restore,
    scope_of,
)
from bascule.store.history import Provenance, record_apply
from bascule.store.journal_facts import KEPT_FACTS, bundled, folded
from bascule.store.login_collisions import refuse_ids_taken_elsewhere
from bascule.store.people import ids_by_key
from bascule.store.schema import (
    DROPPED_AT_ROLLOVER,
    account,
    delegation,
    fact,
    journal,
    login,
    pending_password,
    person,
    person_source_id,
    web_session,
)
from bascule.store.sealed import keep_for_targets
from bascule.store.state import bump_version, directory_version_of, fingerprint, mark_in_sync


class StalePlan(UserError):
    """The store moved since the plan was computed (an apply, an import, a hold, a review
    decision): neither applied nor, with `approving`, approved."""

    def __init__(self, *, approving: bool = False) -> None:
        which, done, then, then_in_console = (
            ("en attente", "approuvé", "approuvez-le", "approuvez-le") if approving else
            ("enregistré", "appliqué", "relancez « bascule apply --yes »",
             "approuvez-le et appliquez-le"))
        super().__init__(
            f"Le plan {which} n'est plus à jour : depuis son calcul, l'annuaire, la campagne "
            "importée, les retenues ou les décisions de la revue ont changé. Rien n'a été "
            f"{done}.",
            hint="Recalculez-le (bascule plan, ou bascule lifecycle pour les suppressions de "
                 f"septembre), relisez-le, puis {then}.",
            console_hint="Recalculez-le (bouton « Recalculer le plan » de la page Plan), "
                         f"relisez-le, puis {then_in_console}.")


@dataclass(frozen=True, slots=True, kw_only=True)
class Applied:
    counts: dict[str, int]
    version: int  # the school's directory version the apply left (store/state.py)
    apply_id: int | None = None  # its row in the history; None when there was nothing to do


def apply_plan(engine: Engine, plan: Plan, *, staged_sha256: str,
               password_hashes: Callable[[], Mapping[str, str]], actor: str, now: datetime,
               sealed_passwords: Mapping[str, str] | None = None,
               mass_leave_reason: str | None = None,
               provenance: Provenance | None = None,
               before_commit: Callable[[], object] = lambda: None) -> Applied:
    """Raises StalePlan, having written nothing, if the directory moved since the plan.
    `mass_leave_reason`: the plan's mass departures were confirmed, for this reason (journaled;
    the deletion breaker's reference starts again from the accounts left). The apply is
    recorded in the history (`provenance`: its saved plan and the backup taken before).
    `password_hashes` gives the created accounts' hashes, by person key: it is called once
    the other actions and the journal are written, so that they may be computed meanwhile.
    `before_commit` is called last, in the transaction: what it raises writes nothing (the
    apply waits there for the backup taken while it writes)."""
    provenance = provenance or Provenance()
    with bulk_phase(), engine.begin() as connection:
        if fingerprint(connection, plan.uai, staged_sha256) != plan.state_fingerprint:
            raise StalePlan()
        if not plan.actions:  # nothing to do: nothing written, not even a version
            return Applied(counts={}, version=directory_version_of(connection, plan.uai))
        ids = ids_by_key(connection, plan.uai, account_keys(plan))
        scope = scope_of(connection, plan, ids)
        before = capture(connection, scope)
        writer: _Writer | None = None
        if plan.purpose is PlanPurpose.UNDO:
            _undo(connection, plan, actor, now)
        else:
            writer = _Writer(connection, plan, now, ids, existing_logins=before.get("login"))
            _write(writer, plan, sealed_passwords or {})
        # A move is carried by its division facts; it is journaled like everything else
        # (while the hashes are computed: nothing of the journal reads the accounts).
        insert_rows(connection, journal, _JOURNAL_COLUMNS, _journal_rows(plan, actor, now))
        if mass_leave_reason is not None:
            execute_many(connection, insert(journal), [_mass_leave_row(plan, mass_leave_reason,
                                                                       actor, now)])
        if writer is not None:
            writer.insert_accounts(password_hashes())
        if plan.purpose is not PlanPurpose.UNDO:  # an undo puts the reference back itself
            update_departure_marks(connection, plan, confirmed=mass_leave_reason is not None)
        bump_version(connection, plan.uai)
        if plan.purpose is PlanPurpose.CAMPAIGN:
            mark_in_sync(connection, plan.uai, staged_sha256)
        counts = applied_counts(plan.actions)
        apply_id = record_apply(connection, uai=plan.uai, actor=actor, now=now,
                                purpose=plan.purpose.value, counts=counts,
                                provenance=provenance, undoes=plan.undoes)
        # An undo's writes are a record's, not a plan's: its whole scope is read again.
        written = None if writer is None else writer.written
        after_scope = scope_of(connection, plan) if written is None else narrowed(scope, before)
        record_changes(connection, apply_id, before, capture(connection, after_scope), written)
        if writer is not None:
            refuse_ids_taken_elsewhere(connection, plan, provenance.saved_plan_id)
        version = directory_version_of(connection, plan.uai)
        before_commit()
    return Applied(counts=counts, version=version, apply_id=apply_id)


def _undo(connection: Connection, plan: Plan, actor: str, now: datetime) -> None:
    """Put back what the applied plan `plan.undoes` changed, and say so in the journal."""
    assert plan.undoes is not None
    restore(connection, changes_of(connection, plan.undoes), now)
    connection.execute(insert(journal).values(
        at=now, actor=actor, uai=plan.uai, action="annulation", subject=str(plan.undoes),
        detail=json.dumps({"application": plan.undoes}, ensure_ascii=False)))


def _write(writer: _Writer, plan: Plan, sealed_passwords: Mapping[str, str]) -> None:
    """The plan's actions, kind by kind, in the order their rows depend on each other (the
    accounts created wait for their hashes: `insert_accounts`); the rows inserted where none
    could be before are noted in `writer.written`."""
    by_kind = _ByKind(plan.actions)
    for school in writer.transfer(by_kind[ActionKind.TRANSFER]):
        bump_version(writer.connection, school)  # its saved plan no longer holds
    writer.create(by_kind[ActionKind.CREATE])
    writer.keep_for_targets(sealed_passwords)
    writer.update(by_kind[ActionKind.UPDATE])
    writer.set_status(by_kind[ActionKind.DISABLE], AccountStatus.DISABLED)
    writer.drop_delegations(by_kind[ActionKind.DISABLE])
    writer.set_status(by_kind[ActionKind.REACTIVATE], AccountStatus.ACTIVE)
    writer.delete(by_kind[ActionKind.DELETE])
    writer.end_sessions(by_kind[ActionKind.DISABLE] + by_kind[ActionKind.DELETE])
    writer.remove_facts(by_kind[ActionKind.REMOVE])
    writer.add_facts(by_kind[ActionKind.ADD])


# An action's kind's value, read in C (see `_journal_detail`).
_KIND_VALUE = attrgetter("kind._value_")


def applied_counts(actions: tuple[Action, ...]) -> dict[str, int]:
    """What an apply did, by action kind, with the divisions and groups apart from the links
    (« add_structure », « remove_structure »): history says what the apply said."""
    counts = Counter(map(_KIND_VALUE, actions))
    for action in actions:
        if action.fact is not None and action.fact.kind == "structure":
            counts[action.kind.value] -= 1
            counts[f"{action.kind.value}_structure"] += 1
    return {kind: number for kind, number in counts.items() if number}


class _ByKind:
    """The actions of each kind, grouped by the kind's value: a str hashed, not the Enum (see
    `_journal_detail`)."""

    def __init__(self, actions: Iterable[Action]):
        self._actions: dict[str, list[Action]] = defaultdict(list)
        for action in actions:
            self._actions[action.kind._value_].append(action)

    def __getitem__(self, kind: ActionKind) -> list[Action]:
        return self._actions[kind._value_]


def _mass_leave_row(plan: Plan, reason: str, actor: str, now: datetime) -> dict[str, object]:
    detail = {"motif": reason, "profiles": [
        {"profile": leave.profile, "unexpected": leave.unexpected, "active": leave.active}
        for leave in plan.mass_leaves]}
    return {"at": now, "actor": actor, "uai": plan.uai, "action": "mass_leave_confirmed",
            "subject": str(plan.school_year), "detail": json.dumps(detail, ensure_ascii=False)}


_JOURNAL_COLUMNS = ("at", "actor", "uai", "action", "subject", "detail")


def _journal_rows(plan: Plan, actor: str, now: datetime) -> list[tuple[object, ...]]:
    """A line an action, but the facts added to a person the plan creates: on the line of
    their creation, and each run of creations one line (store/journal_facts.py)."""
    create, add = ActionKind.CREATE, ActionKind.ADD
    created = {action.person for action in plan.actions if action.kind is create}
    facts: dict[str, list[list[object]]] = defaultdict(list)
    lined: list[Action] = []
    for action in plan.actions:
        fact = folded(action) if action.kind is add and action.person in created else None
        if fact is None:
            lined.append(action)
        else:
            facts[action.person].append(fact)
    encode, uai = _JOURNAL_JSON.encode, plan.uai
    entries = ((action.kind._value_, action.person,
                encode(_journal_detail(action, facts.pop(action.person, None)
                                       if action.kind is create else None)))
               for action in lined)
    return [(now, actor, uai, kind, subject, detail.decode())
            for kind, subject, detail in bundled(entries)]


def _journal_detail(action: Action, facts: list[list[object]] | None = None
                    ) -> dict[str, object]:
    """The detail of an action's line."""
    # A kind's value read as `_value_`, the attribute Enum keeps it in, here and below: `.value`
    # is a property, and a dict by kind hashes each member in Python (tens of thousands of
    # times in a first rollover).
    detail: dict[str, object] = {
        "profile": action.profile, "label": action.label, "division": action.division,
        "logins": {kind._value_: value for kind, value in action.logins},
        "changes": [[change.field, change.old, change.new] for change in action.changes
                    ] if action.changes else [],
    }
    if action.fact is not None:
        detail["fact"] = [action.fact.kind, action.fact.target, action.fact.detail]
    if facts:
        detail[KEPT_FACTS] = facts
    return detail


# One encoder for the thousands of journal lines of a first rollover: msgspec's, several times
# cheaper than json's (the same document, read back by json.loads, without json's spaces).
_JOURNAL_JSON = msgspec.json.Encoder()


class _Writer:
    """Each kind of action written in bulk (executemany): thousands of rows, a few statements."""

    def __init__(self, connection: Connection, plan: Plan, now: datetime,
                 ids: Mapping[str, int], *,
                 existing_logins: Mapping[tuple[object, ...], object] | None = None):
        """`ids`: the row ids of the plan's people the store has (`ids_by_key` of
        `account_keys`). `existing_logins`: the rows of the logins the plan hands out, by
        (uai, namespace, login), read before the writes (the record's image); None: not
        known, every login issued takes over a row that may be there."""
        self.connection, self.plan, self.now = connection, plan, now
        self.existing_logins = existing_logins
        self.ids = dict(ids)
        self._created_accounts: list[Action] = []
        self.written = Written()
        self.created = self.written.people  # the people this apply created: row id -> key

    def _identity_values(self, identity: Identity | None) -> dict[str, object]:
        assert identity is not None  # creates and updates carry the identity
        return {"profile": identity.profile, "last_name": identity.last_name,
                "birth_name": identity.birth_name, "first_name": identity.first_name,
                "birth_date": identity.birth_date, "email": identity.email,
                "function": identity.function, "exit_date": identity.exit_date,
                "updated_at": self.now}

    def create(self, actions: list[Action]) -> None:
        if not actions:
            return
        self._insert_new_people([a for a in actions if a.person not in self.ids])
        # A returning person keeps their row, ids and history; their old account is replaced.
        self._executemany(delete(account).where(account.c.person_id == bindparam("pid")),
                          [{"pid": self.ids[a.person]} for a in actions
                           if self.ids[a.person] not in self.created])
        self._add_source_ids(actions)
        self._created_accounts = actions  # written last, with their hashes (insert_accounts)
        self._hold_logins(actions)

    def insert_accounts(self, hashes: Mapping[str, str]) -> None:
        """The created accounts, once their passwords are hashed (`hashes`: by person key;
        none, the empty hash, which matches no password): each row written once."""
        active, now, ids = AccountStatus.ACTIVE.value, self.now, self.ids
        insert_rows(self.connection, account, _ACCOUNT_COLUMNS, [
            (ids[a.person], active, now, hashes.get(a.person, ""), True, now)
            for a in self._created_accounts])

    def keep_for_targets(self, sealed: Mapping[str, str]) -> None:
        keep_for_targets(self.connection, {self.ids[key]: token for key, token in sealed.items()},
                         self.now)
        sealed_ids = {self.ids[key] for key in sealed}
        self.written.add_created("pending_password",
                                 [(pid,) for pid in self.created if pid in sealed_ids])

    def _insert_new_people(self, actions: list[Action]) -> None:
        if not actions:
            return
        # One executemany, then one query for the ids: RETURNING with many rows costs one
        # statement per row on SQLite.
        uai, now = self.plan.uai, self.now
        insert_rows(self.connection, person, _PERSON_COLUMNS, [
            (uai, a.person, _person_kind(a), now, i.profile, i.last_name, i.birth_name,
             i.first_name, i.birth_date, i.email, i.function, i.exit_date, now)
            for a in actions for i in (_identity(a),)])
        new = ids_by_key(self.connection, self.plan.uai, (a.person for a in actions))
        self.ids.update(new)
        self.created.update((new[a.person], a.person) for a in actions)  # in the plan's order

    def transfer(self, actions: list[Action]) -> set[str]:
        """Élèves arriving from another school of the folder: their person row (account,
        password, feed ids, history) comes to this school; the logins they leave there are
        freed into quarantine. Returns the schools they left."""
        for action in actions:
            assert action.from_school is not None and action.from_key is not None
            pid = self.connection.execute(select(person.c.id).where(
                (person.c.uai == action.from_school) & (person.c.key == action.from_key))
            ).scalar_one()
            self.connection.execute(update(person).where(person.c.id == pid).values(
                uai=self.plan.uai, key=action.person, **self._identity_values(action.identity)))
            self.ids[action.person] = pid
            for source in action.dropped_ids:
                self.connection.execute(delete(person_source_id).where(
                    (person_source_id.c.person_id == pid)
                    & (person_source_id.c.scheme == source.scheme)
                    & (person_source_id.c.value == source.value)))
            self.connection.execute(update(login).where(
                (login.c.person_id == pid) & (login.c.uai == action.from_school)
                & login.c.freed_at.is_(None)).values(freed_at=self.now))
            self.connection.execute(update(account).where(
                (account.c.person_id == pid) & (account.c.status != AccountStatus.ACTIVE.value))
                .values(status=AccountStatus.ACTIVE.value, status_since=self.now))
            self.connection.execute(insert(journal).values(
                at=self.now, actor="bascule", uai=action.from_school, action="départ",
                subject=action.from_key, detail=json.dumps(
                    {"vers": self.plan.uai, "label": action.label, "clé": action.person,
                     "identifiants": {kind.value: value for kind, value in action.previous_logins}},
                    ensure_ascii=False)))
        self._add_source_ids(actions)
        self._hold_logins(actions)
        return {a.from_school for a in actions if a.from_school is not None}

    def _hold_logins(self, actions: list[Action]) -> None:
        """Issue the logins, taking over a row freed earlier (quarantine over, or the same
        person coming back). Logins a person already holds are left as they are."""
        previous = {(a.person, kind) for a in actions for kind, _ in a.previous_logins}
        uai, now, ids = self.plan.uai, self.now, self.ids
        issued = (ActionKind.CREATE, ActionKind.TRANSFER)
        held = [(uai, kind._value_, value, ids[a.person], now, None)
                for a in actions for kind, value in a.logins
                if a.kind in issued or (a.person, kind) in previous]
        there = self.existing_logins
        # `there` None: any of them may be there; empty: none is (a first rollover).
        taken_over = [] if there is not None and not there else [
            {"uai": row[0], "namespace": row[1], "login": row[2]} for row in held
            if there is None or row[:3] in there]
        self._executemany(delete(login).where(
            (login.c.uai == bindparam("uai")) & (login.c.namespace == bindparam("namespace"))
            & (login.c.login == bindparam("login"))), taken_over)
        insert_rows(self.connection, login, _LOGIN_COLUMNS, held)
        self.written.add_logins(held)

    def _add_source_ids(self, actions: list[Action]) -> None:
        ids = self.ids
        rows = [(ids[a.person], source.scheme, source.value)
                for a in actions for source in a.source_ids]
        insert_rows(self.connection, person_source_id, ("person_id", "scheme", "value"), rows)
        self.written.add_created("person_source_id", rows)

    def update(self, actions: list[Action]) -> None:
        if not actions:
            return
        self._executemany(update(person).where(person.c.id == bindparam("pid")), [
            {"pid": self.ids[a.person], **self._identity_values(a.identity)} for a in actions])
        self._add_source_ids(actions)
        renamed = [a for a in actions if a.previous_logins]
        if not renamed:
            return
        # A login left behind is freed, not deleted: quarantined for anyone else.
        self._executemany(
            update(login)
            .where((login.c.uai == self.plan.uai)
                   & (login.c.namespace == bindparam("b_namespace"))
                   & (login.c.login == bindparam("b_login")))
            .values(freed_at=self.now),
            [{"b_namespace": kind.value, "b_login": value}
             for a in renamed for kind, value in a.previous_logins])
        self._hold_logins(renamed)

    def set_status(self, actions: list[Action], status: AccountStatus) -> None:
        self._executemany(
            update(account).where(account.c.person_id == bindparam("pid"))
            .values(status=status.value, status_since=self.now),
            [{"pid": self.ids[a.person]} for a in actions])

    def drop_delegations(self, actions: list[Action]) -> None:
        """Who leaves loses their delegations; the principal sees them to renew (delegation
        list)."""
        self._executemany(
            update(delegation).where((delegation.c.person_id == bindparam("pid"))
                                     & delegation.c.revoked_at.is_(None))
            .values(revoked_at=self.now, revoked_by=DROPPED_AT_ROLLOVER),
            [{"pid": self.ids[a.person]} for a in actions])

    def end_sessions(self, actions: list[Action]) -> None:
        """A disabled or deleted account's console sessions end with it (and stay ended should
        it come back)."""
        self._executemany(
            update(web_session).where((web_session.c.person_id == bindparam("pid"))
                                      & web_session.c.ended_at.is_(None))
            .values(ended_at=self.now, end_reason="compte désactivé"),
            [{"pid": self.ids[a.person]} for a in actions])

    def delete(self, actions: list[Action]) -> None:
        """The account can never be used again: no hash, logins freed into quarantine."""
        people = [{"pid": self.ids[a.person]} for a in actions]
        self._executemany(
            update(account).where(account.c.person_id == bindparam("pid"))
            .values(status=AccountStatus.DELETED.value, status_since=self.now, password_hash=""),
            people)
        self._executemany(delete(pending_password).where(
            pending_password.c.person_id == bindparam("pid")), people)
        self._executemany(
            update(login).where((login.c.person_id == bindparam("pid"))
                                & login.c.freed_at.is_(None)).values(freed_at=self.now),
            people)

    def _fact_rows(self, actions: list[Action]) -> list[tuple[object, ...]]:
        """The values of `_FACT_KEY` (all of a fact's columns)."""
        uai, year = self.plan.uai, self.plan.school_year.start
        return [(uai, year, a.fact.kind, a.fact.subject, a.fact.target, a.fact.detail)
                for a in actions if a.fact is not None]

    def add_facts(self, actions: list[Action]) -> None:
        rows = self._fact_rows(actions)
        insert_rows(self.connection, fact, _FACT_KEY, rows)
        # The unique key: none of these was there.
        self.written.rows["fact"].update(
            [(row, fact_person_key(str(row[2]), str(row[3]))) for row in rows])

    def remove_facts(self, actions: list[Action]) -> None:
        self._executemany(delete(fact).where(*(fact.c[name] == bindparam(f"b_{name}")
                                               for name in _FACT_KEY)),
                          [dict(zip(_BOUND_FACT_KEY, row, strict=True))
                           for row in self._fact_rows(actions)])

    def _executemany(self, statement: ClauseElement, rows: Rows) -> None:
        execute_many(self.connection, statement, rows)


_FACT_KEY = ("uai", "school_year", "kind", "subject", "target", "detail")  # its unique key
_BOUND_FACT_KEY = tuple(f"b_{name}" for name in _FACT_KEY)
_ACCOUNT_COLUMNS = ("person_id", "status", "status_since", "password_hash",
                    "must_change_password", "created_at")
_LOGIN_COLUMNS = ("uai", "namespace", "login", "person_id", "issued_at", "freed_at")
_IDENTITY_COLUMNS = ("profile", "last_name", "birth_name", "first_name", "birth_date", "email",
                     "function", "exit_date")
_PERSON_COLUMNS = ("uai", "key", "kind", "created_at", *_IDENTITY_COLUMNS, "updated_at")


def _identity(action: Action) -> Identity:
    """The identity a create carries: its fields are a person row's `_IDENTITY_COLUMNS`
    (`_insert_new_people` puts them in that order)."""
    assert action.identity is not None  # creates carry the identity
    return action.identity


@dataclass(frozen=True, slots=True, kw_only=True)
class Arrival:
    """An élève who came from another school of the folder: where, and under which key and
    network login there."""

    from_school: str
    from_key: str
    key: str
    login: str | None


def arrivals(connection: Connection, uai: str) -> list[Arrival]:
    """The transfers into this school, from the former schools' journals."""
    found = []
    for row in connection.execute(select(journal.c.uai, journal.c.subject, journal.c.detail)
                                  .where(journal.c.action == "départ").order_by(journal.c.id)):
        detail = json.loads(row.detail)
        if detail.get("vers") == uai and detail.get("clé"):
            found.append(Arrival(from_school=row.uai, from_key=row.subject, key=detail["clé"],
                                 login=detail.get("identifiants", {}).get(
                                     LoginKind.NETWORK.value)))
    return found


def _person_kind(action: Action) -> str:
    assert action.person_kind is not None  # account actions always say whose
    return action.person_kind._value_  # the attribute `.value` reads, without its property
