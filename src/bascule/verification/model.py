"""The checks, each finding with its severity, count, examples, probable cause and what to do,
from the patterns the memo lists before calling support. Pure."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import Enum

from bascule.domain.labels import profile_label, status_label
from bascule.domain.logins import LoginOwner, SharedLogin
from bascule.domain.school import describe_moment
from bascule.targets.model import SchoolView

EXAMPLES = 5  # example lines per finding
FEW = 5  # fewer élèves than this in a level: too few to read a pattern in
STS_PATTERN = 0.25  # this share of last year's teachers without services: STS-Web not fed


class Severity(Enum):
    ERROR = "erreur"
    WARNING = "avertissement"


@dataclass(frozen=True, slots=True, kw_only=True)
class Finding:
    code: str
    severity: Severity
    title: str
    cause: str
    action: str
    items: tuple[str, ...]  # every case, as a line a principal reads
    divisions: tuple[str, ...] = ()
    teachers: tuple[str, ...] = ()

    @property
    def count(self) -> int:
        return len(self.items)

    @property
    def examples(self) -> tuple[str, ...]:
        return self.items[:EXAMPLES]

    @property
    def console_action(self) -> str:
        """What to do, in the console's words: the action names the command line's steps
        (`verify`'s report is the operators'), the console's Vérification page does not."""
        action = self.action
        for command_line, console in _IN_CONSOLE.items():
            action = action.replace(command_line, console)
        return action

    def as_json(self) -> dict[str, object]:
        return {"code": self.code, "severity": self.severity.value, "title": self.title,
                "count": self.count, "cause": self.cause, "action": self.action,
                "examples": list(self.examples), "items": list(self.items),
                "divisions": list(self.divisions),
                "teachers": list(self.teachers)}


@dataclass(frozen=True, slots=True, kw_only=True)
class TargetState:
    """What a read-only comparison of a target with the store found."""

    name: str
    what: str  # "annuaire" or "espaces"
    differences: tuple[str, ...] = ()  # one line per difference
    logins: tuple[str, ...] = ()  # the people those differences are about
    unreachable: str = ""
    last_sync: datetime | None = None
    last_apply: datetime | None = None
    missing_tools: tuple[str, ...] = ()  # the programs this machine lacks to set or read them


@dataclass(frozen=True, slots=True, kw_only=True)
class VerificationInput:
    view: SchoolView  # this school year
    previous: SchoolView | None  # the year before, when applied
    levels: Mapping[str, str]  # division code -> level ("6e", "5e"…)
    labels: Mapping[str, str]  # person key -> "NOM Prénom (login)"
    # The campaign's élèves present on the verification's day, when a plan is pending, or None
    export_eleves: frozenset[str] | None
    eleve_accounts: Mapping[str, str]  # élève key -> account status
    guardians: frozenset[tuple[str, str, int]]  # (responsable key, élève key, level)
    responsable_accounts: Mapping[str, str]  # responsable key -> account status
    targets: tuple[TargetState, ...] = field(default_factory=tuple)
    # The campaign's élèves whose DATE_SORTIE has passed since its export (plan/desired.py)
    exited_eleves: frozenset[str] = frozenset()
    # People held by hand today (bascule hold): kept as they are on purpose, by every plan
    held: frozenset[str] = frozenset()
    # Their responsables: kept as they are too (plan/compute.py, plan/lifecycle.py)
    held_guardians: frozenset[str] = frozenset()
    # EduConnect ids held here and, by someone else, in another school of the folder
    shared_educonnect: tuple[SharedLogin, ...] = ()
    # Responsables probably known in another school too, each with their own id:
    # (here, id, there, id)
    twin_responsables: tuple[tuple[LoginOwner, str, LoginOwner, str], ...] = ()
    # Élèves of the export the plan in force held without an account (« NOM Prénom (ref) :
    # why »): a double enrolment, an identity in doubt, a record to correct
    eleves_held: tuple[str, ...] = ()
    # Élèves with an account here whom another school's newest export lists too (« NOM Prénom
    # (login) : … »): that school's plan held them, the account stays here
    eleves_listed_elsewhere: tuple[str, ...] = ()


