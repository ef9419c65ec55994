"""The policy: the whole matrix against the memo, and decisions on people with their reasons."""

from __future__ import annotations

import pytest

from bascule.domain.policy import (
    DELEGATION_GIVES,
    DELEGATIONS,
    ROLE_OF_PROFILE,
    STAFF_PROFILES,
    Permission,
    PolicyOptions,
    Role,
    Scope,
    Subject,
    decide,
    holds,
    may_hold_token,
    scopes,
    structure,
)

P, R, S = Permission, Role, Scope
DIRECTION = {R.PRINCIPAL, R.PRINCIPAL_ADJOINT}
# Written from the memo, independently of the table in bascule.domain.policy.
EXPECTED: dict[Permission, dict[Role, set[Scope]]] = {
    P.RUN_ROLLOVER: {R.OPERATEUR: {S.SCHOOL}},
    P.APPROVE_PLAN: {R.OPERATEUR: {S.SCHOOL}, R.PRINCIPAL: {S.SCHOOL},
                     R.PRINCIPAL_ADJOINT: {S.SCHOOL}},  # issue 8: "approval by a principal"
    # issue 8: "apply executes only an approved plan", from the console: who approves applies
    P.APPLY_APPROVED_PLAN: {R.OPERATEUR: {S.SCHOOL}, R.PRINCIPAL: {S.SCHOOL},
                            R.PRINCIPAL_ADJOINT: {S.SCHOOL}},
    P.FORCE_CALENDAR_GATE: {R.OPERATEUR: {S.SCHOOL}},
    P.CLEAN_CLASS_SPACES: {R.OPERATEUR: {S.SCHOOL}},  # "par les équipes du département"
    P.CLEAN_STAFF_SPACES: {R.RRUPN: {S.SCHOOL}, R.PRINCIPAL: {S.SCHOOL},
                           R.PRINCIPAL_ADJOINT: {S.SCHOOL}},  # "à la charge de l'établissement"
    P.TOGGLE_ENT_CLOSURE: {role: {S.SCHOOL} for role in DIRECTION},  # "visible seulement…"
    P.MANAGE_DELEGATIONS: {role: {S.STAFF} for role in DIRECTION},
    # issue 17: teachers only the élèves they teach, unless the direction widens it (delegation)
    P.RESET_PASSWORD: {R.RRUPN: {S.ELEVES, S.STAFF_BUT_DIRECTION},
                       R.OPERATEUR: {S.ELEVES, S.STAFF},
                       R.PRINCIPAL: {S.ELEVES, S.STAFF},
                       R.PRINCIPAL_ADJOINT: {S.ELEVES, S.STAFF}, R.ENSEIGNANT: {S.OWN_ELEVES},
                       R.REINIT_ELEVES: {S.ELEVES}},
    P.RESET_STRUCTURE: {R.RRUPN: {S.STRUCTURES}, R.PRINCIPAL: {S.STRUCTURES},
                        R.PRINCIPAL_ADJOINT: {S.STRUCTURES}, R.REINIT_ELEVES: {S.STRUCTURES},
                        R.ENSEIGNANT: {S.OWN_STRUCTURES}},
    P.RESET_IN_BULK: {R.RRUPN: {S.SCHOOL}, R.PRINCIPAL: {S.SCHOOL},
                      R.PRINCIPAL_ADJOINT: {S.SCHOOL}},
    P.CHANGE_OWN_PASSWORD: {role: {S.SELF} for role in Role if role is not R.OPERATEUR},
    P.ASSIGN_GAR_RESOURCES: {R.RESPONSABLE_AFFECTATION: {S.SCHOOL}},
    P.MANAGE_ENT: {R.GESTIONNAIRE_ENT: {S.SCHOOL}},
    P.READ_REFERENTS_FOLDER: {R.RRUPN: {S.SCHOOL}},  # "visible par les RRUPN"
    P.READ_AUDIT: {R.OPERATEUR: {S.SCHOOL}, R.PRINCIPAL: {S.SCHOOL},
                   R.PRINCIPAL_ADJOINT: {S.SCHOOL}},
    # issue 17: least privilege; the school's pages for the operators, direction and RRUPN
    P.CONSULT_SCHOOL: {R.OPERATEUR: {S.SCHOOL}, R.PRINCIPAL: {S.SCHOOL},
                       R.PRINCIPAL_ADJOINT: {S.SCHOOL}, R.RRUPN: {S.SCHOOL}},
    P.READ_PLAN: {R.OPERATEUR: {S.SCHOOL}, R.PRINCIPAL: {S.SCHOOL},
                  R.PRINCIPAL_ADJOINT: {S.SCHOOL}},
    P.LIST_ACCOUNTS: {**{role: {S.EVERYONE}
                         for role in (R.OPERATEUR, R.PRINCIPAL, R.PRINCIPAL_ADJOINT, R.RRUPN)},
                      R.ENSEIGNANT: {S.OWN_ELEVES}, R.REINIT_ELEVES: {S.ELEVES}},
    P.EXPORT_ACCOUNTS: {R.OPERATEUR: {S.SCHOOL}, R.PRINCIPAL: {S.SCHOOL},
                        R.PRINCIPAL_ADJOINT: {S.SCHOOL}},
    P.READ_PERSONAL_DATA: {R.OPERATEUR: {S.SCHOOL}, R.PRINCIPAL: {S.SCHOOL},
                           R.PRINCIPAL_ADJOINT: {S.SCHOOL}},
    # An apply's slips: only to whom may have every slip of the file (the printed passwords
    # still sign in); the direction's to the direction and the operators only.
    P.PRINT_APPLY_SLIPS: {R.OPERATEUR: {S.EVERYONE},
                          **{role: {S.ELEVES, S.RESPONSABLES, S.STAFF, S.SELF}
                             for role in DIRECTION},
                          R.RRUPN: {S.ELEVES, S.RESPONSABLES, S.STAFF_BUT_DIRECTION, S.SELF}},
    P.SEE_OWN_ACCOUNT: {role: {S.SELF} for role in Role if role is not R.OPERATEUR},
    # issue 16: whoever resets a password may end that account's sessions; everyone their own
    P.END_SESSIONS: {**{role: {S.SELF} for role in Role if role is not R.OPERATEUR},
                     R.RRUPN: {S.ELEVES, S.STAFF_BUT_DIRECTION, S.SELF},
                     R.PRINCIPAL: {S.ELEVES, S.STAFF, S.SELF},
                     R.PRINCIPAL_ADJOINT: {S.ELEVES, S.STAFF, S.SELF},
                     R.OPERATEUR: {S.ELEVES, S.STAFF}},
    P.RESOLVE_REVIEW: {R.OPERATEUR: {S.SCHOOL}, R.PRINCIPAL: {S.SCHOOL},
                       R.PRINCIPAL_ADJOINT: {S.SCHOOL}},
    P.HOLD_PERSON: {R.OPERATEUR: {S.SCHOOL}, R.PRINCIPAL: {S.SCHOOL},
                    R.PRINCIPAL_ADJOINT: {S.SCHOOL}},
    # issue 19: an undo is a plan, "applied with the same approval": who approves, prepares it
    P.UNDO_APPLY: {R.OPERATEUR: {S.SCHOOL}, R.PRINCIPAL: {S.SCHOOL},
                   R.PRINCIPAL_ADJOINT: {S.SCHOOL}},
    # a plan out of date since it was read: whoever approves plans has it computed again
    P.RECOMPUTE_PLAN: {R.OPERATEUR: {S.SCHOOL}, R.PRINCIPAL: {S.SCHOOL},
                       R.PRINCIPAL_ADJOINT: {S.SCHOOL}},
    P.WATCH_NIGHT: {R.OPERATEUR: {S.SCHOOL}},
    # Issue 21: the operators look at the folder's schools one at a time; everyone signed in,
    # the operators too, signs out and reads the notice of what they just did.
    P.CHOOSE_SCHOOL: {R.OPERATEUR: {S.SCHOOL}},
    P.OWN_SESSION: {role: {S.SELF} for role in R},
}


