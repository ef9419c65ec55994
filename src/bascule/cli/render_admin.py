"""The school administration views: calendar, lifecycle, policy and journal, in French and in
school time."""

from __future__ import annotations

import html
from datetime import datetime
from pathlib import Path

from rich.console import Console

from bascule.cli import render_plan
from bascule.cli.common import print_table
from bascule.cli.tables import SchoolTable
from bascule.domain.calendar import ALLOWED_LABELS, Allowed, Calendar, Milestone
from bascule.domain.labels import JOURNAL_ACTIONS, label, profile_label
from bascule.domain.notices import AUDIENCES
from bascule.domain.policy import Permission, Role
from bascule.domain.school import describe_moment as when
from bascule.operations.campaign import Lifecycle
from bascule.operations.school import DelegationRow, JournalEntry
from bascule.operations.verification import Finding, Severity, counts

# The milestone that ends each refusal, to say from when it is allowed.
_ALLOWED_UNTIL = {
    "imports_to_ent": Milestone.ENT_RESUMES,
    "imports_to_pedagogical_server": Milestone.PEDAGOGICAL_SERVER_RESUMES,
    "ent_open_to_eleves_and_responsables": Milestone.ENT_CLOSURE,
    "deletions": Milestone.DELETIONS,
    "verification": Milestone.VERIFICATION,
}


def calendar_table(console: Console, calendar: Calendar, at: datetime, derived: bool) -> None:
    year = calendar.rentree_year
    title = f"Calendrier de la bascule {year}-{year + 1} (heure de Paris)"
    if derived:
        title += " : calculé par les règles du mémo, à relire"
    table = SchoolTable(title=title)
    for column in ("Étape", "Du", "Au", "État"):
        table.add_column(column)
    for milestone, span in calendar.spans.items():
        state = ("en cours" if span.end and span.contains(at) else
                 "à venir" if at < span.start else "passé")
        style = "bold" if state == "en cours" else ("dim" if state == "passé" else "")
        table.add_row(milestone.value, when(span.start), when(span.end) if span.end else "",
                      state, style=style)
    console.print(table)


def allowed_table(console: Console, calendar: Calendar, allowed: Allowed, at: datetime,
                  phase: str) -> None:
    """`phase`: domain.calendar.phase_text, where the campaign stands."""
    console.print(f"Le {when(at)} : {phase}.", highlight=False, soft_wrap=True)
    table = SchoolTable(title="Ce que le calendrier permet maintenant")
    table.add_column("Quoi")
    table.add_column("Maintenant")
    for name, value in allowed.items():
        label, span = ALLOWED_LABELS[name], calendar.span(_ALLOWED_UNTIL[name])
        detail = ""
        if not value and span is not None:
            moment = span.end if span.end and span.start <= at else span.start
            detail = f" (à partir du {when(moment)})" if moment > at else ""
        table.add_row(label, ("oui" if value else "non") + detail)
    console.print(table)


def policy_table(console: Console, rows: list[tuple[Permission, Role, str]]) -> None:
    table = SchoolTable(title="Qui peut faire quoi")
    for column in ("Permission", "Rôle", "Sur qui"):
        table.add_column(column)
    previous = None
    for permission, role, scope in rows:
        if scope == "—":
            continue
        table.add_row(permission.value if permission is not previous else "", role.value, scope)
        previous = permission
    console.print(table)


def _summary(detail: dict[str, object]) -> str:
    for key in ("delegation", "label", "login"):  # what was granted, before to whom
        if detail.get(key):
            return str(detail[key])
    files = detail.get("files")
    return ", ".join(str(name) for name in files) if isinstance(files, list) else ""


def delegations_table(console: Console, rows: list[DelegationRow]) -> None:
    table = SchoolTable(title="Délégations (Pilotage > Autorisations)")
    for column in ("Délégation", "Titulaire", "Accordée par", "État"):
        table.add_column(column)
    for row in rows:
        state = ("à renouveler : son titulaire est parti" if row.to_renew
                 else f"en cours depuis le {when(row.granted_at)}")
        table.add_row(row.name, f"{row.label} ({row.login or '—'})", row.granted_by, state,
                      style="yellow" if row.to_renew else "")
    console.print(table)


