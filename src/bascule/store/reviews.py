"""The review queue: correlation cases kept, decided by a person, remembered and reversible.

A plan lists the people it holds for review (plan.reviews); `record_reviews` keeps them, one row
per school and person of the export. A decision ("same person", "different person", "not yet")
is read back by every later plan (`resolutions`) until it is reversed. "Same person" keeps a copy
of the account it lets follow (person row, ids, account, logins, facts), so that the reversal
puts back exactly what was there.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, Date, delete, insert, select, update

from bascule.errors import UserError
from bascule.plan.model import Choice, Resolution, ReviewCase
from bascule.store.codec import from_json, to_json
from bascule.store.people import journal_entry
from bascule.store.schema import (
    account,
    fact,
    login,
    person,
    person_source_id,
    review_case,
)
from bascule.store.state import bump_version
from bascule.store.types import UtcDateTime

OPEN, RESOLVED, CLOSED = "open", "resolved", "closed"
_IDENTITY = ("profile", "last_name", "birth_name", "first_name", "birth_date", "email",
             "function", "updated_at")


@dataclass(frozen=True, slots=True, kw_only=True)
class StoredCase:
    number: int
    person: str  # the snapshot ref
    label: str
    status: str  # open, resolved, closed (the person is no longer in doubt)
    review: ReviewCase
    choice: Choice | None
    candidates: tuple[str, ...]
    decided_by: str | None
    decided_at: datetime | None


def record_reviews(connection: Connection, uai: str, cases: tuple[ReviewCase, ...],
                   now: datetime) -> None:
    """Keep the plan's cases; an open case the plan no longer holds is closed."""
    existing = {row.person: row for row in connection.execute(
        select(review_case.c.person, review_case.c.status).where(review_case.c.uai == uai))}
    for case in cases:
        values = {"label": case.label, "review": to_json(case), "updated_at": now}
        row = existing.get(case.person)
        if row is None:
            connection.execute(insert(review_case).values(
                uai=uai, person=case.person, status=OPEN, opened_at=now, **values))
            continue
        status = OPEN if row.status == CLOSED else row.status
        connection.execute(update(review_case).where(
            (review_case.c.uai == uai) & (review_case.c.person == case.person))
            .values(status=status, **values))
    gone = [p for p, row in existing.items() if row.status == OPEN
            and p not in {case.person for case in cases}]
    if gone:
        connection.execute(update(review_case).where(
            (review_case.c.uai == uai) & review_case.c.person.in_(gone))
            .values(status=CLOSED, updated_at=now))


def resolutions(connection: Connection, uai: str) -> dict[str, Resolution]:
    """The decisions in force, by snapshot ref: every plan of the school reads them."""
    query = select(review_case.c.person, review_case.c.choice, review_case.c.candidates).where(
        (review_case.c.uai == uai) & review_case.c.choice.is_not(None))
    return {row.person: Resolution(choice=Choice(row.choice),
                                   candidates=tuple(json.loads(row.candidates or "[]")))
            for row in connection.execute(query)}


def review_cases(connection: Connection, uai: str, *, closed: bool = False) -> list[StoredCase]:
    query = select(review_case).where(review_case.c.uai == uai).order_by(review_case.c.id)
    if not closed:
        query = query.where(review_case.c.status != CLOSED)
    return [_stored(row) for row in connection.execute(query)]


def find_case(connection: Connection, uai: str, wanted: str) -> StoredCase:
    """By its number or the person's ref ("eleve:151002")."""
    for case in review_cases(connection, uai, closed=True):
        if wanted in (str(case.number), case.person):
            return case
    raise UserError(f"Aucun cas de revue « {wanted} » pour {uai}.",
                    hint="Les cas en attente : bascule review list",
                    console_hint="Les cas en attente sont sur la page Revue des identités.")


def _stored(row: Any) -> StoredCase:
    return StoredCase(number=row.id, person=row.person, label=row.label, status=row.status,
                      review=from_json(row.review, ReviewCase),
                      choice=Choice(row.choice) if row.choice else None,
                      candidates=tuple(json.loads(row.candidates or "[]")),
                      decided_by=row.decided_by, decided_at=row.decided_at)


