"""`bascule install-service`: writes (or prints) the systemd units of the nightly run and the
cron line. Thin: operations/service.py writes them; nothing is enabled here."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from bascule.cli.common import CliState, err, out
from bascule.errors import UnknownValue
from bascule.operations import service


def install_service(
    ctx: typer.Context,
    at: Annotated[str, typer.Option(
        "--at", help="Heure de la nuit, HH:MM, heure de Paris.")] = "02:30",
    user: Annotated[str, typer.Option(
        "--user", help="Compte système qui lance bascule (propriétaire du dossier).")
    ] = "bascule",
    print_only: Annotated[bool, typer.Option(
        "--print", help="Affiche les unités et la ligne cron, sans rien écrire.")] = False,
    destination: Annotated[Path, typer.Option(
        "--dest", help="Dossier où écrire les unités.")] = service.DEFAULT_DESTINATION,
    writable: Annotated[list[Path] | None, typer.Option(
        "--writable", help="Autre dossier où la nuit écrit (un dépôt SFTP ailleurs…), "
        "répétable.")] = None,
    worker: Annotated[bool, typer.Option(
        "--worker", help="Écrit (ou affiche) plutôt bascule-worker.service : un travailleur de "
        "la nuit, pour une base PostgreSQL (bascule worker), sur cette machine.")] = False,
    concurrency: Annotated[int, typer.Option(
        "--concurrency", min=1, help="Avec --worker : établissements traités en même "
        "temps par ce travailleur.")] = 1,
) -> None:
    """Écrit le service et le minuteur systemd qui lancent « bascule run » chaque nuit
    (durcis : seul le dossier bascule est inscriptible), et donne la ligne cron équivalente.
    Ne met rien en marche : les commandes à lancer sont affichées. Avec --worker : le
    service d'un travailleur de la nuit (base PostgreSQL), sur chaque machine qui en fait."""
    state: CliState = ctx.obj
    _refuse_options_that_do_not_apply(ctx, worker=worker)
    options = service.service_options(state.settings(), at=at, user=user,
                                      writable=tuple(writable or ()))
    if worker:
        from bascule.operations.night.queue_status import require_queue  # the store's kind

        require_queue(state.settings())
        _worker(options, destination, concurrency=concurrency, print_only=print_only)
        return
    if print_only:
        units = service.service_units(options)
        name = service.UNIT_NAME
        out.print(f"# {name}.service\n{units.service}\n# {name}.timer\n{units.timer}\n"
                  f"# Sans systemd : /etc/cron.d/bascule ({_CRON_CLOCK})\n{units.cron}",
                  markup=False, highlight=False, soft_wrap=True)
        _warn(service.service_warnings(options))
        return
    installed = service.install_service(options, destination)
    out.print(f"Unités écrites : {installed.service} et {installed.timer}.", markup=False)
    out.print("Rien n'est activé. Pour lancer bascule chaque nuit à "
              f"{options.at:%H:%M} (heure de Paris) :\n"
              f"  systemctl daemon-reload && systemctl enable --now {installed.timer.name}\n"
              f"Sans systemd, l'équivalent pour /etc/cron.d/bascule ({_CRON_CLOCK}) :\n  "
              + installed.units.cron.replace("\n", "\n  "), markup=False, soft_wrap=True)
    _warn(installed.warnings)


_CRON_CLOCK = ("cron suit l'horloge du serveur : la ligne est donnée dans son heure, et ne "
               "laisse passer que l'heure de Paris demandée")


# By name: Typer carries its own copy of Click, whose enum is not click's.
_NOT_GIVEN = {"DEFAULT", "DEFAULT_MAP"}


def _refuse_options_that_do_not_apply(ctx: typer.Context, *, worker: bool) -> None:
    """--at is the night's hour, --concurrency a worker's: one given to the other kind of
    unit would be silently ignored."""
    given = {name for name in ("at", "concurrency")
             if getattr(ctx.get_parameter_source(name), "name", "DEFAULT") not in _NOT_GIVEN}
    if worker and "at" in given:
        raise UnknownValue("--at est l'heure de la nuit ; un travailleur (--worker) tourne en "
                           "continu et n'en a pas.", hint="Retirez --at, ou --worker.")
    if not worker and "concurrency" in given:
        raise UnknownValue("--concurrency règle un travailleur : il ne vaut qu'avec --worker.",
                           hint="Ajoutez --worker, ou retirez --concurrency.")


def _worker(options: service.ServiceOptions, destination: Path, *, concurrency: int,
            print_only: bool) -> None:
    if print_only:
        out.print(f"# {service.WORKER_NAME}.service\n"
                  f"{service.worker_unit(options, concurrency=concurrency)}", markup=False,
                  highlight=False, soft_wrap=True)
    else:
        path = service.install_worker(options, destination, concurrency=concurrency)
        out.print(f"Unité écrite : {path}. Rien n'est activé. Pour lancer le travailleur "
                  f"(et le relancer au démarrage) :\n  systemctl daemon-reload && "
                  f"systemctl enable --now {path.name}", markup=False, soft_wrap=True)
    _warn(service.service_warnings(options))


def _warn(warnings: tuple[str, ...]) -> None:
    for line in warnings:
        err.print(f"Attention : {line}", markup=False, soft_wrap=True)