def audit_table(console: Console, entries: list[JournalEntry]) -> None:
    if not entries:
        console.print("Le journal n'a aucune ligne pour ces critères.", highlight=False)
        return
    table = SchoolTable(title=f"Journal ({len(entries)} ligne(s), les plus récentes d'abord)")
    for column in ("Quand", "Qui", "Action", "Sur", "Détail"):
        table.add_column(column)
    for entry in entries:
        table.add_row(when(entry.at, clock=True), entry.actor_label,
                      label(JOURNAL_ACTIONS, entry.action), entry.subject_label or entry.subject,
                      entry.detail_label or _summary(entry.detail))
    print_table(console, table)


def lifecycle_text(console: Console, outcome: Lifecycle, apply_command: str) -> None:
    plan, before = outcome.plan, outcome.deleting_before
    if plan.is_empty:
        if before is not None:
            console.print(f"Rien à supprimer : plus aucun compte désactivé avant les "
                          f"suppressions du {when(before)}.", highlight=False)
        if outcome.next_deletions is not None:
            console.print(f"Les prochaines suppressions sont prévues à partir du "
                          f"{when(outcome.next_deletions)} : rien n'est supprimé avant.",
                          highlight=False)
        render_plan.held_people(console, plan)
        return
    assert before is not None  # deletions happen only once a deletion date has come
    console.print(f"{len(plan.actions)} compte(s) désactivé(s) avant le {when(before)} "
                  "seront supprimés :", highlight=False)
    for action in plan.actions[:20]:
        logins = " ".join(value for _kind, value in action.logins)
        console.print(f"  supprimer · {profile_label(action.profile)} · {action.label} {logins}",
                      highlight=False)
    if len(plan.actions) > 20:
        console.print(f"  … et {len(plan.actions) - 20} autres : bascule lifecycle --json")
    render_plan.held_people(console, plan)  # kept from the deletions: why, until when
    console.print(f"Relisez cette liste, puis appliquez-la : {apply_command}",
                  soft_wrap=True)  # a command to copy: never folded


def verification(console: Console, findings: list[Finding], starts: datetime | None) -> None:
    """Counts per severity, then the findings with their cause and a few examples."""
    totals = counts(findings)
    if starts is not None:
        console.print(f"La vérification est prévue à partir du {when(starts)} : "
                      "d'ici là, les résultats peuvent encore changer.")
    if not findings:
        console.print("[green]Rien à signaler[/] : chaque enseignant atteint ce qu'il "
                      "enseigne, chaque élève sa classe et ses groupes.")
        return
    console.print(f"Vérification : [red]{totals['erreur']} erreur(s)[/], "
                  f"[yellow]{totals['avertissement']} avertissement(s)[/].")
    for finding in findings:
        style = "red" if finding.severity is Severity.ERROR else "yellow"
        console.print(f"\n[{style}]{finding.title}[/] ({finding.count})")
        console.print(f"  Cause probable : {finding.cause}")
        console.print(f"  À faire : {finding.action}")
        for example in finding.examples[:3]:
            console.print(f"    · {example}", markup=False)
        if finding.count > 3:
            console.print(f"    … et {finding.count - 3} autre(s) (--html pour tout voir)")


def notices_page(path: Path, found: dict[str, list[str]], moment: datetime) -> None:
    """The notices as a page to print or to paste into the ENT's news."""
    sections = "".join(
        f"<h2>{html.escape(AUDIENCES[audience])}</h2><ul>"
        + "".join(f"<li>{html.escape(line)}</li>" for line in lines) + "</ul>"
        for audience, lines in found.items() if lines)
    path.write_text(
        "<!doctype html><html lang=\"fr\"><head><meta charset=\"utf-8\">"
        "<title>Avis de la bascule</title><style>body{font-family:system-ui,sans-serif;"
        "max-width:50rem;margin:2rem auto}</style></head><body>"
        f"<h1>Avis de la bascule</h1><p>Au {html.escape(when(moment))}.</p>{sections}"
        "</body></html>\n", encoding="utf-8")