def test_the_whole_matrix() -> None:
    for permission in Permission:
        for role in Role:
            expected = EXPECTED[permission].get(role, set())
            assert set(scopes(role, permission, PolicyOptions())) == expected, (permission, role)


def test_teachers_reset_their_own_eleves_unless_widened() -> None:
    teacher = frozenset({R.ENSEIGNANT})
    mine = Subject(profile="eleve", shares_a_structure=True)
    other = Subject(profile="eleve")
    assert decide(teacher, P.RESET_PASSWORD, mine).allowed
    refused = decide(teacher, P.RESET_PASSWORD, other)
    assert not refused.allowed and "pas permis pour ce compte (élève)" in refused.reason
    # the direction's delegation, or the school's setting (the memo's wording), widens it
    assert decide(teacher | {R.REINIT_ELEVES}, P.RESET_PASSWORD, other).allowed
    memo = PolicyOptions(teachers_reset_own_eleves_only=False)
    assert decide(teacher, P.RESET_PASSWORD, other, memo).allowed


def test_whole_divisions_only_where_the_teacher_teaches() -> None:
    teacher = frozenset({R.ENSEIGNANT})
    assert decide(teacher, P.RESET_STRUCTURE, structure(taught=True)).allowed
    refused = decide(teacher, P.RESET_STRUCTURE, structure(taught=False))
    assert not refused.allowed and "où vous enseignez" in refused.reason
    memo = PolicyOptions(teachers_reset_own_eleves_only=False)  # single resets only
    assert not decide(teacher, P.RESET_STRUCTURE, structure(taught=False), memo).allowed
    for widened in (teacher | {R.REINIT_ELEVES}, frozenset({R.RRUPN}),
                    frozenset({R.PRINCIPAL})):
        assert decide(widened, P.RESET_STRUCTURE, structure(taught=False)).allowed
    assert not decide(frozenset({R.CPE}), P.RESET_STRUCTURE, structure(taught=True)).allowed


