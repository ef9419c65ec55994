"""bascule hold: keep a person exactly as they are until a date (operator or direction);
bascule approve-plan: approve the waiting plan, some of its actions left out (they become holds)."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Annotated

import typer

from bascule.cli.common import (
    AtOption,
    UaiOption,
    actor_name,
    apply_command,
    by_option,
    moment,
    out,
    parse_day,
    school_settings,
)
from bascule.cli.common import write_json as print_json
from bascule.domain.school import local_time
from bascule.errors import UnknownValue

if TYPE_CHECKING:
    from bascule.operations.school import PendingPlan

hold_app = typer.Typer(help="Retenues : laisser une personne exactement telle qu'elle est, "
                            "hors du plan, jusqu'à une date.", no_args_is_help=True)
ByOption = Annotated[str | None, by_option(
    "L'identifiant de qui le fait (direction) ; sans lui : l'opérateur.")]


@hold_app.command("add")
def hold_add(
    ctx: typer.Context,
    person: Annotated[str, typer.Argument(
        metavar="IDENTIFIANT|CLÉ", help="L'identifiant (lmartin) ou la clé de la personne "
        "(colonne « clé » de bascule plan --csv).")],
    until: Annotated[str, typer.Option(
        "--until", metavar="JJ/MM/AAAA", help="Dernier jour de la retenue ; elle prend fin "
        "d'elle-même le lendemain.")],
    reason: Annotated[str, typer.Option(
        "--reason", metavar="TEXTE", help="Pourquoi (journalisé, montré dans le plan).")],
    by: ByOption = None, uai: UaiOption = None, at: AtOption = None,
) -> None:
    """Retient une personne : aucune action du plan ne la touche (ni création, ni mise à
    jour, ni changement de division, ni désactivation) jusqu'à la date dite."""
    from bascule.operations import holds as hold_ops

    settings, school = school_settings(ctx, uai)
    hold = hold_ops.add_person_hold(settings, school, person, until=parse_day(until, "--until"),
                                    reason=reason, by=by, actor=actor_name(), now=moment(at))
    out.print(f"{hold.label} ({hold.key}) est retenu(e) jusqu'au {hold.until:%d/%m/%Y} "
              f"inclus : {hold.reason}. Recalculez le plan : bascule plan (bascule lifecycle "
              "pour les suppressions de septembre)", soft_wrap=True)


@hold_app.command("list")
def hold_list(
    ctx: typer.Context, uai: UaiOption = None, at: AtOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="En JSON.")] = False,
) -> None:
    """Les retenues : qui, jusqu'à quand, pourquoi, par qui ; celles en cours d'abord."""
    from bascule.operations import holds as hold_ops

    settings, school = school_settings(ctx, uai)
    rows = hold_ops.list_person_holds(settings, school, now=moment(at))
    if as_json:
        print_json(json.dumps([{
            "number": r.number, "person": r.hold.key, "label": r.hold.label,
            "reason": r.hold.reason, "until": r.hold.until.isoformat(), "by": r.hold.by,
            "origin": r.hold.origin.value, "running": r.running,
            "created_at": r.created_at.isoformat()} for r in rows],
            ensure_ascii=False, indent=2))
        return
    if not rows:
        out.print(f"Aucune retenue pour {school}.")
        return
    for row in rows:
        state = "en cours" if row.running else "terminée"
        out.print(f"{row.number} · {row.hold.label} ({row.hold.key}) · jusqu'au "
                  f"{row.hold.until:%d/%m/%Y} · {state} · {row.hold.reason} · par "
                  f"{row.hold.by}", soft_wrap=True, highlight=False)
    out.print("Lever une retenue : bascule hold remove NUMÉRO")


@hold_app.command("remove")
def hold_remove(
    ctx: typer.Context,
    wanted: Annotated[str, typer.Argument(
        metavar="NUMÉRO|CLÉ", help="Le numéro de la retenue (bascule hold list) ou la clé de "
        "la personne.")],
    by: ByOption = None, uai: UaiOption = None, at: AtOption = None,
) -> None:
    """Lève une retenue tout de suite : le prochain plan traite de nouveau la personne."""
    from bascule.operations import holds as hold_ops

    settings, school = school_settings(ctx, uai)
    hold = hold_ops.remove_person_hold(settings, school, wanted, by=by, actor=actor_name(),
                                       now=moment(at))
    out.print(f"Retenue levée pour {hold.label} ({hold.key}). Recalculez le plan : "
              "bascule plan", soft_wrap=True)


def approve(
    ctx: typer.Context,
    exclude: Annotated[list[str] | None, typer.Option(
        "--exclude", metavar="IDENTIFIANT|CLÉ", help="Laisse hors du plan les actions de "
        "cette personne (répétable) : elles deviennent des retenues, avec la raison.")] = None,
    reason: Annotated[str, typer.Option(
        "--reason", metavar="TEXTE", help="Avec --exclude : pourquoi (journalisé).")] = "",
    until: Annotated[str | None, typer.Option(
        "--until", metavar="JJ/MM/AAAA", help="Avec --exclude : dernier jour des retenues "
        "(par défaut : le 31 août de l'année scolaire du plan).")] = None,
    sha256: Annotated[str | None, typer.Option(
        "--empreinte", metavar="EMPREINTE", help="N'approuve que le plan de cette empreinte "
        "(celle qui a été relue).")] = None,
    by: ByOption = None, uai: UaiOption = None, at: AtOption = None,
) -> None:
    """Approuve le plan en attente, éventuellement sans certaines de ses actions : le plan est
    alors recalculé (les personnes exclues retenues), et c'est le nouveau plan qui est
    approuvé, sous sa nouvelle empreinte."""
    from bascule.operations import holds as hold_ops

    if exclude and not reason.strip():
        raise UnknownValue("--exclude demande une raison : rien n'a été approuvé.",
                           hint='Ajoutez --reason "pourquoi ces personnes restent hors du plan".')
    settings, school = school_settings(ctx, uai)
    waiting = hold_ops.approve_excluding(
        settings, school, sha256, exclude or [], reason=reason,
        until=parse_day(until, "--until") if until else None, by=by, actor=actor_name(),
        now=moment(at))
    held = [h for h in waiting.plan.held if h.until is not None]
    for one in held:
        out.print(f"Retenu(e) : {one.label} ({one.key}) · {one.reason}", soft_wrap=True,
                  highlight=False)
    out.print(f"Plan approuvé par {waiting.approval.approved_by} : empreinte "
              f"{waiting.approval.content_sha256[:12]}, {len(waiting.plan.actions)} action(s)"
              + (f", {len(exclude or [])} exclue(s)" if exclude else "")
              + f". Appliquez-le : {apply_command(settings, school, _apply_at(waiting, at))}",
              soft_wrap=True)


def _apply_at(waiting: PendingPlan, at: str | None) -> str | None:
    """The --at the approved plan is applied with: the approval's, or the plan's own moment
    when it was rehearsed for a later one (apply refuses it before that day)."""
    computed = waiting.plan.computed_at
    if computed <= moment(at):
        return at
    return f"{local_time(computed):%Y-%m-%dT%H:%M}"