def resolve_case(connection: Connection, uai: str, case: StoredCase, choice: Choice,
                 candidate: str | None, by: str, now: datetime) -> tuple[str, ...]:
    """Record a person's decision; returns the directory keys it is about."""
    keys = _decided_keys(case, choice, candidate)
    if choice is Choice.SAME:
        _not_held_by_another(case, keys[0])
        _not_given_already(connection, uai, case, keys[0])
    # The account of another school of the folder (« UAI/key ») has nothing here to give back:
    # once the plan applied brought it over, an undo of that apply returns it.
    before = (_copy_of(connection, uai, keys[0]) if choice is Choice.SAME
              and _of_this_school(case, keys[0]) else None)
    connection.execute(update(review_case).where(review_case.c.id == case.number).values(
        status=OPEN if choice is Choice.NOT_YET else RESOLVED, choice=choice.value,
        candidates=json.dumps(list(keys)), decided_by=by, decided_at=now, updated_at=now,
        before=json.dumps(before, default=str) if before else None))
    _journal(connection, uai, "revue", case, by, now, {"décision": choice.label,
                                                         "comptes": list(keys)})
    bump_version(connection, uai)  # a plan saved before the decision no longer holds
    return keys


def _of_this_school(case: StoredCase, key: str) -> bool:
    return all(c.school is None for c in case.review.candidates if c.key == key)


def _not_held_by_another(case: StoredCase, key: str) -> None:
    """One account, one person: a decision may not give an account the plan gives another
    person of the export with certainty (that person would be held too, and lose it)."""
    candidate = next((c for c in case.review.candidates if c.key == key), None)
    if candidate is None or not candidate.taken_by:
        return
    login = f" ({candidate.login})" if candidate.login else ""
    raise UserError(
        f"Le compte {key}{login} est celui de {candidate.taken_by}, présent dans l'export, à "
        f"qui le plan le donne avec certitude : il ne peut pas être aussi celui de "
        f"{case.label} ({case.person}).",
        hint=f"Si {case.label} ({case.person}) est la même personne, sa fiche est en double "
             "dans Siècle-BEE : supprimez-la (ou corrigez son INE), puis importez l'export de "
             f"nouveau. Si c'est une autre personne : bascule review resolve {case.number} "
             "different. En attendant, le cas reste ouvert et rien ne change.",
        console_hint=f"Si {case.label} est la même personne, sa fiche est en double dans "
                     "Siècle-BEE : faites-la supprimer (ou corriger son INE), puis importer "
                     "l'export de nouveau. Si c'est une autre personne, décidez « personne "
                     "différente ». En attendant, le cas reste ouvert et rien ne change.")


def _not_given_already(connection: Connection, uai: str, case: StoredCase, key: str) -> None:
    """One account, one person: a decision may not give an account another case gave."""
    for other in review_cases(connection, uai, closed=True):
        if other.number != case.number and other.choice is Choice.SAME \
                and other.candidates[:1] == (key,):
            login = next((f" ({c.login})" for c in case.review.candidates
                          if c.key == key and c.login), "")
            raise UserError(
                f"Le compte {key}{login} est déjà donné à {other.label} ({other.person}) par le "
                f"cas {other.number} : il ne peut pas être aussi celui de {case.label} "
                f"({case.person}).",
                hint=f"Si le compte est bien celui de {case.label}, annulez d'abord le cas "
                     f"{other.number} (bascule review reverse {other.number}) ; sinon, "
                     f"décidez « personne différente » (bascule review resolve {case.number} "
                     "different).",
                console_hint=f"Si le compte est bien celui de {case.label}, annulez d'abord la "
                             f"décision du cas {other.number} ; sinon, décidez « personne "
                             "différente ».")


