"""EduConnect ids held by two people of the folder (a bascule before 30 November 2026 made each
school's p.nom unique in the school only), and the responsables probably known twice, read for
`verify` and `feed educonnect`. Read-only: an id already given is never renamed here."""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import ColumnElement, Connection, Engine, func, select

from bascule.domain.logins import LoginKind, LoginOwner, SharedLogin, probably_same
from bascule.errors import UserError
from bascule.plan.model import AccountStatus, ActionKind, Plan
from bascule.store.batch import among, slices
from bascule.store.plans import read_folder_versions
from bascule.store.schema import account, login, person
from bascule.store.state import folder_versions, other_schools


def _held_educonnect(connection: Connection, where: ColumnElement[bool],
                     parameters: dict[str, object] | None = None) -> list[tuple[str, LoginOwner]]:
    """The EduConnect ids held now (not freed, account not deleted) that `where` selects
    (through uq_login: by school first), with their holders, in the order they were given."""
    query = (select(login.c.login, person.c.uai, person.c.key, person.c.profile,
                    person.c.last_name, person.c.first_name, person.c.email, account.c.status)
             .join(person, person.c.id == login.c.person_id)
             .outerjoin(account, account.c.person_id == person.c.id)
             .where((login.c.namespace == LoginKind.EDUCONNECT.value)
                    & login.c.freed_at.is_(None) & where)
             .order_by(login.c.issued_at, login.c.uai))
    return [(name, LoginOwner(uai=uai, key=key, profile=profile, last_name=last,
                              first_name=first, email=email, status=status))
            for name, uai, key, profile, last, first, email, status
            in connection.execute(query, parameters or {})
            if status != AccountStatus.DELETED.value]


def shared_educonnect(connection: Connection, uai: str) -> list[SharedLogin]:
    """The EduConnect ids this school's people hold that someone of another school of the
    folder holds too, by id."""
    here = [(name, owner) for name, owner in _held_educonnect(connection, login.c.uai == uai)
            if owner.uai == uai]
    others = other_schools(connection, uai)
    if not here or not others:
        return []
    elsewhere: dict[str, list[LoginOwner]] = defaultdict(list)
    names = sorted({name for name, _owner in here})
    for (some,) in slices(connection, names):
        for name, owner in _held_educonnect(
                connection, login.c.uai.in_(others) & among(connection, login.c.login, "ids"),
                {"ids": some}):
            if owner.uai != uai:
                elsewhere[name].append(owner)
    return [SharedLogin(login=name, here=owner, there=there)
            for name, owner in sorted(here, key=lambda pair: pair[0])
            for there in elsewhere.get(name, ())]


def twin_responsables(connection: Connection, uai: str
                      ) -> list[tuple[LoginOwner, str, LoginOwner, str]]:
    """The responsables of this school probably known in another school of the folder too
    (`probably_same`), each with their own EduConnect id: (here, id, there, id)."""
    is_responsable = person.c.profile == "responsable"
    here = [(name, owner) for name, owner in _held_educonnect(
        connection, (login.c.uai == uai) & is_responsable) if owner.email]
    others = other_schools(connection, uai)
    if not here or not others:
        return []
    by_email: dict[str, list[tuple[str, LoginOwner]]] = defaultdict(list)
    for name, owner in _held_educonnect(connection, login.c.uai.in_(others) & is_responsable):
        if owner.email and owner.uai != uai:
            by_email[owner.email.strip().casefold()].append((name, owner))
    twins = [(owner, name, there, other) for name, owner in here
             for other, there in by_email.get((owner.email or "").strip().casefold(), ())
             if other != name and probably_same(owner, there)]
    return sorted(twins, key=lambda t: (t[0].label, t[1], t[2].uai))


