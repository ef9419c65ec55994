"""Held people: the campaign's records set aside for a fault, turned into people left as they are.

Pure. A held record names a person by its own id (ELEVE_ID, PERSONNE_ID, the STS key) and by any
other id it still carries (an INE). Everyone in the directory it names is held: never disabled,
moved, renamed or updated, their facts kept. What each kind of fault does is decided by the
snapshot's table (snapshot/holds.py); here:

- HOLD: known people held; a new person is listed, and not created;
- WITHOUT_FIELD: known people held; a new person is created without the faulty field (the
  snapshot holds them so), and not listed here;
- SET_ASIDE (a link): the people it names are held only when the campaign does not list them
  otherwise, so that a faulty link never makes anyone a leaver.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from datetime import date

from bascule.plan.desired import id_family
from bascule.plan.model import Fact, Held, HoldOrigin, KnownPerson, PersonHold, PersonKind
from bascule.snapshot.model import HeldRecord, Snapshot, Treatment

_STAFF_SCHEMES = {"epp": "sts_epp", "local": "sts_local", "csv": "csv"}


@dataclass(slots=True)
class Holds:
    """Who the plan leaves alone: their directory keys, their campaign refs, and the list."""

    keys: set[str] = field(default_factory=set)
    refs: set[str] = field(default_factory=set)
    held: list[Held] = field(default_factory=list)

    def add(self, held: Held, ref: str | None = None) -> None:
        if held.known:
            self.keys.add(held.key)
        if ref is not None:
            self.refs.add(ref)
        if held not in self.held:
            self.held.append(held)

    def keeps(self, fact: Fact) -> bool:
        """A fact of a held person stays as it is."""
        return fact.subject in self.keys or fact.target in self.keys


def id_values(record: HeldRecord) -> set[tuple[str, str]]:
    """The (scheme family, value) pairs that name the record's person in the directory."""
    ids = {(id_family(scheme), value) for scheme, value in record.other_ids if value}
    if not record.person_id:
        return ids
    if record.kind is PersonKind.ELEVE:
        ids.add(("eleve_id", record.person_id))
    elif record.kind is PersonKind.RESPONSABLE:
        ids.add(("personne_id", record.person_id))
    else:
        source, _, staff_id = record.person_id.partition(":")
        ids.add((_STAFF_SCHEMES.get(source, source), staff_id))
    return ids


def _index(people: Iterable[KnownPerson]) -> dict[tuple[PersonKind, str, str], set[str]]:
    index: dict[tuple[PersonKind, str, str], set[str]] = defaultdict(set)
    for person in people:
        for source in person.source_ids:
            index[(person.kind, id_family(source.scheme), source.value)].add(person.key)
    return index


def hold_people(snapshot: Snapshot, people: Iterable[KnownPerson],
                listed: Collection[str]) -> Holds:
    """The held people of this campaign, in the order of the records (`listed`: the refs of
    the campaign's desired people)."""
    if not snapshot.held:
        return Holds()
    known = {person.key: person for person in people}
    index = _index(known.values())
    holds = Holds()
    for record in snapshot.held:
        kind = record.kind
        keys = sorted(set().union(*(index.get((kind, family, value), set())
                                    for family, value in id_values(record))))
        if record.treatment is Treatment.SET_ASIDE and (record.ref in listed or not keys):
            continue
        if record.treatment is Treatment.WITHOUT_FIELD and not keys:
            continue  # a new person, created without the faulty field
        for key in keys:
            identity = known[key].identity
            holds.add(_held(record, key, f"{identity.last_name} {identity.first_name}"),
                      record.ref)
        if not keys:
            holds.add(_held(record, record.ref, record.label, known=False), record.ref)
    return holds


def _held(record: HeldRecord, key: str, label: str, *, known: bool = True) -> Held:
    return Held(key=key, label=label, reason=record.reason, location=record.location,
                hint=record.hint, known=known)


def held_by_hand(person_holds: Iterable[PersonHold], day: date,
                 known: set[str]) -> list[Held]:
    """The holds put by hand still running on `day` (their last day included), as Held: a
    person in the directory (`known`: the school's keys) is kept as they are; a campaign ref
    is not created."""
    return [Held(key=hold.key, label=hold.label, reason=_hand_reason(hold),
                 hint=f"Pour la lever avant : page Retenues, ou bascule hold remove {hold.key}",
                 known=hold.key in known, until=hold.until, by=hold.by)
            for hold in sorted(person_holds, key=lambda h: (h.key, h.until))
            if hold.active_on(day)]


def _hand_reason(hold: PersonHold) -> str:
    why = ("action exclue à l'approbation du plan" if hold.origin is HoldOrigin.EXCLUDED
           else "retenue")
    return f"{why} par {hold.by} jusqu'au {hold.until:%d/%m/%Y} : {hold.reason}"
