"""apply_plan: execute exactly a saved plan, in one transaction, or nothing at all."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, Engine, delete, insert, select, update

from bascule.directory.schema import (
    account,
    directory_version,
    fact,
    journal,
    login,
    person,
    person_source_id,
)
from bascule.directory.state import fingerprint
from bascule.errors import UserError
from bascule.plan.model import AccountStatus, Action, ActionKind, Identity, Plan


class StalePlan(UserError):
    def __init__(self) -> None:
        super().__init__(
            "Le plan enregistré n'est plus à jour : l'annuaire ou la campagne importée ont "
            "changé depuis son calcul. Rien n'a été appliqué.",
            hint="Recalculez-le avec « bascule plan », relisez-le, puis relancez « bascule apply "
                 "--yes ».")


@dataclass(frozen=True, slots=True, kw_only=True)
class Applied:
    counts: dict[str, int]


def apply_plan(engine: Engine, plan: Plan, *, staged_sha256: str,
               password_hashes: Mapping[str, str], actor: str, now: datetime) -> Applied:
    """Raises StalePlan, having written nothing, if the directory moved since the plan."""
    with engine.begin() as connection:
        if fingerprint(connection, plan.uai, staged_sha256) != plan.state_fingerprint:
            raise StalePlan()
        writer = _Writer(connection, plan, password_hashes, now)
        for action in plan.actions:
            writer.apply(action)
        connection.execute(insert(journal), [_journal_row(plan, action, actor, now)
                                             for action in plan.actions])
        _bump_version(connection, plan.uai)
    return Applied(counts=dict(Counter(action.kind.value for action in plan.actions)))


def _journal_row(plan: Plan, action: Action, actor: str, now: datetime) -> dict[str, object]:
    detail: dict[str, object] = {
        "profile": action.profile, "label": action.label, "division": action.division,
        "logins": {kind.value: value for kind, value in action.logins},
        "changes": [list(change) for change in action.changes],
    }
    if action.fact is not None:
        detail["fact"] = [action.fact.kind, action.fact.target, action.fact.detail]
    return {"at": now, "actor": actor, "uai": plan.uai, "action": action.kind.value,
            "subject": action.person, "detail": json.dumps(detail, ensure_ascii=False)}


def _bump_version(connection: Connection, uai: str) -> None:
    changed = connection.execute(update(directory_version)
                                 .where(directory_version.c.uai == uai)
                                 .values(version=directory_version.c.version + 1)).rowcount
    if not changed:
        connection.execute(insert(directory_version).values(uai=uai, version=1))


class _Writer:
    """One method per action kind; person keys resolved to row ids as people are created."""

    def __init__(self, connection: Connection, plan: Plan, hashes: Mapping[str, str],
                 now: datetime):
        self.connection, self.plan, self.hashes, self.now = connection, plan, hashes, now
        self.ids = {row.key: row.id for row in connection.execute(
            select(person.c.key, person.c.id).where(person.c.uai == plan.uai))}

    def apply(self, action: Action) -> None:
        {
            ActionKind.CREATE: self._create,
            ActionKind.UPDATE: self._update,
            ActionKind.MOVE: lambda _action: None,  # the division facts carry the move
            ActionKind.DISABLE: lambda a: self._set_status(a, AccountStatus.DISABLED),
            ActionKind.REACTIVATE: lambda a: self._set_status(a, AccountStatus.ACTIVE),
            ActionKind.ADD: self._add_fact,
            ActionKind.REMOVE: self._remove_fact,
        }[action.kind](action)

    def _identity_values(self, identity: Identity) -> dict[str, object]:
        return {"profile": identity.profile, "last_name": identity.last_name,
                "birth_name": identity.birth_name, "first_name": identity.first_name,
                "birth_date": identity.birth_date, "email": identity.email,
                "function": identity.function, "updated_at": self.now}

    def _create(self, action: Action) -> None:
        assert action.identity is not None
        person_id = self.ids.get(action.person)
        if person_id is None:  # a returning person keeps their row, ids and history
            assert action.person_kind is not None
            person_id = self.connection.execute(insert(person).values(
                uai=self.plan.uai, key=action.person, kind=action.person_kind.value,
                created_at=self.now, **self._identity_values(action.identity),
            ).returning(person.c.id)).scalar_one()
            self.ids[action.person] = person_id
        else:
            self.connection.execute(delete(account).where(account.c.person_id == person_id))
        self._add_source_ids(person_id, action)
        self.connection.execute(insert(account).values(
            person_id=person_id, status=AccountStatus.ACTIVE.value, status_since=self.now,
            password_hash=self.hashes[action.person], must_change_password=True,
            created_at=self.now))
        for kind, value in action.logins:
            self._hold_login(person_id, kind.value, value)

    def _hold_login(self, person_id: int, namespace: str, value: str) -> None:
        where = ((login.c.uai == self.plan.uai) & (login.c.namespace == namespace)
                 & (login.c.login == value))
        if self.connection.execute(select(login.c.person_id).where(where)).first():
            self.connection.execute(update(login).where(where).values(
                person_id=person_id, issued_at=self.now, freed_at=None))
        else:
            self.connection.execute(insert(login).values(
                uai=self.plan.uai, namespace=namespace, login=value, person_id=person_id,
                issued_at=self.now, freed_at=None))

    def _add_source_ids(self, person_id: int, action: Action) -> None:
        if action.source_ids:
            self.connection.execute(insert(person_source_id), [
                {"person_id": person_id, "scheme": source.scheme, "value": source.value}
                for source in action.source_ids])

    def _update(self, action: Action) -> None:
        assert action.identity is not None
        person_id = self.ids[action.person]
        self.connection.execute(update(person).where(person.c.id == person_id).values(
            **self._identity_values(action.identity)))
        self._add_source_ids(person_id, action)

    def _set_status(self, action: Action, status: AccountStatus) -> None:
        self.connection.execute(update(account)
                                .where(account.c.person_id == self.ids[action.person])
                                .values(status=status.value, status_since=self.now))

    def _fact_row(self, action: Action) -> dict[str, object]:
        assert action.fact is not None
        return {"uai": self.plan.uai, "school_year": self.plan.school_year.start,
                "kind": action.fact.kind, "subject": action.fact.subject,
                "target": action.fact.target, "detail": action.fact.detail}

    def _add_fact(self, action: Action) -> None:
        self.connection.execute(insert(fact).values(**self._fact_row(action)))

    def _remove_fact(self, action: Action) -> None:
        row = self._fact_row(action)
        self.connection.execute(delete(fact).where(*(fact.c[name] == value
                                                     for name, value in row.items())))

