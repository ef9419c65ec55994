"""`bascule run` (the night's work of every school) and `bascule approve` (a held plan).
Thin: operations/night decides."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from bascule.cli import queued
from bascule.cli.common import (
    AtOption,
    CliState,
    actor_name,
    err,
    known_schools,
    moment,
    out,
    write_json,
)
from bascule.cli.tables import SchoolTable
from bascule.domain.labels import NIGHT_OUTCOMES
from bascule.errors import UserError

if TYPE_CHECKING:
    from bascule.operations.night.run import MailOutcome, NightReport


def run(
    ctx: typer.Context,
    uai: Annotated[list[str] | None, typer.Option(
        "--uai", help="Un établissement (l'option peut se répéter) ; par défaut tous ceux du "
        "dossier.", callback=known_schools)] = None,
    at: AtOption = None,
    dry_run: Annotated[bool, typer.Option(
        "--dry-run", help="Dit ce que ferait la nuit, sans rien importer, appliquer ni "
        "écrire.")] = False,
    jobs: Annotated[int, typer.Option(
        "--jobs", min=0, help="Établissements traités en même temps (par défaut : un par "
        "cœur ; 0 : ce défaut).")] = 0,
    as_json: Annotated[bool, typer.Option("--json", help="Le rapport de la nuit en JSON.")
                       ] = False,
    metrics: Annotated[Path | None, typer.Option(
        "--metrics", help="Fichier texte Prometheus à écrire (par défaut "
        "rapports/nuits/bascule.prom).")] = None,
    no_wait: Annotated[bool, typer.Option(
        "--no-wait", help="Base PostgreSQL : confie la nuit aux travailleurs (bascule worker) "
        "et rend la main aussitôt ; le dernier travailleur écrit le rapport et envoie les "
        "courriels.")] = False,
    status: Annotated[bool, typer.Option(
        "--status", help="Base PostgreSQL : où en est la dernière nuit confiée aux "
        "travailleurs, établissement par établissement (avec --json : en JSON).")] = False,
    in_process: Annotated[bool, typer.Option(
        "--in-process", help="Base PostgreSQL : traite la nuit dans ce processus, sans "
        "travailleurs (comme avec SQLite).")] = False,
) -> None:
    """Le travail d'une nuit pour chaque établissement : prend les nouveaux exports du dépôt,
    importe, calcule le plan, vérifie les seuils de sécurité, applique s'ils sont respectés
    (sinon retient le plan jusqu'à son approbation), synchronise les annuaires, les espaces
    et les flux, vérifie ; selon le calendrier. Code de sortie : 0 tout est fait, 1 un plan
    retenu ou un échec. Avec une base PostgreSQL, la nuit est confiée aux travailleurs
    (bascule worker) et la commande attend qu'ils aient fini, en disant où ils en sont."""
    from bascule.operations.night.queue import uses_queue
    from bascule.operations.night.run import NightOptions, finish_night, night_json, run_night

    state: CliState = ctx.obj
    settings = state.settings()
    if status:
        queued.show_status(settings, as_json=as_json)
        return
    now = moment(at)
    options = NightOptions(uais=tuple(uai or ()), dry_run=dry_run, jobs=jobs)
    if uses_queue(settings) and not in_process:
        if no_wait:
            queued.hand_over(settings, now, options)
            return
        report = queued.wait_for_workers(settings, now, options, quiet=as_json)
    else:
        if no_wait:
            raise UserError("--no-wait confie la nuit aux travailleurs, qui servent une base "
                            "PostgreSQL ; avec SQLite, bascule run la traite lui-même.",
                            hint="Relancez sans --no-wait.")
        report = run_night(settings, now=now, options=options,
                           on_school=lambda school: None if as_json else out.print(
                               f"{school.uai} · {school.name} : "
                               f"{NIGHT_OUTCOMES[school.outcome.value]}", markup=False))
    report, files, mails = finish_night(settings, report, now=now, metrics=metrics)
    if as_json:
        write_json(json.dumps(night_json(report), ensure_ascii=False, indent=1))
    else:
        _show(report)
        out.print(f"Rapport de la nuit : {files.html}", markup=False)
        _mails(mails)
    raise typer.Exit(report.exit_code)


def _show(report: NightReport) -> None:
    table = SchoolTable(title=f"Nuit du {report.at:%d/%m/%Y}" + (" (simulation : rien n'a été fait)"
                                                         if report.dry_run else ""))
    for header in ("UAI", "Établissement", "Résultat", "Pourquoi"):
        table.add_column(header)
    for school in report.schools:
        table.add_row(school.uai, school.name, NIGHT_OUTCOMES[school.outcome.value],
                      school.reason)
    out.print(table)
    for school in report.schools:
        if school.held is not None:
            out.print(f"{school.uai} : plan retenu, rien ne change avant son approbation "
                      f"(console, page Plan ; ou bascule approve {school.uai} --reason "
                      "« … »).", markup=False)
            for reason in school.held.reasons:
                out.print(f"  - {reason}", markup=False)


def _mails(mails: MailOutcome) -> None:
    if not mails.configured:
        return
    out.print(f"Courriels : {mails.sent} envoyé(s)" + (f", {mails.failed} en échec "
              "(repris dans le prochain résumé)" if mails.failed else "") + ".", markup=False)
    for failure in mails.failures:
        err.print(f"  - {failure}", markup=False)


def approve(
    ctx: typer.Context,
    uai: Annotated[str, typer.Argument(help="L'établissement dont le plan est retenu.")],
    reason: Annotated[str, typer.Option("--reason", help="Pourquoi ce plan peut être "
                                        "appliqué (journalisé).")],
    at: AtOption = None,
) -> None:
    """Approuve le plan qu'une nuit a retenu (seuils de sécurité dépassés) : la nuit suivante
    applique ce plan-là, et lui seul. Réservé aux opérateurs ; la raison est journalisée."""
    from bascule.operations.night import holds

    state: CliState = ctx.obj
    held = holds.approve_held_plan(state.settings(), uai, reason=reason, actor=actor_name(),
                                   now=moment(at))
    out.print(f"Plan {held.plan_sha256[:12]} de {uai} approuvé : la prochaine nuit "
              "l'appliquera.", markup=False)
