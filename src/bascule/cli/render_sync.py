"""What `sync ldap` shows: a progress bar per target as it writes, then what each target got,
what it refused and what was left alone."""

from __future__ import annotations

from rich.progress import Progress, TaskID

from bascule.cli.common import err, out
from bascule.cli.tables import SchoolTable
from bascule.operations import targets as targets_ops
from bascule.operations.targets import SyncReport, TargetConfig


class TargetBar(targets_ops.TargetProgress):
    def __init__(self, progress: Progress, task: TaskID):
        self.progress, self.task = progress, task

    def total(self, writes: int) -> None:
        self.progress.update(self.task, total=writes)

    def advance(self) -> None:
        self.progress.update(self.task, advance=1)


class Bars(targets_ops.SyncProgress):
    """One bar per target, on stderr."""

    def __init__(self, progress: Progress):
        self.progress = progress

    def begin(self, target: TargetConfig) -> targets_ops.TargetProgress:
        return TargetBar(self.progress, self.progress.add_task(target.name, total=None))


def show(report: SyncReport) -> None:
    if report.failure is not None:
        err.print(f"[red]Erreur[/] ({report.target}) : {report.failure.message}")
        if report.failure.hint:
            err.print(f"  → {report.failure.hint}")
        return
    verb = "écrirait" if report.dry_run else "a écrit"
    if not report.counts:
        out.print(f"[bold]{report.target}[/] : déjà à jour, rien à écrire "
                  f"({report.writes} écriture).")
    else:
        table = SchoolTable("Opération", "Nombre", title=f"{report.target} : ce que bascule {verb}")
        for what, count in sorted(report.counts.items()):
            table.add_row(what, str(count))
        out.print(table)
        if not report.dry_run:
            out.print(f"{report.writes} écritures, {report.passwords} mots de passe posés.")
    for dn in report.conflicts:
        out.print(f"[yellow]Laissé tel quel[/] : {dn} existe déjà et n'a pas été créé par "
                  "bascule (renommez-le ou supprimez-le dans l'annuaire).")
    if report.without_password:
        out.print(f"[yellow]{len(report.without_password)} compte(s) créé(s) sans mot de "
                  "passe[/] (aucun mot de passe en attente pour cette cible) : "
                  + ", ".join(report.without_password[:10])
                  + ("…" if len(report.without_password) > 10 else "")
                  + ". Réinitialisez-les : bascule password reset / reset-group.")
    for refusal in report.refusals:
        err.print(f"[red]Refusé par le serveur[/] ({refusal.what}) {refusal.dn} : "
                  f"{refusal.reason}")
