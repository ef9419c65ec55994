"""What the school office should fix in Siècle-BEE or STS-Web before the real import.

Findings are computed from a Snapshot (pure); the HTML report and the terminal render them.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass

from bascule.domain.people import GuardianLevel, Profile
from bascule.exports.records import ExportKind
from bascule.snapshot.model import Eleve, InactiveReason, Snapshot

LEGAL = GuardianLevel.LEGAL  # Guardianship.is_legal, without a property call per link


@dataclass(frozen=True, slots=True, kw_only=True)
class Finding:
    code: str
    title: str
    advice: str
    items: tuple[str, ...]


def _who(eleve: Eleve) -> str:
    born = (f"né·e le {eleve.birth_date:%d/%m/%Y}" if eleve.birth_date is not None
            else "date de naissance absente")  # the record's own fault, reported apart
    return (f"{eleve.division or 'sans division'} · {eleve.last_name} {eleve.first_name} "
            f"({born}, ELEVE_ID {eleve.eleve_id})")


def assess_quality(snapshot: Snapshot) -> tuple[Finding, ...]:
    active = snapshot.active_eleves  # a pass over every élève: made once
    findings = [
        Finding(code="ine-absent", title="Élèves sans INE",
                advice="Demandez l'immatriculation de ces élèves dans Siècle-BEE (Base élèves "
                "> INE) : sans INE, leur compte ne peut pas être suivi d'une année à l'autre.",
                items=tuple(_who(e) for e in active if not e.any_ine)),
        Finding(code="homonymes", title="Homonymes nés le même jour dans une même division",
                advice="Vérifiez qu'il ne s'agit pas d'un doublon de fiche dans Siècle-BEE ; "
                "sinon, les identifiants seront distingués par un numéro d'ordre.",
                items=_homonyms(active)),
        Finding(code="sans-division", title="Élèves sans division",
                advice="Affectez ces élèves à une division dans Siècle-BEE (Structures) puis "
                "refaites l'export : sans division, ils n'ont ni compte ni classe.",
                items=tuple(_who(e) for e in snapshot.eleves
                            if e.inactive_reason in (InactiveReason.NO_DIVISION,
                                                     InactiveReason.INACTIFS))),
    ]
    if snapshot.has_source(ExportKind.STS.value):
        findings += [
            Finding(code="division-sans-pp", title="Divisions sans professeur principal",
                    advice="Saisissez les professeurs principaux dans STS-Web (indemnités) puis "
                    "refaites l'export STS-Web.", items=_divisions_without_pp(snapshot)),
            Finding(code="groupe-sans-enseignant", title="Groupes sans enseignant",
                    advice="Importez l'emploi du temps dans STS-Web (services des groupes) puis "
                    "refaites l'export STS-Web.", items=_groups_without_teacher(snapshot)),
        ]
    if snapshot.has_source(ExportKind.RESPONSABLES.value):
        findings.append(Finding(
            code="sans-representant-legal", title="Élèves sans représentant légal",
            advice="Complétez les responsables de ces élèves dans Siècle-BEE (niveau de "
            "responsabilité « représentant légal »).", items=_without_legal(snapshot, active)))
    return tuple(findings)


def _homonyms(active: tuple[Eleve, ...]) -> tuple[str, ...]:
    groups: dict[tuple[object, ...], list[Eleve]] = defaultdict(list)
    for eleve in active:
        key = (eleve.division, eleve.last_name.casefold(), eleve.first_name.casefold(),
               eleve.birth_date)
        groups[key].append(eleve)
    return tuple(" / ".join(_who(e) for e in same) for same in groups.values() if len(same) > 1)


def _divisions_without_pp(snapshot: Snapshot) -> tuple[str, ...]:
    with_pp = {pp.division for pp in snapshot.profs_principaux}
    return tuple(d.code for d in snapshot.divisions if d.code not in with_pp)


def _groups_without_teacher(snapshot: Snapshot) -> tuple[str, ...]:
    taught = {s.structure_code for s in snapshot.services}
    return tuple(g.code for g in snapshot.groups if g.code not in taught)


def _without_legal(snapshot: Snapshot, active: tuple[Eleve, ...]) -> tuple[str, ...]:
    with_legal = {g.eleve_id for g in snapshot.guardianships if g.level is LEGAL}
    return tuple(_who(e) for e in active if e.eleve_id not in with_legal)


@dataclass(frozen=True, slots=True, kw_only=True)
class DivisionCount:
    code: str
    label: str | None
    eleves: int
    groups: int
    teachers: int
    profs_principaux: int


@dataclass(frozen=True, slots=True, kw_only=True)
class Summary:
    """Counts per profile and per division, for the terminal and the report."""

    eleves_active: int
    eleves_inactive: int
    responsables_legal: int
    responsables_other: int
    staff_by_category: tuple[tuple[str, int], ...]
    divisions: tuple[DivisionCount, ...]
    groups: int

    @property
    def by_profile(self) -> dict[Profile, int]:
        staff = dict(self.staff_by_category)
        teachers = staff.get("enseignant", 0)
        return {
            Profile.ELEVE: self.eleves_active,
            Profile.RESPONSABLE: self.responsables_legal + self.responsables_other,
            Profile.ENSEIGNANT: teachers,
            Profile.PERSONNEL: sum(staff.values()) - teachers,
        }


def summarise(snapshot: Snapshot) -> Summary:
    active = snapshot.active_eleves
    legal = {g.personne_id for g in snapshot.guardianships if g.level is LEGAL}
    categories = Counter(member.category_label for member in snapshot.staff)
    return Summary(
        eleves_active=len(active),
        eleves_inactive=len(snapshot.eleves) - len(active),
        responsables_legal=sum(1 for r in snapshot.responsables if r.personne_id in legal),
        responsables_other=sum(1 for r in snapshot.responsables if r.personne_id not in legal),
        staff_by_category=tuple(sorted(categories.items())),
        divisions=_division_counts(snapshot),
        groups=len(snapshot.groups),
    )


def _division_counts(snapshot: Snapshot) -> tuple[DivisionCount, ...]:
    eleves = Counter(e.division for e in snapshot.active_eleves)
    groups = Counter(parent for g in snapshot.groups for parent in g.parent_divisions)
    teachers: dict[str, set[object]] = defaultdict(set)
    for service in snapshot.services:
        teachers[service.structure_code].add(service.teacher)
    principals = Counter(pp.division for pp in snapshot.profs_principaux)
    return tuple(
        DivisionCount(code=d.code, label=d.label, eleves=eleves[d.code], groups=groups[d.code],
                      teachers=len(teachers[d.code]), profs_principaux=principals[d.code])
        for d in sorted(snapshot.divisions, key=lambda d: d.code)
    )
