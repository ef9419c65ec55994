"""`bascule history`, `bascule backup list|restore`, `bascule undo`: what was applied, the
store's copies, and the way back."""

from __future__ import annotations

import json
from datetime import datetime
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console

from bascule.cli.common import (
    AtOption,
    CliState,
    UaiOption,
    actor_name,
    apply_command,
    moment,
    out,
    school_settings,
)
from bascule.cli.common import write_json as write_json
from bascule.cli.tables import SchoolTable
from bascule.domain.labels import (
    STORE_COLUMNS,
    STORE_TABLES,
    applied_purpose_text,
    done_counts_text,
    label,
    stored_value_text,
)
from bascule.domain.school import describe_moment
from bascule.errors import UnknownValue, UserError

if TYPE_CHECKING:  # the operations load only inside the commands: `bascule --help` stays fast
    from bascule.operations.history import AppliedPlan, FieldChanged

backup_app = typer.Typer(no_args_is_help=True,
                         help="Les sauvegardes de la base : avant une application à la main (une "
                         "prise dans les dernières 24 heures la couvre aussi), une par nuit avant "
                         "ses applications.")


def history(
    ctx: typer.Context,
    uai: UaiOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="L'historique en JSON.")] = False,
    apply_id: Annotated[int | None, typer.Option(
        "--apply", metavar="N", help="Ce que l'application n° N a changé dans la base, champ "
        "par champ.")] = None,
    person: Annotated[str | None, typer.Option(
        "--person", metavar="TEXTE", help="Avec --apply : seulement les lignes d'une personne "
        "(identifiant, nom ou prénom, sans tenir compte des accents ni des majuscules).")
    ] = None,
) -> None:
    """Les plans appliqués à l'établissement, du plus récent au plus ancien : numéro, quand,
    par qui, combien de chaque action."""
    from bascule.operations.history import changes_about, changes_of_apply
    from bascule.operations.history import history as applied_history

    settings, school = school_settings(ctx, uai)
    if apply_id is not None:
        changes = changes_of_apply(settings, school, apply_id)
        if person:
            changes = changes_about(changes, person)
            if not changes and not as_json:
                out.print(f"L'application n° {apply_id} n'a rien changé de « {person} » (ou "
                          "personne ne s'appelle ainsi).", markup=False)
                return
        _changes(changes, apply_id, as_json=as_json)
        return
    if person:
        raise UnknownValue("--person choisit des lignes de --apply N : ajoutez --apply.",
                           hint="bascule history montre les numéros des applications.")
    applied = applied_history(settings, school)
    if as_json:
        write_json(json.dumps([_applied_dict(one) for one in applied], ensure_ascii=False,
                              indent=2))
    else:
        _history_table(out, school, applied)


def _changes(changes: list[FieldChanged], apply_id: int, *, as_json: bool) -> None:
    if as_json:
        write_json(json.dumps([{"table": c.table, "person": c.person,
                                "person_label": c.person_label, "row": list(c.row),
                                "row_text": c.row_text,
                                "field": c.field, "old": c.old, "new": c.new} for c in changes],
                              ensure_ascii=False, indent=2, default=str))
        return
    out.print(_changes_text(changes, apply_id), markup=False, highlight=False, soft_wrap=True)


_NOBODY = "Divisions, groupes et autres lignes sans personne"


def _changes_text(changes: list[FieldChanged], apply_id: int) -> str:
    """The changes grouped by person, one line per field (« compte · état : actif →
    désactivé »): thousands of them read (and print) far better as lines than as a table
    folded to 80 columns."""
    by_person: dict[str, list[str]] = {}
    for change in changes:
        who = change.person_label or change.person or _NOBODY
        by_person.setdefault(who, []).append(_change_line(change))
    people = len(by_person) - (_NOBODY in by_person)
    heading = (f"Ce que l'application n° {apply_id} a changé : {len(changes)} champ(s), "
               f"de {people} personne(s)"
               + (" et des divisions ou groupes" if _NOBODY in by_person else ""))
    blocks = (f"{who}\n" + "\n".join(f"  {line}" for line in lines)
              for who, lines in by_person.items())
    return "\n\n".join((heading, *blocks))


def _change_line(change: FieldChanged) -> str:
    where = " · ".join(part for part in (label(STORE_TABLES, change.table), change.row_text)
                       if part)
    if change.field == "*":  # the whole row appeared or went
        return f"{where} : {change.new or change.old}"
    return (f"{where} · {label(STORE_COLUMNS, change.field)} : "
            f"{stored_value_text(change.field, change.old)} → "
            f"{stored_value_text(change.field, change.new)}")


