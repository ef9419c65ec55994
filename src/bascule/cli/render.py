"""Everything the terminal shows, in French, with Rich. Nothing here decides anything."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from itertools import groupby
from pathlib import Path

from rich.console import Console

from bascule.cli.tables import SchoolTable
from bascule.domain.people import Profile, StaffCategory
from bascule.domain.school import has_right_key, local_time, uai_key
from bascule.errors import Problem, Severity
from bascule.operations.campaign import (
    HeldRecord,
    ImportOutcome,
    Staging,
    Summary,
)
from bascule.operations.folder_status import SchoolStatus
from bascule.operations.generation import GeneratedCollege
from bascule.settings import Settings

_PROFILE_LABELS = {Profile.ELEVE: "Élèves", Profile.RESPONSABLE: "Responsables",
                   Profile.ENSEIGNANT: "Enseignants", Profile.PERSONNEL: "Autres personnels"}

_STAGING_LABELS = {
    Staging.STAGED: "campagne enregistrée",
    Staging.UNCHANGED: "campagne déjà importée à l'identique, rien n'a changé",
    Staging.CHECKED: "vérification seule, rien n'est enregistré",
}


_SEVERITY_ORDER = {Severity.ERROR: 0, Severity.HELD: 1, Severity.WARNING: 2}


def problems(console: Console, found: Sequence[Problem], max_shown: int) -> None:
    """Problems grouped by severity, kind and hint (errors, then held records, then warnings),
    each group under its own hint; at most max_shown lines."""
    def group_of(problem: Problem) -> tuple[int, str, str]:
        return _SEVERITY_ORDER[problem.severity], problem.code, problem.hint

    shown = 0
    for _group, members in groupby(sorted(found, key=group_of), key=group_of):
        items = list(members)
        severity = items[0].severity  # its code is for --json, not for people
        style = "red" if severity is Severity.ERROR else "yellow"
        console.print(f"[bold {style}]{severity.heading} ({len(items)})[/]"
                      f" → {items[0].hint}", highlight=False, soft_wrap=True)
        for problem in items:
            if shown < max_shown:
                console.print(f"  {problem}", highlight=False, soft_wrap=True)
            shown += 1
    if shown > max_shown:
        console.print(f"  … et {shown - max_shown} autre(s) ligne(s) : le rapport (--report "
                      "rapport.html) les donne toutes.", highlight=False)


def import_outcome(console: Console, outcome: ImportOutcome, max_shown: int) -> None:
    snapshot = outcome.snapshot
    console.print(f"[bold]{snapshot.uai}[/] · année scolaire {snapshot.school_year} · export du "
                  f"{snapshot.export_date:%d/%m/%Y}" if snapshot.export_date else snapshot.uai,
                  highlight=False)
    summary_tables(console, outcome.summary)
    _import_problems(console, outcome, max_shown)
    for finding in outcome.findings:
        if finding.items:
            console.print(f"[yellow]À corriger[/] : {finding.title} : {len(finding.items)}",
                          highlight=False)
    warnings = sum(1 for p in outcome.problems if p.severity is Severity.WARNING)
    held = len(outcome.snapshot.held)
    held_part = f", {held} fiche(s) retenue(s)" if held else ""
    verdict = _STAGING_LABELS[outcome.staging]
    console.print(f"[bold green]Import accepté[/] ({warnings} avertissement(s){held_part}) : "
                  f"{verdict}.", highlight=False)
    if held:
        console.print("  → Les fiches retenues sont laissées telles quelles (personne n'est "
                      "désactivé pour elles) : corrigez-les dans Siècle-BEE ou STS-Web, puis "
                      "refaites l'export et l'import.", highlight=False, soft_wrap=True)


def _import_problems(console: Console, outcome: ImportOutcome, max_shown: int) -> None:
    """The import's problems; on a re-import of the very same campaign its warnings are only
    counted (they were listed at its first import: a nightly run repeating them buries what
    is new), its errors and held records still listed."""
    def is_repeated(problem: Problem) -> bool:
        return outcome.staging is Staging.UNCHANGED and problem.severity is Severity.WARNING

    repeated = [p for p in outcome.problems if is_repeated(p)]
    problems(console, [p for p in outcome.problems if not is_repeated(p)], max_shown)
    if repeated:
        console.print(f"[bold yellow]Avertissements ({len(repeated)})[/] : les mêmes qu'à "
                      "l'import de cette campagne ; le rapport (--report rapport.html) les "
                      "donne tous.", highlight=False, soft_wrap=True)


def summary_tables(console: Console, summary: Summary) -> None:
    profiles = SchoolTable(title="Par profil")
    profiles.add_column("Profil")
    profiles.add_column("Nombre", justify="right")
    for profile, count in summary.by_profile.items():
        profiles.add_row(_PROFILE_LABELS[profile], str(count))
        if profile is Profile.ELEVE:
            profiles.add_row("[dim]  et non actifs (sortis, sans division)[/]",
                             f"[dim]{summary.eleves_inactive}[/]")
    for category, count in summary.staff_by_category:
        if category == StaffCategory.ENSEIGNANT.value:
            continue
        profiles.add_row(f"[dim]  dont {category}[/]", f"[dim]{count}[/]")
    console.print(profiles)
    divisions = SchoolTable(title=f"Par division ({len(summary.divisions)} divisions, "
                      f"{summary.groups} groupes)")
    for column in ("Division", "Élèves", "Groupes", "Enseignants", "PP"):
        divisions.add_column(column, justify="left" if column == "Division" else "right")
    for division in summary.divisions:
        pp = str(division.profs_principaux) if division.profs_principaux else "[yellow]0[/]"
        divisions.add_row(division.code, str(division.eleves), str(division.groups),
                          str(division.teachers), pp)
    console.print(divisions)


def _held_json(record: HeldRecord) -> dict[str, object]:
    return {"kind": record.kind.value, "id": record.person_id, "label": record.label,
            "treatment": record.treatment.name.lower(), "field": record.field,
            "reason": record.reason, "hint": record.hint, "file": record.location.file,
            "line": record.location.line, "record": record.location.record}


def import_json(outcome: ImportOutcome | None, found: Sequence[Problem]) -> str:
    document: dict[str, object] = {"status": "rejected" if outcome is None else "accepted"}
    if outcome is not None:
        document.update(_campaign_json(outcome))
        if outcome.other_schools:  # an AAF delivery feeding several schools of the folder
            document["other_schools"] = [_campaign_json(other) for other in outcome.other_schools]
    document["problems"] = [
        {"severity": p.severity.name.lower(), "code": p.code, "message": p.message,
         "file": p.location.file, "line": p.location.line, "record": p.location.record,
         "field": p.location.field, "hint": p.hint}
        for p in found
    ]
    return json.dumps(document, ensure_ascii=False, indent=2)


def _campaign_json(outcome: ImportOutcome) -> dict[str, object]:
    summary = outcome.summary
    return {
        "uai": outcome.snapshot.uai,
        "school_year": outcome.snapshot.school_year.start,
        "staging": outcome.staging.value,
        "counts": {profile.name.lower(): count for profile, count in summary.by_profile.items()}
        | {"eleves_inactive": summary.eleves_inactive, "divisions": len(summary.divisions),
           "groups": summary.groups},
        "divisions": {d.code: d.eleves for d in summary.divisions},
        "quality": {f.code: len(f.items) for f in outcome.findings},
        "held": [_held_json(record) for record in outcome.snapshot.held],
    }


_HOME_CHANGES = {"created": "créé", "added": "établissement ajouté",
                 "renamed": "établissement renommé", "unchanged": "déjà prêt, inchangé"}


def initialised(console: Console, settings: Settings, change: str) -> None:
    console.print(f"Dossier bascule {settings.home} : {_HOME_CHANGES[change]}.", highlight=False)
    for school in settings.schools:
        console.print(f"  {school.uai} · {school.name}", highlight=False)
        if not has_right_key(school.uai):
            console.print(f"  [yellow]Attention[/] : la lettre-clé de {school.uai} devrait être "
                          f"{uai_key(school.uai[:7])} ; vérifiez l'UAI dans Siècle-BEE.",
                          highlight=False)


def generated(console: Console, colleges: Sequence[GeneratedCollege], out: Path) -> None:
    console.print(f"{len(colleges)} collège(s) générés dans {out} :", highlight=False)
    for college in colleges[:10]:
        years = ", ".join(folder.name for folder in college.folders)
        console.print(f"  {college.uai} · {college.name} · années {years}", highlight=False)
    if len(colleges) > 10:
        console.print(f"  … et {len(colleges) - 10} autres", highlight=False)


def status(console: Console, settings: Settings, schools: Sequence[SchoolStatus]) -> None:
    console.print(f"Dossier bascule : {settings.home}", highlight=False)
    table = SchoolTable(title=f"Établissements ({len(schools)})")
    for column in ("UAI", "Établissement", "Campagne", "Export du", "Importée le", "Plan",
                   "Appliqué le"):
        table.add_column(column)
    for school in schools:
        campaign = school.campaign
        table.add_row(school.uai, school.name,
                      str(campaign.school_year) if campaign else "—",
                      f"{campaign.export_date:%d/%m/%Y}" if campaign and campaign.export_date
                      else "", _short(campaign.staged_at) if campaign else "pas encore",
                      school.plan, _short(school.last_applied) if school.last_applied else "—")
    console.print(table)


def _short(moment: datetime) -> str:
    """« 30/11/2026 14:40 », the school's time: a table of dozens of schools, in 80 columns."""
    return f"{local_time(moment):%d/%m/%Y %H:%M}"


def attention(console: Console, notices: Sequence[str]) -> None:
    """What needs someone's attention before anything else (passwords in clear on disk)."""
    for notice in notices:
        console.print(f"[bold yellow]Attention[/] : {notice}", soft_wrap=True)