EDT_TO_SIECLE = ("Les liens élèves-groupes n'ont pas été remontés dans Siècle-BEE depuis le "
                 "logiciel d'emploi du temps.")
STS_NOT_FED = "STS-Web n'a pas été alimenté après la remontée de l'emploi du temps."
STRUCTURES_NOT_READY = "Les structures n'ont pas été préparées dans STS-Web / Siècle-BEE."
REIMPORT = ("Corrigez à la source, refaites les exports, puis bascule import, plan, apply et "
            "sync ldap. Pour l'ENT, vérifiez aussi que la synchronisation Pronote–ENEJ86 est "
            "faite.")
APPLY_THE_PLAN = "Relisez le plan puis appliquez-le : bascule plan, bascule apply --yes."
IMPORT_RESPONSABLES = ("Importez ResponsablesAvecAdresses.xml avec les élèves, puis plan et "
                       "apply.")
NEXT_PLAN = "bascule plan, puis bascule apply --yes."
SYNC_LDAP = "Relancez bascule sync ldap (--dry-run d'abord pour voir ce qu'il changera)."
SYNC_SPACES = "Relancez bascule spaces sync (--dry-run d'abord pour voir ce qu'il changera)."
INSTALL_ACL = "Installez le paquet acl (apt-get install acl), puis relancez bascule spaces sync."
SETTLE_DOUBLE = ("Voyez avec l'autre collège où l'élève est scolarisé(e) : le collège qu'il "
                 "ou elle a quitté corrige sa fiche dans Siècle-BEE (date de sortie) et refait "
                 "son export. Tant que les deux exports le listent, son compte reste ici et "
                 "l'autre collège n'en a pas ; une fois l'export corrigé importé, la nuit "
                 "suivante fait suivre le compte s'il change de collège.")
SETTLE_HELD = ("Levez la raison donnée pour chacun : corrigez dans Siècle-BEE puis importez "
               "l'export corrigé, ou décidez qui c'est (bascule review list) ; puis bascule "
               "plan, et bascule apply --yes.")
# The same, in the console's words (Finding.console_action).
_IN_CONSOLE = {
    SETTLE_HELD: "Levez la raison donnée pour chacun : corrigez dans Siècle-BEE puis faites "
                 "importer l'export corrigé, ou décidez qui c'est (page Revue des identités) ; "
                 "puis relisez et appliquez le plan (page Plan).",
    REIMPORT: "Corrigez à la source et refaites les exports ; l'opérateur du département les "
              "importe, puis le plan est relu, appliqué (page Plan) et l'annuaire synchronisé. "
              "Pour l'ENT, vérifiez aussi que la synchronisation Pronote–ENEJ86 est faite.",
    APPLY_THE_PLAN: "Relisez le plan puis appliquez-le (page Plan).",
    IMPORT_RESPONSABLES: "Faites importer ResponsablesAvecAdresses.xml avec les élèves (par "
                         "l'opérateur du département), puis relisez et appliquez le plan "
                         "(page Plan).",
    NEXT_PLAN: "Le prochain plan les désactive : relisez-le et appliquez-le (page Plan).",
    SYNC_LDAP: "L'opérateur du département relance la synchronisation de l'annuaire.",
    SYNC_SPACES: "L'opérateur du département relance la synchronisation des espaces.",
    INSTALL_ACL: "L'opérateur du département installe le paquet acl sur le serveur, puis "
                 "relance la synchronisation des espaces.",
}


def verify(data: VerificationInput) -> list[Finding]:
    findings = [*_levels_without_groups(data), *_eleves_divisions(data),
                *_teachers_without_services(data), *_unknown_structures(data),
                *_structures(data), *_export_not_applied(data), *_eleves_held(data),
                *_eleves_listed_elsewhere(data),
                *_responsables(data),
                *_educonnect(data), *_targets(data)]
    return sorted((f for f in findings if f.items),
                  key=lambda f: (f.severity is not Severity.ERROR, -f.count, f.code))


