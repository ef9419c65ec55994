"""Directory targets: `target add|list|remove` and `sync ldap`. Thin: targets_ops.py decides."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

from bascule.cli.common import AtOption, CliState, UaiOption, actor_name, err, moment, out
from bascule.cli.tables import SchoolTable
from bascule.domain import labels

target_app = typer.Typer(no_args_is_help=True,
                         help="Les annuaires à alimenter (serveur pédagogique : OpenLDAP, AD).")
sync_app = typer.Typer(no_args_is_help=True, help="Alimente les cibles depuis bascule.")
REFUSALS_EXIT = 3


@target_app.command("add")
def add(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(
        metavar="NOM", help="Un nom court pour la cible, ex. serveur-peda.")],
    kind_word: Annotated[str, typer.Option(
        "--kind", help="openldap ou ad (Active Directory).")],
    url: Annotated[str, typer.Option("--url", help="ldap://… ou ldaps://…")],
    base_dn: Annotated[str, typer.Option("--base-dn", help="Sous quel DN bascule écrit.")],
    bind_dn: Annotated[str, typer.Option("--bind-dn", help="Le compte de connexion.")],
    password_file: Annotated[Path | None, typer.Option(
        "--password-file", help="Fichier qui contient son mot de passe (lu à chaque "
        "synchronisation, jamais copié). Sinon : la variable BASCULE_<NOM>_PASSWORD.")] = None,
    ca_file: Annotated[Path | None, typer.Option(
        "--ca-file", help="Certificat de l'autorité du serveur (TLS).")] = None,
    uai: UaiOption = None,
) -> None:
    """Déclare (ou remplace) un annuaire cible dans bascule.toml."""
    from bascule.operations import campaign
    from bascule.operations import targets as targets_ops
    from bascule.operations.targets import DEFAULT_OUS, TargetConfig, TargetKind

    kind = TargetKind(labels.parse_choice(kind_word, labels.TARGET_KINDS, "type d'annuaire",
                                          "--kind"))
    state: CliState = ctx.obj
    settings = state.settings()
    config = TargetConfig(name=name, kind=kind, uai=campaign.school_uai(settings, uai), url=url,
                          base_dn=base_dn, bind_dn=bind_dn,
                          password_file=password_file.resolve() if password_file else None,
                          ca_file=ca_file.resolve() if ca_file else None,
                          ous=dict(DEFAULT_OUS))
    targets_ops.add_target(settings, config)
    out.print(f"Cible « {name} » ({kind.value}, {url}) enregistrée pour {config.uai}. "
              f"Essayez : bascule sync ldap --target {name} --dry-run")


@target_app.command("list")
def list_targets(ctx: typer.Context) -> None:
    """Les cibles déclarées (sans leurs mots de passe)."""
    state: CliState = ctx.obj
    table = SchoolTable("Cible", "Type", "UAI", "URL", "Base", "Compte", "Mot de passe")
    for target in state.settings().targets:
        secret = (f"fichier {target.password_file}" if target.password_file
                  else f"variable {target.password_variable}")
        table.add_row(target.name, target.kind.value, target.uai, target.url, target.base_dn,
                      target.bind_dn, secret)
    out.print(table)


@target_app.command("remove")
def remove(ctx: typer.Context,
           name: Annotated[str, typer.Argument(metavar="NOM", help="La cible.")]) -> None:
    """Retire une cible de bascule.toml (l'annuaire lui-même n'est pas touché)."""
    from bascule.operations import targets as targets_ops

    state: CliState = ctx.obj
    targets_ops.drop_target(state.settings(), name)
    out.print(f"Cible « {name} » retirée.")


@sync_app.command("ldap")
def sync_ldap(
    ctx: typer.Context,
    target: Annotated[str | None, typer.Option("--target", help="Une seule cible.")] = None,
    dry_run: Annotated[bool, typer.Option(
        "--dry-run", help="Montre ce qui serait écrit, sans rien écrire.")] = False,
    at: AtOption = None,
    force: Annotated[bool, typer.Option(
        "--force", help="Passe outre la suspension d'été (opérateurs seulement ; "
        "journalisé).")] = False,
    by: Annotated[str | None, typer.Option(
        "--by", help="Qui force, quand ce n'est pas l'opérateur qui lance la commande.")] = None,
    uai: UaiOption = None,
) -> None:
    """Alimente l'annuaire du serveur pédagogique (OpenLDAP, AD) : n'écrit que ce qui diffère."""
    from bascule.cli.render_sync import Bars, show
    from bascule.operations import targets as targets_ops

    state: CliState = ctx.obj
    settings = state.settings()
    chosen = targets_ops.chosen_targets(settings, uai, target)
    columns = (TextColumn("Synchronisation {task.description}"), BarColumn(),
               MofNCompleteColumn())
    with Progress(*columns, console=err, transient=True) as bar:
        reports = targets_ops.sync_targets(settings, chosen, now=moment(at),
                                            actor=actor_name(), dry_run=dry_run, force=force,
                                            by=by, progress=Bars(bar))
    for report in reports:
        show(report)
    if any(report.failure is not None for report in reports):
        raise typer.Exit(1)
    if any(report.refusals for report in reports):
        raise typer.Exit(REFUSALS_EXIT)