def _applied_dict(applied: AppliedPlan) -> dict[str, object]:
    return {"id": applied.id, "uai": applied.uai, "applied_at": applied.applied_at.isoformat(),
            "actor": applied.actor, "purpose": applied.purpose, "counts": applied.counts,
            "backup": applied.backup, "undoes": applied.undoes, "undone_by": applied.undone_by}


def _history_table(console: Console, uai: str, applied: list[AppliedPlan]) -> None:
    if not applied:
        console.print(f"Aucun plan appliqué à {uai} pour l'instant.")
        return
    table = SchoolTable(title=f"Plans appliqués à {uai}")
    for column in ("N°", "Quand", "Par", "Quoi", "Actions"):
        table.add_column(column)
    table.add_identifier_column("Sauvegarde avant", [one.backup or "—" for one in applied])
    for one in applied:
        table.add_row(str(one.id), _when(one.applied_at), one.actor,
                      applied_purpose_text(one.purpose, one.undoes, one.undone_by),
                      done_counts_text(one.counts), one.backup or "—")
    console.print(table)


def _when(moment: datetime) -> str:
    return describe_moment(moment, clock=True)


@backup_app.command("list")
def backup_list(ctx: typer.Context) -> None:
    """Les sauvegardes de la base, de la plus récente à la plus ancienne."""
    from bascule.operations import backups as backup_ops

    state: CliState = ctx.obj
    settings = state.settings()
    found = backup_ops.backups(settings)
    if not found:
        out.print(f"Aucune sauvegarde dans {settings.backups}.", soft_wrap=True)
        return
    table = SchoolTable(title=f"Sauvegardes de la base ({settings.backups})")
    table.add_identifier_column("Identifiant", [backup.id for backup in found])
    for column in ("Prise le", "Établissement", "Par", "Pourquoi", "Taille"):
        table.add_column(column)
    for backup in found:
        table.add_row(backup.id, _when(backup.taken_at), backup.uai, backup.actor,
                      backup.reason, f"{backup.size / 1_000_000:.1f} Mo".replace(".", ","))
    out.print(table)


@backup_app.command("restore")
def backup_restore(
    ctx: typer.Context,
    backup_id: Annotated[str, typer.Argument(metavar="ID", help="La sauvegarde à restaurer "
                                             "(bascule backup list).")],
    yes: Annotated[bool, typer.Option("--yes", help="Confirme la restauration.")] = False,
    at: AtOption = None,
) -> None:
    """Remet toute la base dans l'état de la sauvegarde (ce qui a été fait depuis est perdu) ;
    refusé tant que la console ou une opération tient la base."""
    from bascule.operations import backups as backup_ops

    state: CliState = ctx.obj
    settings = state.settings()
    backup = backup_ops.find_backup(settings, backup_id)
    if not yes:
        raise UserError(f"Rien n'a été restauré : la base reviendrait au "
                        f"{_when(backup.taken_at)} ({backup.reason}), et tout ce qui "
                        "a été fait depuis serait perdu.",
                        hint=f"Pour confirmer : bascule backup restore {backup.id} --yes")
    done = backup_ops.restore(settings, backup_id, actor=actor_name(), now=moment(at))
    out.print(f"Base restaurée depuis la sauvegarde {done.id} (prise le "
              f"{_when(done.taken_at)}). Les sessions de la console sont fermées ; "
              "lancez bascule plan, puis sync ldap et spaces sync, pour remettre les cibles "
              "en accord.", soft_wrap=True)


def undo(
    ctx: typer.Context,
    apply_id: Annotated[int, typer.Argument(metavar="APPLY-ID", help="Le numéro de "
                                            "l'application à annuler (bascule history).")],
    uai: UaiOption = None,
    at: AtOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Le plan d'annulation en JSON.")
                       ] = False,
) -> None:
    """Calcule le plan qui annule une application (réactive les désactivés, remet les noms,
    divisions, appartenances et identifiants, retire ce qui a été créé) et l'enregistre :
    relisez-le, puis bascule apply --yes."""
    from bascule.cli import render_plan
    from bascule.operations import undo as undo_ops

    settings, school = school_settings(ctx, uai)
    computed = undo_ops.plan_undo(settings, school, apply_id, now=moment(at))
    if as_json:
        write_json(render_plan.plan_json(computed))
        return
    out.print(f"[bold]Annulation de l'application n° {apply_id}[/] : ce plan remet les comptes "
              "comme ils étaient avant elle.", soft_wrap=True)
    render_plan.plan_text(out, computed, apply_command=apply_command(settings, school, at))
    out.print("Après l'application : bascule sync ldap et bascule spaces sync remettent les "
              "annuaires et les espaces en accord. La campagne importée reste la plus récente : "
              "importez les bons exports avant le prochain plan.", soft_wrap=True)