def _eleves(view: SchoolView) -> list[str]:
    return [u.key for u in view.users if u.profile == "eleve" and u.enabled]


def _division_of(view: SchoolView) -> dict[str, list[str]]:
    divisions: dict[str, list[str]] = defaultdict(list)
    for target, keys in view.members.items():
        if target.startswith("D:"):
            for key in keys:
                divisions[key].append(target[2:])
    return divisions


def _levels_without_groups(data: VerificationInput) -> list[Finding]:
    """A whole level with no élève in any group, when the other levels have groups."""
    in_groups = {key for target, keys in data.view.members.items() if target.startswith("G:")
                 for key in keys}
    by_level: dict[str, list[str]] = defaultdict(list)
    for key, divisions in _division_of(data.view).items():
        for division in divisions:
            by_level[data.levels.get(division, division[:1])].append(key)
    if not in_groups:
        return []  # a school without any group: nothing to compare with
    empty = sorted(level for level, keys in by_level.items()
                   if len(keys) >= FEW and not in_groups.intersection(keys))
    return [Finding(
        code="groupes-absents-niveau", severity=Severity.ERROR,
        title="Aucun élève d'un niveau n'est dans un groupe", cause=EDT_TO_SIECLE,
        action=REIMPORT,
        items=tuple(f"niveau {level} : {len(by_level[level])} élèves, aucun dans un groupe"
                    for level in empty),
        divisions=tuple(sorted(d for d in data.view.divisions
                               if data.levels.get(d, d[:1]) in empty)))]


def _eleves_divisions(data: VerificationInput) -> list[Finding]:
    divisions = _division_of(data.view)
    none = [key for key in _eleves(data.view) if not divisions.get(key)]
    several = [key for key in _eleves(data.view) if len(divisions.get(key, ())) > 1]
    return [
        Finding(code="eleve-sans-division", severity=Severity.ERROR,
                title="Élèves actifs sans division", cause=STRUCTURES_NOT_READY,
                action="Affectez-les à une division dans Siècle-BEE. " + REIMPORT,
                items=tuple(sorted(data.labels.get(k, k) for k in none))),
        Finding(code="eleve-plusieurs-divisions", severity=Severity.ERROR,
                title="Élèves dans plusieurs divisions", cause=STRUCTURES_NOT_READY,
                action="Gardez une seule division par élève dans Siècle-BEE. " + REIMPORT,
                items=tuple(sorted(f"{data.labels.get(k, k)} : {', '.join(divisions[k])}"
                                   for k in several))),
    ]


def _teachers_without_services(data: VerificationInput) -> list[Finding]:
    """One teacher without services may be on leave; many of last year's teachers without any
    this year is the pattern of an STS-Web not fed."""
    teaching = {teacher for teacher, _structure, _subject in data.view.services}
    before = {teacher for teacher, _s, _sub in (data.previous.services if data.previous else ())}
    teachers = [u.key for u in data.view.users if u.profile == "enseignant" and u.enabled]
    idle = sorted((k for k in teachers if k not in teaching), key=lambda k: data.labels.get(k, k))
    idle_since = [k for k in idle if k in before]
    returning = [k for k in teachers if k in before]
    action = ("Dans STS-Web, vérifiez les services de ces enseignants (Emploi du temps > "
              "Remontée), puis refaites l'export STS et l'import.")
    lines = tuple(f"{data.labels.get(k, k)}{' (des services l’an passé)' if k in before else ''}"
                  for k in idle)
    many = bool(returning) and len(idle_since) >= STS_PATTERN * len(returning)
    return [
        Finding(code="sts-non-alimente", severity=Severity.ERROR,
                title="Les enseignants de l'an passé n'ont pas de services cette année",
                cause=STS_NOT_FED, action=action,
                items=lines if many else (),
                teachers=tuple(data.labels.get(k, k) for k in idle) if many else ()),
        Finding(code="enseignant-sans-service", severity=Severity.WARNING,
                title="Enseignants sans aucun service cette année",
                cause=STS_NOT_FED + " Ou l'enseignant est absent cette année.", action=action,
                items=() if many else lines,
                teachers=() if many else tuple(data.labels.get(k, k) for k in idle)),
    ]


