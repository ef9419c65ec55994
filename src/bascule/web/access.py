"""Which permission every page and every API operation asks: one table, read by the console's
shared request handling (nothing is served that the table does not name), by its menu, by the
role x page matrix test, and rendered into the README's "who may do what".

The permission itself is the policy's (domain/policy.py): a request passes its gate when one of
the person's roles holds the permission on someone (`policy.holds`); the operation then asks the
policy about its subject (a teacher may reset an élève, not a colleague). An API operation also
needs its token's scope.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from pathlib import Path

from bascule.domain.policy import (
    ROLE_OF_PROFILE,
    Permission,
    PolicyOptions,
    Role,
    Scope,
    holds,
    may_hold_token,
    scopes,
)

P = Permission
API_PREFIX = "/api/v1"  # the API's routers are included under it


@dataclass(frozen=True, slots=True, kw_only=True)
class Gate:
    method: str
    path: str  # as routed: "/api/v1/comptes/{login}/reinitialisation"
    label: str  # French, for the README and the menu
    permission: Permission | None  # None: public (the sign-in form, the health check)
    token_scope: str | None = None  # the API's scopes (store/tokens.py SCOPES)
    menu: bool = False  # a link of the console's menu

    @property
    def api(self) -> bool:
        return self.path.startswith("/api/")


def _page(method: str, path: str, label: str, permission: Permission | None,
          menu: bool = False) -> Gate:
    return Gate(method=method, path=path, label=label, permission=permission, menu=menu)


def _api(method: str, path: str, label: str, permission: Permission | None,
         scope: str | None) -> Gate:
    return Gate(method=method, path=API_PREFIX + path, label=label, permission=permission,
                token_scope=scope)


GATES: tuple[Gate, ...] = (
    _page("GET", "/connexion", "Connexion", None),
    _page("POST", "/connexion", "Connexion", None),
    _page("GET", "/connexion/operateur", "Connexion des opérateurs du département", None),
    _page("POST", "/connexion/operateur", "Connexion des opérateurs du département", None),
    _page("POST", "/deconnexion", "Se déconnecter", P.OWN_SESSION),
    _page("GET", "/mon-compte", "Mon compte", P.SEE_OWN_ACCOUNT),
    _page("POST", "/mon-compte", "Mon compte : changer son mot de passe", P.CHANGE_OWN_PASSWORD),
    _page("POST", "/sessions/fermer", "Fermer les sessions d'un compte", P.END_SESSIONS),
    _page("GET", "/avis/{numero}", "Avis (une fois)", P.OWN_SESSION),
    _page("GET", "/", "Tableau de bord", P.CONSULT_SCHOOL, menu=True),
    _page("GET", "/plan", "Plan", P.READ_PLAN, menu=True),
    _page("GET", "/plan/export", "Plan : télécharger ses différences en CSV", P.READ_PLAN),
    _page("POST", "/plan/approuver", "Plan : approuver", P.APPROVE_PLAN),
    _page("POST", "/plan/appliquer", "Plan : appliquer", P.APPLY_APPROVED_PLAN),
    _page("GET", "/plan/application", "Plan : suivre l'application", P.READ_PLAN),
    _page("GET", "/mots-de-passe", "Mots de passe", P.RESET_PASSWORD, menu=True),
    _page("POST", "/mots-de-passe/reinitialiser", "Mots de passe : réinitialiser un compte",
          P.RESET_PASSWORD),
    _page("GET", "/mots-de-passe/nouveau/{numero}", "Mots de passe : le nouveau (affiché une fois)",
          P.RESET_PASSWORD),
    _page("GET", "/mots-de-passe/structure",
          "Mots de passe : confirmer toute une division ou un groupe", P.RESET_STRUCTURE),
    _page("POST", "/mots-de-passe/structure", "Mots de passe : toute une division ou un groupe",
          P.RESET_STRUCTURE),
    _page("GET", "/mots-de-passe/fiches/{numero}", "Mots de passe : les fiches produites",
          P.RESET_STRUCTURE),
    _page("GET", "/mots-de-passe/fiches/{numero}/pdf",
          "Mots de passe : télécharger les fiches (une fois)", P.RESET_STRUCTURE),
    _page("GET", "/comptes", "Comptes", P.CONSULT_SCHOOL, menu=True),
    _page("GET", "/comptes/export", "Comptes : exporter en CSV (journalisé)",
          P.EXPORT_ACCOUNTS),
    _page("POST", "/comptes/reimpression", "Comptes : réimprimer les fiches initiales",
          P.RESET_STRUCTURE),
    _page("GET", "/fiches", "Fiches", P.PRINT_APPLY_SLIPS, menu=True),
    _page("GET", "/fiches/{dossier}/{fichier}", "Fiches : télécharger celles d'une application",
          P.PRINT_APPLY_SLIPS),
    _page("POST", "/fiches/{dossier}/destruction", "Fiches : détruire, une fois distribuées",
          P.PRINT_APPLY_SLIPS),
    _page("GET", "/pilotage/fermeture", "Fermeture rentrée", P.TOGGLE_ENT_CLOSURE, menu=True),
    _page("POST", "/pilotage/fermeture", "Fermeture rentrée : rouvrir ou refermer",
          P.TOGGLE_ENT_CLOSURE),
    _page("GET", "/pilotage/autorisations", "Autorisations", P.CONSULT_SCHOOL, menu=True),
    _page("POST", "/pilotage/autorisations", "Autorisations : accorder ou retirer",
          P.MANAGE_DELEGATIONS),
    _page("GET", "/verification", "Vérification", P.CONSULT_SCHOOL, menu=True),
    _page("GET", "/espaces", "Espaces", P.CONSULT_SCHOOL, menu=True),
    _page("GET", "/calendrier", "Calendrier", P.CONSULT_SCHOOL, menu=True),
    _page("GET", "/journal", "Journal", P.READ_AUDIT, menu=True),
    _page("GET", "/revue", "Revue des identités", P.RESOLVE_REVIEW, menu=True),
    _page("POST", "/revue/decision", "Revue des identités : décider ou annuler",
          P.RESOLVE_REVIEW),
    _page("POST", "/plan/recalcul", "Plan : le recalculer pour maintenant, s'il est périmé",
          P.RECOMPUTE_PLAN),
    _page("GET", "/historique", "Historique", P.READ_PLAN, menu=True),
    _page("GET", "/historique/{numero}", "Historique : ce qu'une application a changé",
          P.READ_PLAN),
    _page("POST", "/historique/{numero}/annuler", "Historique : préparer l'annulation",
          P.UNDO_APPLY),
    _page("GET", "/retenues", "Retenues", P.HOLD_PERSON, menu=True),
    _page("POST", "/retenues", "Retenues : retenir une personne", P.HOLD_PERSON),
    _page("POST", "/retenues/lever", "Retenues : lever une retenue", P.HOLD_PERSON),
    _page("GET", "/nuit", "Nuit", P.WATCH_NIGHT, menu=True),
    _page("GET", "/etablissement", "Établissement", P.CHOOSE_SCHOOL, menu=True),
    _page("POST", "/etablissement", "Établissement : choisir celui consulté", P.CHOOSE_SCHOOL),
    _api("GET", "/sante", "santé de la console", None, None),
    _api("GET", "/comptes", "comptes", P.LIST_ACCOUNTS, "lecture"),
    _api("POST", "/comptes/{login}/reinitialisation", "réinitialiser un compte",
         P.RESET_PASSWORD, "mots-de-passe"),
    _api("POST", "/comptes/{login}/sessions/fermeture", "fermer les sessions d'un compte",
         P.END_SESSIONS, "mots-de-passe"),
    _api("POST", "/reinitialisations", "réinitialiser une division ou un groupe",
         P.RESET_STRUCTURE, "mots-de-passe"),
    _api("GET", "/plan", "plan en attente", P.READ_PLAN, "lecture"),
    _api("POST", "/plan/approbation", "approuver le plan", P.APPROVE_PLAN, "plan"),
    _api("POST", "/plan/application", "appliquer le plan", P.APPLY_APPROVED_PLAN, "plan"),
    _api("GET", "/plan/application", "suivre l'application", P.READ_PLAN, "lecture"),
    _api("GET", "/imports", "imports", P.CONSULT_SCHOOL, "lecture"),
    _api("GET", "/delegations", "délégations", P.CONSULT_SCHOOL, "lecture"),
    _api("POST", "/delegations", "accorder ou retirer une délégation", P.MANAGE_DELEGATIONS,
         "pilotage"),
    _api("GET", "/fermeture", "fermeture rentrée", P.CONSULT_SCHOOL, "lecture"),
    _api("POST", "/fermeture", "rouvrir ou refermer l'ENT", P.TOGGLE_ENT_CLOSURE, "pilotage"),
    _api("GET", "/verification", "vérification", P.CONSULT_SCHOOL, "lecture"),
    _api("GET", "/revue", "cas de revue des identités", P.RESOLVE_REVIEW, "lecture"),
    _api("POST", "/revue/{numero}/decision", "décider d'un cas de revue (ou l'annuler)",
         P.RESOLVE_REVIEW, "pilotage"),
    _api("GET", "/retenues", "retenues (personnes hors du plan)", P.HOLD_PERSON, "lecture"),
    _api("POST", "/retenues", "retenir une personne", P.HOLD_PERSON, "plan"),
    _api("POST", "/retenues/{numero}/levee", "lever une retenue", P.HOLD_PERSON, "plan"),
)
_BY_ROUTE = {(gate.method, gate.path): gate for gate in GATES}


def gate_of(method: str, url_path: str, route_path: str) -> Gate | None:
    """The gate of a routed request: its route's path ("{login}" stays), under the API's
    prefix when the URL is the API's (an included router's route knows only its own path)."""
    api = url_path.startswith(API_PREFIX + "/")
    return _BY_ROUTE.get((method, API_PREFIX + route_path if api else route_path))


def passes(gate: Gate, roles: frozenset[Role]) -> bool:
    """Whether these roles pass the gate (a school's narrowing of the teachers' resets to their
    own élèves changes on whom, not whether: the operation asks about its subject)."""
    return gate.permission is None or holds(roles, gate.permission)


def home_path(roles: frozenset[Role]) -> str:
    """Where a person lands after signing in: the dashboard for those who read the school's
    pages, the password tool for teachers, their own account for everyone else."""
    for path in ("/", "/mots-de-passe"):
        if passes(_BY_ROUTE[("GET", path)], roles):
            return path
    return "/mon-compte"


# The README's columns: the roles a console user holds (the operators: the département's IT
# team, accounts of their own; the RRUPN is a delegation on top of a staff member's own role;
# the principal adjoint has the principal's rights, see the policy).
README_ROLES = (Role.OPERATEUR, Role.PRINCIPAL, Role.PRINCIPAL_ADJOINT, Role.RRUPN,
                Role.REINIT_ELEVES, Role.ENSEIGNANT, Role.CPE, Role.DOCUMENTATION,
                Role.ADMINISTRATIF, Role.ELEVE, Role.RESPONSABLE)
assert set(README_ROLES) >= set(ROLE_OF_PROFILE.values())  # every profile has its column


def _cell(gate: Gate, role: Role, options: PolicyOptions) -> str:
    if gate.permission is None:
        return "oui"
    if gate.api and not may_hold_token(role):
        return "— (pas de jeton)"
    granted = scopes(role, gate.permission, options)
    if not granted:
        return "—"
    if granted == {Scope.SCHOOL}:
        return "oui"
    return ", ".join(scope.value for scope in Scope if scope in granted)  # the operation asks


def who_may_do_what(options: PolicyOptions) -> str:
    """The README's table, in Markdown: every page and API operation, every role."""
    head = ["page ou opération", "jeton : portée", *(role.value for role in README_ROLES)]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for gate in GATES:
        where = f"`{gate.method} {gate.path}`"
        scope = gate.token_scope or ("—" if gate.api else "(session)")
        cells = [f"{gate.label} {where}", scope,
                 *(_cell(gate, role, options) for role in README_ROLES)]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


_README_SECTION = re.compile(r"(<!-- qui-peut-quoi -->\n).*?(<!-- /qui-peut-quoi -->)", re.S)


def rewrite_readme(readme: Path) -> None:
    """The README's section between its <!-- qui-peut-quoi --> markers, made from the table
    (tests/web/test_matrix.py fails while it is out of date)."""
    text = readme.read_text(encoding="utf-8")
    table = who_may_do_what(PolicyOptions())
    readme.write_text(_README_SECTION.sub(lambda m: m.group(1) + table + m.group(2), text),
                      encoding="utf-8")


if __name__ == "__main__":  # python -m bascule.web.access README.md
    rewrite_readme(Path(sys.argv[1]))