def test_the_rrupn_resets_eleves_and_staff_but_not_the_direction_nor_responsables() -> None:
    """A principal's password in the referent's hands would open the direction's pages: the
    direction's accounts are reset by the direction and the operators only."""
    rrupn = frozenset({R.RRUPN})
    assert decide(rrupn, P.RESET_PASSWORD, Subject(profile="eleve")).allowed
    assert decide(rrupn, P.RESET_PASSWORD, Subject(profile="enseignant")).allowed
    assert not decide(rrupn, P.RESET_PASSWORD, Subject(profile="direction")).allowed
    assert not decide(rrupn, P.END_SESSIONS, Subject(profile="direction")).allowed
    assert not decide(rrupn, P.RESET_PASSWORD, Subject(profile="responsable")).allowed
    assert decide(frozenset({R.PRINCIPAL}), P.RESET_PASSWORD,
                  Subject(profile="direction")).allowed


def test_eleves_change_only_their_own_password() -> None:
    eleve = frozenset({R.ELEVE})
    assert decide(eleve, P.CHANGE_OWN_PASSWORD, Subject(profile="eleve", is_actor=True)).allowed
    refused = decide(eleve, P.RESET_PASSWORD, Subject(profile="eleve"))
    assert not refused.allowed
    assert "n'est permis à aucun de vos rôles (élève)" in refused.reason


def test_only_the_direction_toggles_the_rentree_closure() -> None:
    assert decide(frozenset({R.PRINCIPAL_ADJOINT}), P.TOGGLE_ENT_CLOSURE).allowed
    assert not decide(frozenset({R.RRUPN, R.ENSEIGNANT}), P.TOGGLE_ENT_CLOSURE).allowed


def test_a_delegation_adds_its_role() -> None:
    teacher = frozenset({R.ENSEIGNANT})
    assert not decide(teacher, P.ASSIGN_GAR_RESOURCES).allowed
    delegated = teacher | {DELEGATIONS["Affecter des ressources GAR"]}
    assert decide(delegated, P.ASSIGN_GAR_RESOURCES).allowed
    assert decide(teacher | {DELEGATIONS["Réinitialiser les mots de passe"]},
                  P.RESET_PASSWORD, Subject(profile="vie_scolaire")).allowed


def test_every_staff_category_and_profile_changes_its_own_password() -> None:
    """issue 16: a CPE on a printed password was refused "à aucun de vos rôles", locked out."""
    for profile, role in ROLE_OF_PROFILE.items():
        me = Subject(profile=profile, is_actor=True)
        assert decide(frozenset({role}), P.CHANGE_OWN_PASSWORD, me).allowed, profile
        assert holds(frozenset({role}), P.SEE_OWN_ACCOUNT)
        # issue 17: of a profile's own role, only the direction reads the school's pages
        assert holds(frozenset({role}), P.CONSULT_SCHOOL) is (profile == "direction")
        assert (profile in STAFF_PROFILES) or not holds(frozenset({role}), P.LIST_ACCOUNTS)


def test_holding_a_permission_on_someone_is_what_a_page_asks() -> None:
    assert holds(frozenset({R.ENSEIGNANT}), P.RESET_PASSWORD)
    assert not holds(frozenset({R.CPE, R.DOCUMENTATION}), P.RESET_PASSWORD)
    assert holds(frozenset({R.ELEVE}), P.END_SESSIONS)  # their own, always


@pytest.mark.parametrize("role", list(Role))
def test_only_a_school_s_staff_act_through_an_api_token(role: Role) -> None:
    """A token acts as a person of a school: staff, in their role or a delegation; not an
    operator (no person of a school), an élève or a responsable (no tool to run)."""
    assert may_hold_token(role) is (role not in (Role.OPERATEUR, Role.ELEVE, Role.RESPONSABLE))


def test_the_direction_s_slips_go_to_the_direction_and_the_operators_only() -> None:
    on_slip = Subject(profile="direction")
    allowed = {role for role in Role if decide(frozenset({role}), P.PRINT_APPLY_SLIPS,
                                               on_slip).allowed}
    assert allowed == {R.OPERATEUR, R.PRINCIPAL, R.PRINCIPAL_ADJOINT}


@pytest.mark.parametrize("role", [role for role in Role if role is not R.OPERATEUR])
def test_a_slip_is_given_only_to_whom_may_reset_its_owner(role: Role) -> None:
    """Besides one's own slip and the responsables' (nobody resets those: the direction and
    the RRUPN hand them out), a slip goes to no one who could not reset its owner."""
    for profile in ROLE_OF_PROFILE:
        on_slip = Subject(profile=profile)
        if (decide(frozenset({role}), P.PRINT_APPLY_SLIPS, on_slip).allowed
                and profile != "responsable"):
            assert decide(frozenset({role}), P.RESET_PASSWORD, on_slip).allowed, profile


def test_every_delegation_says_what_it_gives() -> None:
    """Granted from a list whose two names are close (« Réinitialiser les mots de passe »
    makes a referent, the other widens a teacher's resets): each is shown with what it gives."""
    assert list(DELEGATION_GIVES) == list(DELEGATIONS)
    assert "RRUPN" in DELEGATION_GIVES["Réinitialiser les mots de passe"]
