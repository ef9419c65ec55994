"""The night on workers, as people see it: `bascule worker`, and `bascule run` on a PostgreSQL
store (hand the schools over, wait and say where they are, or `--status`). Thin:
operations/night/queue*.py decide."""

from __future__ import annotations

import json
import logging
from datetime import datetime
from typing import TYPE_CHECKING, Annotated

import typer

from bascule.cli.common import CliState, err, out, write_json
from bascule.cli.tables import SchoolTable
from bascule.domain.school import describe_moment
from bascule.settings import Settings

if TYPE_CHECKING:
    from bascule.operations.night.queue_status import SchoolProgress
    from bascule.operations.night.run import NightOptions, NightReport


def worker(
    ctx: typer.Context,
    concurrency: Annotated[int, typer.Option(
        "--concurrency", min=1, help="Établissements traités en même temps par ce "
        "travailleur.")] = 1,
) -> None:
    """Travailleur de la nuit (base PostgreSQL) : prend dans la file les établissements que
    bascule run y a confiés et les traite, jusqu'à son arrêt (Ctrl+C ou SIGTERM : les
    établissements en cours finissent d'abord). Sur toute machine qui atteint la base, les
    cibles et le dossier bascule. Un travailleur arrêté brutalement : un autre reprend son
    établissement là où il s'était arrêté."""
    from bascule.operations.night.queue import worker_name
    from bascule.operations.night.worker import run_worker

    state: CliState = ctx.obj
    settings = state.settings()
    logging.basicConfig(level=logging.DEBUG if state.debug else logging.WARNING,
                        format="%(asctime)s %(name)s %(message)s")
    run_worker(settings, concurrency=concurrency, on_ready=lambda: out.print(
        f"Travailleur {worker_name()} : {concurrency} établissement(s) à la fois. Ctrl+C "
        "pour l'arrêter.", markup=False))
    out.print("Travailleur arrêté.", markup=False)


def _say(progress: SchoolProgress) -> None:
    out.print(f"{progress.uai} · {progress.name} : {progress.describe()}", markup=False)


def wait_for_workers(settings: Settings, now: datetime, options: NightOptions, *,
                     quiet: bool) -> NightReport:
    from bascule.operations.locks import night_lock
    from bascule.operations.night import queue
    from bascule.operations.night.run import night_uais

    uais = night_uais(settings, options)
    with night_lock(settings.home):
        run_id = queue.enqueue_night(settings, uais, now=now, options=options, waited=True)
        if not quiet:
            alive = queue.live_workers(settings)
            out.print(f"Nuit confiée aux travailleurs : {len(uais)} établissement(s) dans la "
                      f"file, {alive} travailleur(s) en marche. Attente de leur fin.",
                      markup=False)
            if not alive:
                err.print("Aucun travailleur n'est en marche : lancez bascule worker sur une "
                          "ou plusieurs machines (ou bascule run --in-process).", markup=False)
        try:
            return queue.wait_night(settings, run_id,
                                    on_change=(lambda _p: None) if quiet else _say)
        except KeyboardInterrupt:
            queue.stop_waiting(settings, run_id)
            err.print("La nuit continue sur les travailleurs ; le dernier écrira le rapport "
                      "(bascule run --status pour la suivre).", markup=False)
            raise


def hand_over(settings: Settings, now: datetime, options: NightOptions) -> None:
    from bascule.operations.night.queue import enqueue_night
    from bascule.operations.night.run import night_uais

    uais = night_uais(settings, options)
    enqueue_night(settings, uais, now=now, options=options, waited=False)
    out.print(f"Nuit confiée aux travailleurs : {len(uais)} établissement(s) dans la file. "
              "Le dernier travailleur écrira le rapport et enverra les courriels. Suivez-la "
              "avec : bascule run --status", markup=False)


def _no_queued_night(settings: Settings) -> str:
    from bascule.operations.night.queue_status import uses_queue
    from bascule.operations.night.run import REPORTS_FOLDER

    reports = settings.home / REPORTS_FOLDER
    if not uses_queue(settings):
        return ("Avec une base SQLite, la nuit s'exécute dans « bascule run » lui-même : il n'y "
                f"a pas de file de travailleurs à suivre. Les rapports des nuits sont dans "
                f"{reports}.")
    return ("Aucune nuit n'a encore été confiée aux travailleurs. Les rapports des nuits "
            f"sont dans {reports}.")


def show_status(settings: Settings, *, as_json: bool) -> None:
    from bascule.operations.night.queue_status import queue_status, status_json

    status = queue_status(settings)
    if as_json:
        write_json(json.dumps(status_json(status), ensure_ascii=False, indent=1))
        return
    if status is None:
        out.print(_no_queued_night(settings), markup=False, soft_wrap=True)
        return
    table = SchoolTable(title=f"Nuit confiée le {describe_moment(status.started_at, clock=True)}"
                  + (" (terminée)" if status.finished_at else ""))
    for header in ("UAI", "Établissement", "État", "Travailleur", "Essais", "Pourquoi"):
        table.add_column(header)
    for school in status.schools:
        table.add_row(school.uai, school.name, school.state_label, school.worker or "",
                      str(school.attempts), school.reason)
    out.print(table)