def _unknown_structures(data: VerificationInput) -> list[Finding]:
    known = {f"D:{d}" for d in data.view.divisions} | {f"G:{g}" for g in data.view.groups}
    services = sorted({(structure, teacher) for teacher, structure, _s in data.view.services
                       if structure not in known})
    parents = sorted((group, parent) for group, parent_divisions in data.view.groups.items()
                     for parent in parent_divisions if parent not in data.view.divisions)
    return [
        Finding(code="service-structure-inconnue", severity=Severity.ERROR,
                title="Services sur une division ou un groupe absent des exports",
                cause=STRUCTURES_NOT_READY, action=REIMPORT,
                items=tuple(f"{structure[2:]} : {data.labels.get(teacher, teacher)}"
                            for structure, teacher in services),
                teachers=tuple(sorted({data.labels.get(t, t) for _s, t in services}))),
        Finding(code="groupe-division-inconnue", severity=Severity.ERROR,
                title="Groupes rattachés à une division qui n'existe pas",
                cause=STRUCTURES_NOT_READY, action=REIMPORT,
                items=tuple(f"groupe {group} : division {parent}" for group, parent in parents)),
    ]


def _structures(data: VerificationInput) -> list[Finding]:
    view = data.view
    taught = {structure for _teacher, structure, _subject in view.services}
    headed = view.headed_divisions
    empty_divisions = sorted(d for d in view.divisions if not view.members.get(f"D:{d}"))
    unheaded = sorted(d for d in view.divisions if d not in headed)
    untaught = sorted(g for g in view.groups if f"G:{g}" not in taught)
    unattended = sorted(g for g in view.groups if not view.members.get(f"G:{g}"))
    return [
        Finding(code="division-sans-eleve", severity=Severity.WARNING,
                title="Divisions sans élève", cause=STRUCTURES_NOT_READY, action=REIMPORT,
                items=tuple(empty_divisions), divisions=tuple(empty_divisions)),
        Finding(code="division-sans-pp", severity=Severity.WARNING,
                title="Divisions sans professeur principal", cause=STS_NOT_FED,
                action="Désignez le professeur principal dans STS-Web, puis refaites l'export.",
                items=tuple(unheaded), divisions=tuple(unheaded)),
        Finding(code="groupe-sans-enseignant", severity=Severity.WARNING,
                title="Groupes sans enseignant", cause=STS_NOT_FED, action=REIMPORT,
                items=tuple(untaught)),
        Finding(code="groupe-sans-eleve", severity=Severity.WARNING,
                title="Groupes sans élève", cause=EDT_TO_SIECLE, action=REIMPORT,
                items=tuple(unattended)),
    ]


def _export_not_applied(data: VerificationInput) -> list[Finding]:
    if data.export_eleves is None:
        return []
    cause = "Le dernier import n'a pas été appliqué à l'annuaire."
    action = APPLY_THE_PLAN
    left = sorted(k for k, status in data.eleve_accounts.items()
                  if status == "active" and k not in data.export_eleves and k not in data.held)
    back = sorted(k for k, status in data.eleve_accounts.items()
                  if status == "disabled" and k in data.export_eleves and k not in data.held)
    return [
        Finding(code="compte-actif-eleve-parti", severity=Severity.ERROR,
                title="Comptes actifs d'élèves qui ne sont plus dans l'export", cause=cause,
                action=action, items=tuple(data.labels.get(k, k) for k in left
                                           if k not in data.exited_eleves)),
        Finding(code="compte-actif-eleve-sorti", severity=Severity.WARNING,
                title="Comptes actifs d'élèves dont la date de sortie est passée",
                cause="Leur date de sortie (DATE_SORTIE de l'export) est passée depuis le "
                      "dernier plan appliqué : le prochain plan désactive ces comptes.",
                action=action, items=tuple(data.labels.get(k, k) for k in left
                                           if k in data.exited_eleves)),
        Finding(code="compte-desactive-eleve-present", severity=Severity.ERROR,
                title="Comptes désactivés d'élèves présents dans l'export", cause=cause,
                action=action, items=tuple(data.labels.get(k, k) for k in back)),
    ]