def _decided_keys(case: StoredCase, choice: Choice, candidate: str | None) -> tuple[str, ...]:
    known = [c.key for c in case.review.candidates]
    logins = {c.login: c.key for c in case.review.candidates if c.login}
    if candidate is not None:
        chosen = logins.get(candidate, candidate)
        if chosen not in known:
            raise UserError(f"« {candidate} » n'est pas un des comptes de ce cas.",
                            hint=f"Les comptes possibles : {', '.join(known)}")
        return (chosen,)
    if choice is Choice.SAME and len(known) != 1:
        raise UserError("Ce cas a plusieurs comptes possibles : précisez lequel.",
                        hint=f"--compte avec l'un de : {', '.join(known)}")
    return tuple(known)


def reverse_case(connection: Connection, uai: str, case: StoredCase, by: str,
                 now: datetime) -> None:
    """Undo a decision: a followed account gets back exactly what it had, and the person is in
    doubt again (held, nothing done) until someone decides anew."""
    if case.choice is None:
        raise UserError(f"Le cas {case.number} n'a pas de décision à annuler.")
    before = connection.execute(select(review_case.c.before).where(
        review_case.c.id == case.number)).scalar()
    if before:
        _restore(connection, json.loads(before))
    connection.execute(update(review_case).where(review_case.c.id == case.number).values(
        status=OPEN, choice=None, candidates=None, decided_by=None, decided_at=None,
        before=None, updated_at=now))
    _journal(connection, uai, "revue annulée", case, by, now,
             {"décision annulée": case.choice.label, "comptes": list(case.candidates)})
    bump_version(connection, uai)


def _journal(connection: Connection, uai: str, action: str, case: StoredCase, by: str,
             now: datetime, detail: dict[str, object]) -> None:
    journal_entry(connection, uai, action, case.person, by, now, {"label": case.label, **detail})


def _copy_of(connection: Connection, uai: str, key: str) -> dict[str, Any]:
    """Everything a "same person" decision can change about the account that follows."""
    row = connection.execute(select(person).where(
        (person.c.uai == uai) & (person.c.key == key))).one()
    pid = row.id
    return {
        "person_id": pid, "uai": uai, "key": key,
        "person": {name: _plain(getattr(row, name)) for name in _IDENTITY},
        "ids": [[r.scheme, r.value] for r in connection.execute(
            select(person_source_id).where(person_source_id.c.person_id == pid))],
        "account": [_row(r) for r in connection.execute(
            select(account).where(account.c.person_id == pid))],
        "logins": [_row(r) for r in connection.execute(
            select(login).where(login.c.person_id == pid))],
        "facts": [_row(r) for r in connection.execute(select(fact).where(
            (fact.c.uai == uai) & ((fact.c.subject == key) | (fact.c.target == key))))],
    }


def _plain(value: object) -> object:
    return value.isoformat() if hasattr(value, "isoformat") else value


def _row(row: Any) -> dict[str, object]:
    return {name: _plain(value) for name, value in row._mapping.items()}


def _restore(connection: Connection, copy: dict[str, Any]) -> None:
    pid, uai, key = copy["person_id"], copy["uai"], copy["key"]
    identity = {name: _parsed(person.c[name], value) for name, value in copy["person"].items()}
    connection.execute(update(person).where(person.c.id == pid).values(**identity))
    for table, rows, where in (
            (person_source_id, [{"person_id": pid, "scheme": s, "value": v}
                                for s, v in copy["ids"]], person_source_id.c.person_id == pid),
            (account, copy["account"], account.c.person_id == pid),
            (login, copy["logins"], login.c.person_id == pid),
            (fact, copy["facts"], (fact.c.uai == uai)
             & ((fact.c.subject == key) | (fact.c.target == key)))):
        connection.execute(delete(table).where(where))
        if rows:
            connection.execute(insert(table), [
                {name: _parsed(table.c[name], value) for name, value in row.items()}
                for row in rows])


def _parsed(column: Any, value: object) -> object:
    """JSON gave text back: dates and instants are parsed again for their columns."""
    if isinstance(value, str) and isinstance(column.type, UtcDateTime):
        return datetime.fromisoformat(value)
    if isinstance(value, str) and isinstance(column.type, Date):
        return date.fromisoformat(value)
    return value
