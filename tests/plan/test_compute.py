"""compute_plan on hand-made directory states: the cases the store cannot reach yet."""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime, timedelta

from bascule.domain.logins import LoginHolding, LoginKind, LoginRegistry
from bascule.domain.school import SchoolYear
from bascule.plan.compute import compute_plan
from bascule.plan.model import (
    Account,
    AccountStatus,
    ActionKind,
    FieldChange,
    Identity,
    KnownPerson,
    PersonKind,
    SourceId,
    StoreState,
)
from bascule.snapshot.model import Eleve, Snapshot

NOW = datetime(2026, 9, 1, 8, tzinfo=UTC)


def _eleve(eleve_id: str, last: str = "MARTIN", first: str = "Léa") -> Eleve:
    return Eleve(eleve_id=eleve_id, elenoet=None, ine=None, ine_rnie=None, ine_bea=None,
                 last_name=last, birth_name=last, first_name=first, other_first_names=(),
                 birth_date=date(2014, 3, 14),
                 sex=None, mef=None, division="6A", groups=(), subjects=(), entry_date=None,
                 exit_date=None, inactive_reason=None)


def _snapshot(*eleves: Eleve) -> Snapshot:
    return Snapshot(uai="0860999U", school_year=SchoolYear(2026), export_date=None, sources=(),
                    eleves=eleves, responsables=(), guardianships=(), staff=(), divisions=(),
                    groups=(), services=(), profs_principaux=(), subjects=(), mefs=())


def _state(people: tuple[KnownPerson, ...], holdings: dict[str, LoginHolding]) -> StoreState:
    registries = {kind: LoginRegistry(holdings=holdings if kind is LoginKind.NETWORK else {},
                                      quarantine=timedelta(days=365)) for kind in LoginKind}
    return StoreState(uai="0860999U", people=people, registries=registries,
                          facts=frozenset(), fingerprint="0:x")


def _deleted(key: str, eleve_id: str, login: str) -> KnownPerson:
    return KnownPerson(
        key=key, kind=PersonKind.ELEVE, source_ids=frozenset({SourceId("eleve_id", eleve_id)}),
        identity=Identity(last_name="MARTIN", birth_name="MARTIN", first_name="Léa",
                          birth_date=date(2014, 3, 14), email=None, function=None,
                          profile="eleve"),
        account=Account(logins=((LoginKind.NETWORK, login),), status=AccountStatus.DELETED,
                        status_since=NOW - timedelta(days=30)))


def test_a_freed_login_is_not_given_to_someone_else_during_quarantine() -> None:
    freed = {"lmartin": LoginHolding(login="lmartin", holder="eleve:old",
                                     freed_at=NOW - timedelta(days=30))}
    plan = compute_plan(_snapshot(_eleve("2")), _state((), freed), now=NOW)
    (create,) = [a for a in plan.actions if a.kind is ActionKind.CREATE]
    assert create.login(LoginKind.NETWORK) == "lmartin2"
    later = compute_plan(_snapshot(_eleve("2")), _state((), freed), now=NOW + timedelta(days=340))
    (create,) = [a for a in later.actions if a.kind is ActionKind.CREATE]
    assert create.login(LoginKind.NETWORK) == "lmartin"


def test_a_person_back_after_deletion_gets_their_login_and_keeps_their_ids() -> None:
    old = _deleted("eleve:1", "1", "lmartin")
    freed = {"lmartin": LoginHolding(login="lmartin", holder="eleve:1",
                                     freed_at=NOW - timedelta(days=30))}
    plan = compute_plan(_snapshot(_eleve("1")), _state((old,), freed), now=NOW)
    (create,) = [a for a in plan.actions if a.kind is ActionKind.CREATE]
    assert (create.person, create.login(LoginKind.NETWORK)) == ("eleve:1", "lmartin")
    assert SourceId("eleve_id", "1") not in create.source_ids  # already known: not added again


def test_a_person_back_gets_their_old_login_and_a_homonym_planned_with_them_another() -> None:
    """Past its quarantine the freed login is free for anyone: the one who held it takes it
    back, and the plan holds it for them, so the newcomer of the same name gets the next one."""
    old = _deleted("eleve:1", "1", "lmartin")
    freed = {"lmartin": LoginHolding(login="lmartin", holder="eleve:1",
                                     freed_at=NOW - timedelta(days=400))}
    newcomer = dataclasses.replace(_eleve("2"), birth_date=date(2015, 5, 2))
    plan = compute_plan(_snapshot(newcomer, _eleve("1")), _state((old,), freed), now=NOW)
    logins = {a.person: a.login(LoginKind.NETWORK) for a in plan.actions
              if a.kind is ActionKind.CREATE}
    assert logins["eleve:1"] == "lmartin" and len(set(logins.values())) == 2, logins


def test_only_accounts_disabled_before_the_deletion_date_are_deleted() -> None:
    from bascule.plan.lifecycle import deletion_plan

    def disabled(key: str, since: datetime) -> KnownPerson:
        person = _deleted(key, key, key)
        assert person.account is not None
        return KnownPerson(key=key, kind=person.kind, source_ids=person.source_ids,
                           identity=person.identity,
                           account=Account(logins=person.account.logins,
                                           status=AccountStatus.DISABLED, status_since=since))

    deletion = datetime(2026, 9, 14, tzinfo=UTC)
    state = _state((disabled("old", deletion - timedelta(days=60)),
                    disabled("recent", deletion + timedelta(days=1))), {})
    plan = deletion_plan(state, school_year=SchoolYear(2026), deletion_date=deletion,
                         now=deletion + timedelta(days=2), guardians=_nobody)
    assert [a.person for a in plan.actions] == ["old"]
    early = deletion_plan(state, school_year=SchoolYear(2026), deletion_date=None, now=deletion,
                          guardians=_nobody)
    assert early.actions == ()


