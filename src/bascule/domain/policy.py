"""Who may do what: one declarative table, and one function that reads it.

Every permission of bascule is decided here, from the memo: the département's operators run the
rollover and the cleanups; principals and their adjoints toggle the ENT rentrée closure and
grant delegations; the RRUPN resets the passwords of élèves and of all staff; teachers reset
the passwords of the élèves they teach (their divisions and groups, from STS-Web's services),
one at a time or a whole division or group, unless the direction widens it with a delegation
(or the school with `[passwords] teachers_reset_own_eleves_only = false`, the memo's wording:
every élève, one at a time); élèves and responsables change only their own. A delegation gives a
staff member a named permission on top of their role. Teachers and the other staff see only
their password tool and their own account: the school's pages (plan, verification, spaces,
accounts...) are the direction's, the RRUPN's and the operators'; the accounts' export and the
personal fields (birth date, INE) the direction's and the operators' only. The operators (the
département's IT team, accounts of their own: store/operators.py) look at one school of the
folder at a time, which they choose.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from bascule.domain.labels import profile_label


class Role(Enum):
    OPERATEUR = "opérateur du département"
    PRINCIPAL = "principal"
    PRINCIPAL_ADJOINT = "principal adjoint"
    RRUPN = "référent numérique (RRUPN)"
    GESTIONNAIRE_ENT = "gestionnaire de l'ENT"
    RESPONSABLE_AFFECTATION = "responsable d'affectation GAR"
    REINIT_ELEVES = "réinitialisation des mots de passe de tous les élèves (délégation)"
    ENSEIGNANT = "enseignant"
    CPE = "vie scolaire (CPE)"
    DOCUMENTATION = "documentation"
    ADMINISTRATIF = "administratif et technique"
    ELEVE = "élève"
    RESPONSABLE = "responsable"


class Permission(Enum):
    RUN_ROLLOVER = "importer, planifier et appliquer une campagne"
    APPROVE_PLAN = "approuver le plan d'une campagne avant son application"
    APPLY_APPROVED_PLAN = "appliquer un plan approuvé depuis la console"
    FORCE_CALENDAR_GATE = "passer outre une suspension du calendrier"
    CLEAN_CLASS_SPACES = "nettoyer les espaces classes et le commun"
    CLEAN_STAFF_SPACES = "nettoyer Salle_des_profs et Mediaprof"
    TOGGLE_ENT_CLOSURE = "ouvrir ou refermer l'ENT pendant la fermeture rentrée"
    MANAGE_DELEGATIONS = "accorder ou retirer une délégation"
    RESET_PASSWORD = "réinitialiser le mot de passe d'un autre"
    RESET_STRUCTURE = "réinitialiser les mots de passe de toute une division ou d'un groupe"
    RESET_IN_BULK = "réinitialiser en nombre (allocation élargie des divisions entières)"
    CHANGE_OWN_PASSWORD = "changer son propre mot de passe"
    ASSIGN_GAR_RESOURCES = "affecter des ressources GAR"
    MANAGE_ENT = "administrer l'ENT"
    READ_REFERENTS_FOLDER = "lire Groupes/ReferentsInformatique"
    READ_AUDIT = "consulter le journal"
    CONSULT_SCHOOL = "consulter la console de l'établissement"
    READ_PLAN = "lire le plan d'une campagne"
    LIST_ACCOUNTS = "consulter la liste des comptes"
    EXPORT_ACCOUNTS = "exporter les comptes (CSV)"
    READ_PERSONAL_DATA = "lire les données personnelles (date de naissance, INE, départs)"
    PRINT_APPLY_SLIPS = "imprimer les fiches d'une application (sans nouveaux mots de passe)"
    SEE_OWN_ACCOUNT = "consulter son propre compte"
    END_SESSIONS = "fermer les sessions ouvertes d'un compte"
    RESOLVE_REVIEW = "trancher les cas de revue d'identité (même personne ou non)"
    HOLD_PERSON = "retenir une personne hors du plan jusqu'à une date, ou lever la retenue"
    UNDO_APPLY = "préparer l'annulation d'une application (le plan inverse, à approuver)"
    RECOMPUTE_PLAN = "recalculer pour maintenant un plan en attente périmé (rien n'est appliqué)"
    WATCH_NIGHT = "suivre la nuit confiée aux travailleurs (file d'attente, par établissement)"
    CHOOSE_SCHOOL = "choisir l'établissement consulté parmi ceux du dossier"
    OWN_SESSION = "se déconnecter, lire l'avis de ce qu'on vient de faire"


class Scope(Enum):
    """On whom a permission holds."""

    SCHOOL = "l'établissement"  # not about a person
    ELEVES = "tous les élèves"
    OWN_ELEVES = "les élèves de ses classes et groupes"
    EVERYONE = "tous les comptes"  # élèves, responsables, staff, oneself
    STRUCTURES = "toutes les divisions et tous les groupes"
    OWN_STRUCTURES = "ses divisions et groupes"
    STAFF = "tous les personnels"
    STAFF_BUT_DIRECTION = "les personnels hors direction"
    RESPONSABLES = "tous les responsables"
    SELF = "soi-même"


STAFF_PROFILES = frozenset({"enseignant", "direction", "vie_scolaire", "documentation",
                            "administratif"})
# The role each profile gives (STS-Web does not tell the principal from the adjoint: both are
# FONCTION DIR, and both have the same permissions). Delegations add roles on top.
ROLE_OF_PROFILE = {"eleve": Role.ELEVE, "responsable": Role.RESPONSABLE,
                   "enseignant": Role.ENSEIGNANT, "direction": Role.PRINCIPAL,
                   "vie_scolaire": Role.CPE, "documentation": Role.DOCUMENTATION,
                   "administratif": Role.ADMINISTRATIF}
# The delegations a principal may grant ("Pilotage > Autorisations"), and the role each gives.
DELEGATIONS = {
    "Affecter des ressources GAR": Role.RESPONSABLE_AFFECTATION,
    "Gestionnaire de l'ENT": Role.GESTIONNAIRE_ENT,
    "Réinitialiser les mots de passe": Role.RRUPN,
    # The direction widens a teacher's resets beyond the élèves they teach.
    "Réinitialiser les mots de passe de tous les élèves": Role.REINIT_ELEVES,
}
# What each delegation gives, said wherever one is granted: two of their names are close, and
# the first makes its holder the school's digital referent, far more than the second.
DELEGATION_GIVES = {
    "Affecter des ressources GAR": "affecter aux élèves et aux personnels les ressources "
                                   "numériques du GAR",
    "Gestionnaire de l'ENT": "administrer l'ENT de l'établissement",
    "Réinitialiser les mots de passe": "référent numérique (RRUPN) : les mots de passe des "
                                       "élèves et des personnels hors direction, les fiches, "
                                       "la console de l'établissement, Groupes/"
                                       "ReferentsInformatique",
    "Réinitialiser les mots de passe de tous les élèves": "à un enseignant : les mots de passe "
                                                          "de tous les élèves, pas seulement "
                                                          "de ses classes",
}

_DIRECTION = (Role.PRINCIPAL, Role.PRINCIPAL_ADJOINT)
_EVERYONE_BUT_OPERATOR = tuple(role for role in Role if role is not Role.OPERATEUR)
_SCHOOL = frozenset({Scope.SCHOOL})
# Who reads the school's pages: the operators, the direction and the RRUPN (issue 17: teachers
# and the other staff see their password tool and their own account only).
_READERS = (Role.OPERATEUR, *_DIRECTION, Role.RRUPN)
_RESETTERS = (Role.RRUPN, *_DIRECTION)  # élèves and staff, any division or group
_RULES: dict[Permission, dict[Role, frozenset[Scope]]] = {
    Permission.RUN_ROLLOVER: {Role.OPERATEUR: frozenset({Scope.SCHOOL})},
    Permission.APPROVE_PLAN: {role: frozenset({Scope.SCHOOL})
                              for role in (Role.OPERATEUR, *_DIRECTION)},
    # The operator prepares the plan; the direction, having approved it, may apply it itself.
    Permission.APPLY_APPROVED_PLAN: {role: frozenset({Scope.SCHOOL})
                                     for role in (Role.OPERATEUR, *_DIRECTION)},
    Permission.FORCE_CALENDAR_GATE: {Role.OPERATEUR: frozenset({Scope.SCHOOL})},
    Permission.CLEAN_CLASS_SPACES: {Role.OPERATEUR: frozenset({Scope.SCHOOL})},
    Permission.CLEAN_STAFF_SPACES: {role: frozenset({Scope.SCHOOL})
                                    for role in (Role.RRUPN, *_DIRECTION)},
    Permission.TOGGLE_ENT_CLOSURE: {role: frozenset({Scope.SCHOOL}) for role in _DIRECTION},
    Permission.MANAGE_DELEGATIONS: {role: frozenset({Scope.STAFF}) for role in _DIRECTION},
    # The RRUPN resets élèves and staff, but not the direction: a principal's password in
    # other hands opens everything the direction may do (the same line as the slips below).
    Permission.RESET_PASSWORD: {
        **{role: frozenset({Scope.ELEVES, Scope.STAFF}) for role in _RESETTERS},
        Role.RRUPN: frozenset({Scope.ELEVES, Scope.STAFF_BUT_DIRECTION}),
        # A sole principal who lost her password is not locked out: the département's
        # operators (who hold every slip already) reset it, and she is told.
        Role.OPERATEUR: frozenset({Scope.ELEVES, Scope.STAFF}),
        Role.ENSEIGNANT: frozenset({Scope.OWN_ELEVES}),  # see scopes(): the school may widen
        Role.REINIT_ELEVES: frozenset({Scope.ELEVES}),
    },
    # A whole division or group at once: a teacher only where they teach (STS-Web services).
    Permission.RESET_STRUCTURE: {
        **{role: frozenset({Scope.STRUCTURES}) for role in (*_RESETTERS, Role.REINIT_ELEVES)},
        Role.ENSEIGNANT: frozenset({Scope.OWN_STRUCTURES}),
    },
    # The RRUPN and the direction hand out a whole rentrée's slips: their resets inside whole
    # divisions count against a larger allowance (web/security.py BULK_RESETS).
    Permission.RESET_IN_BULK: {role: _SCHOOL for role in _RESETTERS},
    # Everyone chooses their own password: a printed one must be changed at the first sign-in.
    Permission.CHANGE_OWN_PASSWORD: {role: frozenset({Scope.SELF})
                                     for role in _EVERYONE_BUT_OPERATOR},
    Permission.SEE_OWN_ACCOUNT: {role: frozenset({Scope.SELF}) for role in _EVERYONE_BUT_OPERATOR},
    Permission.ASSIGN_GAR_RESOURCES: {Role.RESPONSABLE_AFFECTATION: frozenset({Scope.SCHOOL})},
    Permission.MANAGE_ENT: {Role.GESTIONNAIRE_ENT: frozenset({Scope.SCHOOL})},
    Permission.READ_REFERENTS_FOLDER: {Role.RRUPN: frozenset({Scope.SCHOOL})},
    Permission.READ_AUDIT: {role: frozenset({Scope.SCHOOL})
                            for role in (Role.OPERATEUR, *_DIRECTION)},
    Permission.CONSULT_SCHOOL: {role: _SCHOOL for role in _READERS},
    Permission.READ_PLAN: {role: _SCHOOL for role in (Role.OPERATEUR, *_DIRECTION)},
    # The accounts listed: the readers all of them, a teacher the élèves they may reset.
    Permission.LIST_ACCOUNTS: {
        **{role: frozenset({Scope.EVERYONE}) for role in _READERS},
        Role.ENSEIGNANT: frozenset({Scope.OWN_ELEVES}),
        Role.REINIT_ELEVES: frozenset({Scope.ELEVES}),
    },
    Permission.EXPORT_ACCOUNTS: {role: _SCHOOL for role in (Role.OPERATEUR, *_DIRECTION)},
    Permission.READ_PERSONAL_DATA: {role: _SCHOOL for role in (Role.OPERATEUR, *_DIRECTION)},
    # An apply's slips carry passwords that still sign in, unknown to their owners' direction:
    # each file goes only to whom may have every slip on it. The direction and the RRUPN hand
    # out the élèves' and the responsables' and the staff's (their own too), but the
    # direction's slips go to the direction and the operators only (a reset, which the RRUPN
    # may do, tells the direction; a printed password would not). The operators ran the apply.
    Permission.PRINT_APPLY_SLIPS: {
        Role.OPERATEUR: frozenset({Scope.EVERYONE}),
        **{role: frozenset({Scope.ELEVES, Scope.RESPONSABLES, Scope.STAFF, Scope.SELF})
           for role in _DIRECTION},
        Role.RRUPN: frozenset({Scope.ELEVES, Scope.RESPONSABLES, Scope.STAFF_BUT_DIRECTION,
                               Scope.SELF}),
    },
    # Whoever may reset a password may end the sessions of the same accounts; anyone their own.
    Permission.END_SESSIONS: {
        **{role: frozenset({Scope.SELF}) for role in _EVERYONE_BUT_OPERATOR},
        Role.RRUPN: frozenset({Scope.ELEVES, Scope.STAFF_BUT_DIRECTION, Scope.SELF}),
        Role.PRINCIPAL: frozenset({Scope.ELEVES, Scope.STAFF, Scope.SELF}),
        Role.PRINCIPAL_ADJOINT: frozenset({Scope.ELEVES, Scope.STAFF, Scope.SELF}),
        Role.OPERATEUR: frozenset({Scope.ELEVES, Scope.STAFF}),
    },
    # Who a held person is: the direction knows its pupils, the operators the folder.
    Permission.RESOLVE_REVIEW: {role: frozenset({Scope.SCHOOL})
                                for role in (Role.OPERATEUR, *_DIRECTION)},
    # A pupil leaving whose account must stay, a disputed record: the direction knows them,
    # the operators run the plan.
    Permission.HOLD_PERSON: {role: frozenset({Scope.SCHOOL})
                             for role in (Role.OPERATEUR, *_DIRECTION)},
    # Whoever approves plans may prepare an undo: it is a plan, approved and applied the same.
    Permission.UNDO_APPLY: {role: frozenset({Scope.SCHOOL})
                            for role in (Role.OPERATEUR, *_DIRECTION)},
    # A plan out of date since it was read (a hold, a review decision, an import) cannot be
    # approved: whoever approves it has it computed again, as the operators do by hand.
    Permission.RECOMPUTE_PLAN: {role: frozenset({Scope.SCHOOL})
                                for role in (Role.OPERATEUR, *_DIRECTION)},
    # The night's queue spans every school of the département and names its machines: the
    # operators run it, the schools see their own night on their dashboard.
    Permission.WATCH_NIGHT: {Role.OPERATEUR: _SCHOOL},
    # The operators are not people of a school (store/operators.py): they look at the folder's
    # schools one at a time, as the console's page Établissement sets it.
    Permission.CHOOSE_SCHOOL: {Role.OPERATEUR: _SCHOOL},
    # Whoever signs in: the operators too, who have no account of a school (no Mon compte).
    Permission.OWN_SESSION: {role: frozenset({Scope.SELF}) for role in Role},
}
# API tokens act as a person: only staff may hold one (a tool of an élève or a responsable
# would reach what their own page shows, and no more; they have no tool to run).
TOKEN_HOLDER_PROFILES = STAFF_PROFILES
# The roles a token's holder may act in: their staff profile's, the principal adjoint's (a
# direction's), the delegations (granted to staff only). Not an operator's: no person of a
# school, no token.
_TOKEN_HOLDER_ROLES = frozenset({ROLE_OF_PROFILE[profile] for profile in TOKEN_HOLDER_PROFILES}
                                | set(DELEGATIONS.values()) | {Role.PRINCIPAL_ADJOINT})


def may_hold_token(role: Role) -> bool:
    """Whether someone acting in `role` may do it through an API token."""
    return role in _TOKEN_HOLDER_ROLES


@dataclass(frozen=True, slots=True, kw_only=True)
class Subject:
    """Whom an action is about: their profile, and what links them to the actor."""

    profile: str  # or STRUCTURE: a whole division or group
    is_actor: bool = False
    shares_a_structure: bool = False  # an élève of one of the teacher's divisions or groups,
    # or (a STRUCTURE) a division or group the teacher teaches


STRUCTURE = "structure"  # a Subject's profile for a whole division or group


def structure(taught: bool) -> Subject:
    """A whole division or group as a subject; `taught`: the actor teaches it (a service or
    the professeur principal's, in STS-Web)."""
    return Subject(profile=STRUCTURE, shares_a_structure=taught)


@dataclass(frozen=True, slots=True)
class Decision:
    allowed: bool
    reason: str  # in French, for the refusal message (and the audit)


@dataclass(frozen=True, slots=True, kw_only=True)
class PolicyOptions:
    # Teachers reset the élèves they teach (issue 17); a school may let them reset every élève
    # one at a time (the memo's wording) with false. Whole divisions stay theirs only.
    teachers_reset_own_eleves_only: bool = True


def scopes(role: Role, permission: Permission, options: PolicyOptions) -> frozenset[Scope]:
    granted = _RULES[permission].get(role, frozenset())
    if (role is Role.ENSEIGNANT and permission is Permission.RESET_PASSWORD
            and not options.teachers_reset_own_eleves_only):
        return frozenset({Scope.ELEVES})
    return granted


def holds(roles: frozenset[Role], permission: Permission,
          options: PolicyOptions = PolicyOptions()) -> bool:
    """Whether any of these roles has the permission on anyone at all: what a page or an API
    operation asks before it runs; the operation then asks `decide` about its subject."""
    return any(scopes(role, permission, options) for role in roles)


def sees_every_account(roles: frozenset[Role], options: PolicyOptions = PolicyOptions()
                       ) -> bool:
    """Whether these roles list every account of the school (the Comptes page, whole): only
    they may be told that an identifier is nobody's; anyone else gets the refusal an account
    out of their reach gets."""
    return any(Scope.EVERYONE in scopes(role, Permission.LIST_ACCOUNTS, options)
               for role in roles)


def _covers(scope: Scope, subject: Subject | None) -> bool:
    if subject is None:
        return scope is Scope.SCHOOL
    return {
        Scope.SCHOOL: False,
        Scope.SELF: subject.is_actor,
        Scope.ELEVES: subject.profile == "eleve" and not subject.is_actor,
        Scope.OWN_ELEVES: subject.profile == "eleve" and subject.shares_a_structure,
        Scope.STAFF: subject.profile in STAFF_PROFILES and not subject.is_actor,
        Scope.STAFF_BUT_DIRECTION: (subject.profile in STAFF_PROFILES - {"direction"}
                                    and not subject.is_actor),
        Scope.RESPONSABLES: subject.profile == "responsable" and not subject.is_actor,
        Scope.EVERYONE: subject.profile != STRUCTURE,
        Scope.STRUCTURES: subject.profile == STRUCTURE,
        Scope.OWN_STRUCTURES: subject.profile == STRUCTURE and subject.shares_a_structure,
    }[scope]


def decide(roles: frozenset[Role], permission: Permission, subject: Subject | None = None,
           options: PolicyOptions = PolicyOptions()) -> Decision:
    """May someone with these roles do this, on this subject (None: on the school)?"""
    for role in sorted(roles, key=lambda r: list(Role).index(r)):
        for scope in sorted(scopes(role, permission, options), key=lambda s: s.name):
            if _covers(scope, subject):
                return Decision(True, f"{role.value} : {permission.value} ({scope.value})")
    if not holds(roles, permission, options):
        return Decision(False, f"« {permission.value} » n'est permis à aucun de vos rôles "
                               f"({', '.join(sorted(r.value for r in roles)) or 'aucun'}).")
    if subject is not None and subject.profile == STRUCTURE:
        return Decision(False, f"« {permission.value} » ne vous est permis que pour les "
                               "divisions et groupes où vous enseignez (services STS-Web).")
    target = profile_label(subject.profile) if subject else "l'établissement"
    return Decision(False, f"« {permission.value} » ne vous est pas permis pour ce compte "
                           f"({target}).")


def matrix(options: PolicyOptions = PolicyOptions()) -> list[tuple[Permission, Role, str]]:
    """Every permission, every role, and on whom: the table `bascule policy matrix` prints."""
    return [(permission, role, ", ".join(sorted(s.value for s in granted)) or "—")
            for permission in Permission for role in Role
            for granted in [scopes(role, permission, options)]]
