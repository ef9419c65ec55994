"""EduConnect ids held by two people of the folder (a bascule before 30 November 2026 made each
school's p.nom unique in the school only), and the responsables probably known twice, read for
`verify` and `feed educonnect`. Read-only: an id already given is never renamed here."""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import Connection, and_, select

from bascule.domain.logins import LoginKind, LoginOwner, SharedLogin, probably_same
from bascule.plan.model import AccountStatus
from bascule.store.schema import account, login, person


def _held_educonnect(connection: Connection) -> dict[str, list[LoginOwner]]:
    """Every EduConnect id held now in the folder (not freed, account not deleted), with its
    holders, in the order they were given."""
    query = (select(login.c.login, person.c.id, person.c.uai, person.c.key, person.c.profile,
                    person.c.last_name, person.c.first_name, person.c.email, account.c.status)
             .join(person, person.c.id == login.c.person_id)
             .outerjoin(account, and_(account.c.person_id == person.c.id))
             .where((login.c.namespace == LoginKind.EDUCONNECT.value)
                    & login.c.freed_at.is_(None))
             .order_by(login.c.issued_at, login.c.uai))
    holders: dict[str, list[LoginOwner]] = defaultdict(list)
    seen: set[tuple[str, int]] = set()
    for name, pid, uai, key, profile, last, first, email, status in connection.execute(query):
        if status == AccountStatus.DELETED.value or (name, pid) in seen:
            continue
        seen.add((name, pid))
        holders[name].append(LoginOwner(uai=uai, key=key, profile=profile, last_name=last,
                                        first_name=first, email=email, status=status))
    return holders


def shared_educonnect(connection: Connection, uai: str) -> list[SharedLogin]:
    """The EduConnect ids this school's people hold that someone of another school of the
    folder holds too, by id."""
    shared = []
    for name, holders in sorted(_held_educonnect(connection).items()):
        for here in (h for h in holders if h.uai == uai):
            shared += [SharedLogin(login=name, here=here, there=there)
                       for there in holders if there.uai != uai]
    return shared


def twin_responsables(connection: Connection, uai: str
                      ) -> list[tuple[LoginOwner, str, LoginOwner, str]]:
    """The responsables of this school probably known in another school of the folder too
    (`probably_same`), each with their own EduConnect id: (here, id, there, id)."""
    owners = [(name, owner) for name, holders in _held_educonnect(connection).items()
              for owner in holders if owner.profile == "responsable"]
    by_email: dict[str, list[tuple[str, LoginOwner]]] = defaultdict(list)
    for name, owner in owners:
        if owner.email:
            by_email[owner.email.strip().casefold()].append((name, owner))
    twins = []
    for group in by_email.values():
        for name, here in group:
            if here.uai != uai:
                continue
            twins += [(here, name, there, other) for other, there in group
                      if there.uai != uai and other != name and probably_same(here, there)]
    return sorted(twins, key=lambda t: (t[0].label, t[1], t[2].uai))