class IdsTakenElsewhere(UserError):
    """Another school of the folder gave, since this plan was computed, an EduConnect id the
    plan gives (two plans computed side by side, applied one after the other)."""

    def __init__(self, taken: list[tuple[str, str]], uai: str = "UAI") -> None:
        shown = ", ".join(f"{login} ({label})" for login, label in taken[:5])
        more = f" et {len(taken) - 5} autre(s)" if len(taken) > 5 else ""
        super().__init__(
            "Le plan donne des identifiants EduConnect qu'un autre collège du dossier a donnés "
            f"depuis son calcul : {shown}{more}. Un identifiant EduConnect ne désigne qu'une "
            "personne dans toute l'académie. Rien n'a été appliqué.",
            hint=f"Recalculez le plan (bascule plan --uai {uai}, avec le même --at s'il en "
                 "avait un) : il leur donne les numéros suivants ; relisez-le, puis "
                 "appliquez-le.",
            console_hint="Recalculez le plan (bouton « Recalculer le plan » de la page Plan), "
                         "relisez-le, puis approuvez-le et appliquez-le.")


def _given_ids(plan: Plan) -> list[tuple[str, str, str]]:
    """The EduConnect ids the plan gives: (id, person key, label)."""
    given = []
    for action in plan.actions:
        if not action.kind.is_account_action:
            continue
        new = action.login(LoginKind.EDUCONNECT)
        if new and (action.kind in (ActionKind.CREATE, ActionKind.TRANSFER)
                    or any(kind is LoginKind.EDUCONNECT for kind, _ in action.previous_logins)):
            given.append((new, action.person, action.label))
    return given


def refuse_ids_taken_elsewhere(connection: Connection, plan: Plan,
                               saved_plan_id: int | None = None) -> None:
    """Called last in the apply's transaction, once its logins are written: raises
    IdsTakenElsewhere when a person of another school of the folder holds an id the plan gives
    (not the élève's own, arriving from there). On PostgreSQL the applies giving ids take their
    turn from here to their commit, so that each sees the ids the others committed.

    `saved_plan_id`: the plan as saved, with the other schools' directory versions it read
    before their logins (store/plans.py's `keep_plan`). When none of them changed since, no
    other school wrote a login since the plan chose its ids among theirs: nothing to look up."""
    given = _given_ids(plan)
    if not given:
        return
    if connection.dialect.name == "postgresql":
        connection.execute(select(func.pg_advisory_xact_lock(_EDUCONNECT_LOCK)))
    versions = folder_versions(connection, plan.uai)
    if saved_plan_id is not None and read_folder_versions(connection, saved_plan_id) == versions:
        return
    arriving = {(a.from_school, a.from_key) for a in plan.actions
                if a.kind is ActionKind.TRANSFER}
    # By the other schools' names (uq_login's first column): each id looked up in its index.
    others = [other for other, _version in versions]
    query = (select(login.c.login, person.c.uai, person.c.key)
             .join(person, person.c.id == login.c.person_id)
             .where(login.c.uai.in_(others) & (login.c.namespace == LoginKind.EDUCONNECT.value)
                    & login.c.freed_at.is_(None) & (person.c.uai != plan.uai)
                    & among(connection, login.c.login, "ids")))
    names = sorted({name for name, _key, _label in given})
    held = {name for (some,) in slices(connection, names)
            for name, uai, key in connection.execute(query, {"ids": some})
            if (uai, key) not in arriving}
    if held:
        raise IdsTakenElsewhere(sorted((name, label) for name, _key, label in given
                                       if name in held), plan.uai)


def folder_moved_since(engine: Engine, uai: str, saved_plan_id: int) -> bool:
    """Whether another school of the folder applied (or decided, or held) since this saved
    plan read their logins: the EduConnect ids it gives may be theirs now, and its apply may
    be refused. False when the plan kept nothing of them (its apply looks every id up)."""
    with engine.connect() as connection:
        kept = read_folder_versions(connection, saved_plan_id)
        return kept is not None and kept != folder_versions(connection, uai)


# pg_advisory_xact_lock's key for the folder's EduConnect ids (any constant of bascule's own).
_EDUCONNECT_LOCK = 0x62617363  # "basc"
