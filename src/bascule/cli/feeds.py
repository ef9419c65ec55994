"""Feeds: `feed gar` and `feed ent`. Thin: feeds_ops.py decides."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from bascule.cli.common import (
    AtOption,
    CliState,
    UaiOption,
    actor_name,
    err,
    moment,
    out,
    progress,
    school_settings,
    uai_option,
)
from bascule.domain import labels

if TYPE_CHECKING:
    from bascule.operations.feeds import GarExport

feed_app = typer.Typer(no_args_is_help=True, help="Les flux vers les autres plateformes.")
OutOption = Annotated[Path, typer.Option("--out", help="Le dossier où écrire les fichiers.")]


@feed_app.command("gar")
def gar(
    ctx: typer.Context,
    out_dir: OutOption,
    at: AtOption = None,
    uai: Annotated[str | None, uai_option(
        "Un seul établissement ; par défaut tous ceux du dossier.")] = None,
    ent: Annotated[str, typer.Option("--ent", help="L'identifiant de l'ENT dans les noms "
                                     "de fichiers.")] = "BASCULE",
    max_nodes: Annotated[int, typer.Option(
        "--max-nodes", help="Éléments par fichier avant d'en commencer un autre.")] = 10_000,
) -> None:
    """Les fichiers GAR-ENT (élèves, enseignants, établissements, groupes, responsables
    d'affectation), validés par le schéma officiel, et leur archive .tar.gz avec son .md5."""
    from bascule.operations import campaign
    from bascule.operations import feeds as feeds_ops

    state: CliState = ctx.obj
    settings = state.settings()
    uais = [campaign.school_uai(settings, uai)] if uai else sorted(settings.uais)
    with progress("Flux GAR", None):
        done = feeds_ops.feed_gar(settings, uais, out_dir, now=moment(at), ent=ent,
                                  max_nodes=max_nodes)
    out.print(f"Flux GAR de {len(uais)} établissement(s) : {_gar_counts(done)}.")
    out.print(f"{len(done.files)} fichier(s) validés, archive {done.archive} "
              f"({done.checksum.name}).", soft_wrap=True)
    if done.without_delegate:
        where = "" if len(uais) == 1 else f" à {', '.join(done.without_delegate)}"
        out.print(f"[yellow]Attention[/] : personne ne détient « Affecter des ressources GAR »"
                  f"{where} : aucun responsable d'affectation ne pourra attribuer les ressources "
                  "dans le GAR.\n  → La direction l'accorde : bascule delegation grant "
                  "IDENTIFIANT \"Affecter des ressources GAR\" --by IDENTIFIANT_DU_PRINCIPAL",
                  soft_wrap=True)


def _gar_counts(done: GarExport) -> str:
    """« 600 élèves, 62 personnels dont 46 enseignants, 1 établissement… »: the Enseignant
    file holds every staff member, whatever their profile."""
    said = []
    for kind, number in done.records.items():
        if kind == "Enseignant":
            said.append(labels.count_of(number, "personnel", "personnels") + " dont "
                        + labels.count_of(done.teachers, "enseignant", "enseignants"))
        else:
            said.append(labels.count_of(number, *labels.GAR_TYPES.get(kind, (kind, kind))))
    return ", ".join(said)


@feed_app.command("ent")
def ent(
    ctx: typer.Context,
    out_dir: OutOption,
    at: AtOption = None,
    force: Annotated[bool, typer.Option(
        "--force", help="Avant la reprise de l'ENT (opérateurs seulement ; journalisé).")] = False,
    by: Annotated[str | None, typer.Option("--by", help="Qui force.")] = None,
    uai: UaiOption = None,
) -> None:
    """L'export complet pour l'ENT (format AAF : Eleve, PersEducNat, PersRelEleve,
    EtabEducNat) et l'état de la fermeture rentrée par profil."""
    from bascule.operations import campaign
    from bascule.operations import feeds as feeds_ops

    state: CliState = ctx.obj
    settings = state.settings()
    school = campaign.school_uai(settings, uai)
    with progress("Flux de l'ENT", None):
        done = feeds_ops.feed_ent(settings, school, out_dir, now=moment(at), force=force,
                                  by=by, actor=actor_name())
    for kind, path in done.files.items():
        out.print(f"  {kind:<13} {path}")
    out.print(f"  accès         {done.access}")


@feed_app.command("moodle")
def moodle(
    ctx: typer.Context,
    out_dir: OutOption,
    auth: Annotated[str, typer.Option("--auth", help="La méthode d'authentification "
                                      "Moodle des comptes (cas pour l'ENT).")] = "cas",
    uai: UaiOption = None,
) -> None:
    """Pour Éléa : le CSV « déposer des utilisateurs » et les cohortes (classes, groupes,
    équipes pédagogiques), avec les mêmes identifiants chaque année."""
    from bascule.operations import feeds as feeds_ops

    settings, school = school_settings(ctx, uai)
    with progress("Flux Éléa", None):
        users, cohorts = feeds_ops.feed_moodle(settings, school, out_dir, auth=auth)
    out.print(f"Utilisateurs : {users}\nCohortes : {cohorts}")


@feed_app.command("educonnect")
def educonnect(ctx: typer.Context, out_dir: OutOption, at: AtOption = None,
               uai: UaiOption = None) -> None:
    """Les identifiants EduConnect (p.nom) des élèves et de leurs représentants légaux :
    un CSV, et par division des fiches à imprimer (sans mot de passe)."""
    from bascule.operations import feeds as feeds_ops

    settings, school = school_settings(ctx, uai)
    with progress("Fiches EduConnect", None):
        written = feeds_ops.feed_educonnect(settings, school, out_dir, now=moment(at))
    out.print(f"{len(written) - 1} fichier(s) de fiches et {written[0]} "
              "(lisibles par vous seul).")
    for line in feeds_ops.educonnect_collisions(settings, school):
        err.print(line, markup=False, highlight=False, soft_wrap=True)