def _eleves_held(data: VerificationInput) -> list[Finding]:
    """Élèves the export lists whom the plan held before they had an account here: they have
    none in this school until the reason is settled."""
    return [Finding(code="eleve-export-sans-compte", severity=Severity.ERROR,
                    title="Élèves de l'export sans compte dans ce collège (retenus par le plan)",
                    cause="Le plan les a retenus : rien n'est fait pour eux tant que la raison "
                          "donnée pour chacun n'est pas levée.",
                    action=SETTLE_HELD,
                    items=tuple(sorted(data.eleves_held)))]


def _eleves_listed_elsewhere(data: VerificationInput) -> list[Finding]:
    """Élèves with an account here whom another collège's newest export lists too: that
    collège's plan held them (a double enrolment, never settled by a decision here)."""
    return [Finding(code="eleve-inscrit-ailleurs", severity=Severity.ERROR,
                    title="Élèves inscrits aussi dans un autre collège du dossier (leur compte "
                          "reste ici)",
                    cause="Le dernier export de l'autre collège les liste aussi : son plan les "
                          "a retenus sans leur donner de compte. L'un des deux collèges ne les "
                          "a pas sortis dans Siècle-BEE.",
                    action=SETTLE_DOUBLE,
                    items=tuple(sorted(data.eleves_listed_elsewhere)))]


def _responsables(data: VerificationInput) -> list[Finding]:
    active_eleves = {k for k, status in data.eleve_accounts.items() if status == "active"}
    legal = sorted({responsable for responsable, eleve, level in data.guardians
                    if level == 1 and eleve in active_eleves
                    and data.responsable_accounts.get(responsable) != "active"})
    with_child = {responsable for responsable, eleve, _level in data.guardians
                  if eleve in active_eleves}
    orphans = sorted(k for k, status in data.responsable_accounts.items()
                     if status == "active" and k not in with_child
                     and k not in data.held_guardians)
    return [
        Finding(code="responsable-legal-sans-compte", severity=Severity.WARNING,
                title="Représentants légaux sans compte actif",
                cause="Le fichier des responsables n'a pas été importé avec les élèves, ou le "
                      "plan n'a pas été appliqué.",
                action=IMPORT_RESPONSABLES, items=tuple(data.labels.get(k, k) for k in legal)),
        Finding(code="responsable-sans-enfant", severity=Severity.WARNING,
                title="Comptes de responsables sans enfant présent",
                cause="Leurs enfants ont quitté l'établissement : le plan suivant désactive "
                      "ces comptes.", action=NEXT_PLAN,
                items=tuple(data.labels.get(k, k) for k in orphans)),
    ]


SHARED_EDUCONNECT_TITLE = ("Identifiants EduConnect donnés aussi à une autre personne dans un "
                           "autre collège du dossier")
SHARED_EDUCONNECT_CAUSE = (
    "Identifiants donnés avant que bascule ne les rende uniques dans tout le dossier (chaque "
    "collège ne vérifiait que les siens). EduConnect est académique : un identifiant ne doit "
    "désigner qu'une seule personne, sinon la seconde ne peut pas activer son compte.")
SHARED_EDUCONNECT_ACTION = (
    "bascule ne change jamais de lui-même un identifiant déjà distribué, et n'en donne plus "
    "un qui est déjà pris dans le dossier. Avec l'autre collège, regardez dans EduConnect "
    "(Administration des comptes) laquelle des deux personnes a activé son compte avec cet "
    "identifiant : elle le garde. Ne distribuez pas la fiche EduConnect de l'autre et demandez "
    "pour elle un autre identifiant à l'assistance de l'académie. « Probablement la même "
    "personne » : mêmes nom, prénom et courriel, mais bascule ne réunit pas deux identités "
    "sur ces seuls indices ; c'est à vous de le confirmer.")