def test_an_account_whose_login_became_reserved_takes_the_next_free_form() -> None:
    # Emma LÈVES got "eleves" before the name was reserved: the plan renames it, as a change
    # of login the plan shows and the targets carry (folder moved, entry renamed).
    emma = KnownPerson(
        key="eleve:1", kind=PersonKind.ELEVE, source_ids=frozenset({SourceId("eleve_id", "1")}),
        identity=Identity(last_name="LÈVES", birth_name="LÈVES", first_name="Emma",
                          birth_date=date(2014, 3, 14), email=None, function=None,
                          profile="eleve"),
        account=Account(logins=((LoginKind.NETWORK, "eleves"), (LoginKind.EDUCONNECT, "e.leves")),
                        status=AccountStatus.ACTIVE, status_since=NOW - timedelta(days=30)))
    held = {"eleves": LoginHolding(login="eleves", holder="eleve:1", freed_at=None)}
    plan = compute_plan(_snapshot(_eleve("1", "LÈVES", "Emma")), _state((emma,), held), now=NOW)
    (update,) = [a for a in plan.actions if a.kind is ActionKind.UPDATE]
    assert update.login(LoginKind.NETWORK) == "eleves2"
    assert update.login(LoginKind.EDUCONNECT) == "e.leves"  # not reserved: kept
    assert update.previous_logins == ((LoginKind.NETWORK, "eleves"),)
    assert update.changes == (FieldChange("login pnom", "eleves", "eleves2"),)
def test_accounts_an_ambiguous_person_could_be_are_held_never_disabled() -> None:
    def active(key: str, eleve_id: str, login: str) -> KnownPerson:
        return KnownPerson(
            key=key, kind=PersonKind.ELEVE,
            source_ids=frozenset({SourceId("eleve_id", eleve_id)}),
            identity=Identity(last_name="MARTIN", birth_name="MARTIN", first_name="Léa",
                              birth_date=date(2014, 3, 14), email=None, function=None,
                              profile="eleve"),
            account=Account(logins=((LoginKind.NETWORK, login),), status=AccountStatus.ACTIVE,
                            status_since=NOW - timedelta(days=300)))

    people = (active("eleve:1", "1", "lmartin"), active("eleve:2", "2", "lmartin2"))
    plan = compute_plan(_snapshot(_eleve("3")), _state(people, {}), now=NOW)
    assert [a for a in plan.actions if a.kind.is_account_action] == []
    assert [h.key for h in plan.held] == ["eleve:3", "eleve:1", "eleve:2"]
    # The person of the export is not said to have no account: they may have one of these.
    assert plan.held[0].accounts == ("eleve:1", "eleve:2")
    assert plan.held[0].account_note == " (a peut-être déjà un compte, laissé tel quel)"


def _active(key: str, *ids: SourceId, login: str = "lmartin", school: str | None = None,
            first: str = "Léa") -> KnownPerson:
    return KnownPerson(
        key=key, kind=PersonKind.ELEVE, source_ids=frozenset(ids),
        identity=Identity(last_name="MARTIN", birth_name="MARTIN", first_name=first,
                          birth_date=date(2014, 3, 14), email=None, function=None,
                          profile="eleve"),
        account=Account(logins=((LoginKind.NETWORK, login),), status=AccountStatus.ACTIVE,
                        status_since=NOW - timedelta(days=300)), school=school)


def test_a_transfer_keeps_the_login_when_free_here_and_drops_the_former_schools_ids() -> None:
    import dataclasses

    eleve = dataclasses.replace(_eleve("9"), ine="071818181RR")
    former = _active("eleve:1", SourceId("eleve_id", "1"), SourceId("ine", "071818181RR"),
                     school="0861001W")
    state = dataclasses.replace(_state((), {}), elsewhere=(former,))
    (transfer,) = [a for a in compute_plan(_snapshot(eleve), state, now=NOW).actions
                   if a.kind.is_account_action]
    assert (transfer.kind, transfer.person, transfer.login(LoginKind.NETWORK)) == (
        ActionKind.TRANSFER, "eleve:1", "lmartin")
    assert (transfer.from_school, transfer.dropped_ids) == (
        "0861001W", (SourceId("eleve_id", "1"),))
    taken = {"lmartin": LoginHolding(login="lmartin", holder="eleve:5", freed_at=None)}
    state = dataclasses.replace(_state((), taken), elsewhere=(former,))
    (transfer,) = [a for a in compute_plan(_snapshot(eleve), state, now=NOW).actions
                   if a.kind.is_account_action]
    assert transfer.login(LoginKind.NETWORK) == "lmartin2"  # taken here: a new one


def test_a_pupil_held_for_review_keeps_account_and_memberships_exactly() -> None:
    import dataclasses

    held = _active("eleve:1", SourceId("eleve_id", "1"), first="Lena-Marie")
    member = ("member", "eleve:1", "D:6A", "")
    state = dataclasses.replace(_state((held,), {}), facts=frozenset({member}))
    plan = compute_plan(_snapshot(_eleve("2", first="Lena Marie")), state, now=NOW)
    assert plan.actions == ()
    person, account = plan.held
    assert (person.key, person.known, person.accounts) == ("eleve:2", False, ("eleve:1",))
    assert (account.key, account.known) == ("eleve:1", True)
    assert "MARTIN Lena Marie (eleve:2)" in account.reason  # for whom it waits
    assert [c.key for c in plan.reviews[0].candidates] == ["eleve:1"]


def _nobody(_keys: frozenset[str]) -> frozenset[str]:
    """No held élève has a responsable here."""
    return frozenset()