TWIN_RESPONSABLES_CAUSE = (
    "Un parent dont les enfants sont dans deux collèges reçoit de chaque Siècle son propre "
    "PERSONNE_ID : bascule le connaît deux fois.")
TWIN_RESPONSABLES_ACTION = (
    "Rien n'est fusionné : deux comptes, deux identifiants EduConnect, chacun pour les enfants "
    "de son collège. Si c'est bien la même personne, remettez-lui ses fiches en lui disant à "
    "quel collège chaque identifiant sert ; bascule ne réunit pas deux identités sur des noms "
    "et un courriel.")


def _owner_text(owner: LoginOwner) -> str:
    status = f", {status_label(owner.status)}" if owner.status else ", sans compte"
    return f"{owner.label} ({profile_label(owner.profile)}{status})"


def shared_login_line(shared: SharedLogin) -> str:
    """One shared EduConnect id, as `verify` and `feed educonnect` say it."""
    same = (" — probablement la même personne (mêmes nom, prénom et courriel)"
            if shared.probably_same else "")
    return (f"{shared.login} : {_owner_text(shared.here)} ici, et {_owner_text(shared.there)} "
            f"au collège {shared.there.uai}{same}")


def _educonnect(data: VerificationInput) -> list[Finding]:
    return [
        Finding(code="educonnect-identifiant-partage", severity=Severity.WARNING,
                title=SHARED_EDUCONNECT_TITLE, cause=SHARED_EDUCONNECT_CAUSE,
                action=SHARED_EDUCONNECT_ACTION,
                items=tuple(shared_login_line(s) for s in data.shared_educonnect)),
        Finding(code="responsable-connu-deux-fois", severity=Severity.WARNING,
                title="Responsables probablement connus aussi dans un autre collège du dossier",
                cause=TWIN_RESPONSABLES_CAUSE, action=TWIN_RESPONSABLES_ACTION,
                items=tuple(f"{here.label} ({login}) ici, et {there.label} ({other}) au "
                            f"collège {there.uai} : mêmes nom, prénom et courriel"
                            for here, login, there, other in data.twin_responsables)),
    ]


def _targets(data: VerificationInput) -> list[Finding]:
    findings = []
    for target in data.targets:
        if target.unreachable:
            findings.append(Finding(
                code="cible-injoignable", severity=Severity.ERROR,
                title=f"{target.what.capitalize()} « {target.name} » injoignable",
                cause=target.unreachable, action="Vérifiez le serveur et la connexion.",
                items=(target.name,)))
        elif target.differences:
            teachers = {u.login: data.labels.get(u.key, u.login) for u in data.view.users
                        if u.profile in ("enseignant", "documentation")}
            findings.append(Finding(
                code=f"{'annuaire' if target.what == 'annuaire' else 'espaces'}-different",
                severity=Severity.ERROR,
                title=f"{target.what.capitalize()} « {target.name} » différent de bascule",
                cause=_why_different(target), action=_sync_action(target),
                items=target.differences,
                teachers=tuple(sorted({teachers[login] for login in target.logins
                                       if login in teachers}))))
    return findings


def _why_different(target: TargetState) -> str:
    if target.missing_tools:
        return (f"{' et '.join(target.missing_tools)} manque(nt) sur cette machine (paquet "
                "Debian acl) : les droits des espaces n'ont pas pu être posés ni relus.")
    if target.last_sync is None:
        return "La synchronisation n'a jamais été lancée."
    when = describe_moment(target.last_sync, clock=True)
    if target.last_apply is not None and target.last_apply > target.last_sync:
        return f"La synchronisation n'a pas été relancée depuis le {when}, avant le dernier apply."
    return f"Modifié à la main dans l'{target.what} après la dernière synchronisation ({when})."


def _sync_action(target: TargetState) -> str:
    if target.missing_tools:
        return INSTALL_ACL
    return SYNC_LDAP if target.what == "annuaire" else SYNC_SPACES


def counts(findings: Iterable[Finding]) -> dict[str, int]:
    totals = {severity.value: 0 for severity in Severity}
    for finding in findings:
        totals[finding.severity.value] += finding.count
    return totals
