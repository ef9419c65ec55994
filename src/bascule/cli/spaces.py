"""Storage spaces: `spaces sync|usage|quotas` and `cleanup plan|apply|purge`. Thin:
spaces_ops.py decides."""

from __future__ import annotations

import json
from enum import Enum
from pathlib import Path
from typing import Annotated

import typer

from bascule.cli.common import (
    AtOption,
    CliState,
    UaiOption,
    actor_name,
    by_option,
    moment,
    out,
    progress,
    say_written,
    school_settings,
    write_json,
)
from bascule.cli.tables import SchoolTable
from bascule.domain import labels
from bascule.errors import UserError

spaces_app = typer.Typer(no_args_is_help=True,
                         help="Les espaces du serveur pédagogique : arborescence, droits, quotas.")
cleanup_app = typer.Typer(no_args_is_help=True,
                          help="Les nettoyages du calendrier, toujours archivés d'abord.")


class ManifestFormat(Enum):
    JSON = "json"
    POWERSHELL = "powershell"


class QuotaFormat(Enum):
    LINUX = "linux"
    WINDOWS = "windows"


ForceOption = Annotated[bool, typer.Option(
    "--force", help="Hors de la période du calendrier (opérateurs seulement ; journalisé).")]
ByOption = Annotated[str | None, by_option(
    "Qui le fait, quand ce n'est pas l'opérateur (ex. le référent numérique).")]


@spaces_app.command("sync")
def sync(
    ctx: typer.Context,
    root: Annotated[Path | None, typer.Option(
        "--root", help="Racine des espaces (retenue pour la suite).")] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Montre sans rien créer.")] = False,
    manifest_format: Annotated[ManifestFormat | None, typer.Option(
        "--manifest", help="Écrit aussi qui accède à quoi : json, ou powershell (serveur "
        "Windows : icacls et quotas FSRM).")] = None,
    at: AtOption = None,
    uai: UaiOption = None,
) -> None:
    """Crée les espaces (personnels, classes, matières, Salle_des_profs, Mediaprof, Commun,
    Groupes/ReferentsInformatique) et leurs droits."""
    from bascule.operations import campaign
    from bascule.operations import spaces as spaces_ops
    from bascule.operations.spaces import human_size, manifest, powershell

    state: CliState = ctx.obj
    settings = spaces_ops.spaces_root(state.settings(), root)
    school = campaign.school_uai(settings, uai)
    if manifest_format is not None:
        spaces = spaces_ops.school_spaces(settings, school, allocate=False).spaces
        if manifest_format is ManifestFormat.JSON:
            write_json(json.dumps(manifest(spaces), ensure_ascii=False, indent=1))
        else:
            out.print(powershell(spaces, school), markup=False, highlight=False)
        return
    with progress("Espaces et droits", None):
        done = spaces_ops.sync_spaces(settings, school, dry_run=dry_run, now=moment(at),
                                      actor=actor_name())
    verb = "seraient créés" if dry_run else "créés"
    out.print(f"Espaces de {school} sous {settings.spaces_root / school} : "
              f"{len(done.changes.created)} {verb}.")
    if done.changes.retired:
        out.print(f"{len(done.changes.retired)} espace(s) de l'an passé mis de côté pour le "
                  "nettoyage (archive de fin d'année) :")
        for space, where in done.changes.retired[:5]:
            out.print(f"  {space} → {where}")
        if len(done.changes.retired) > 5:
            out.print(f"  … et {len(done.changes.retired) - 5} autres")
    for before, after in done.changes.moved:
        out.print(f"Espace personnel {'à déplacer' if dry_run else 'déplacé'} (identifiant "
                  f"changé) : {before} → {after}", markup=False)
    for space in done.changes.arrived:
        out.print(f"Venu d'un autre collège du dossier avec son élève : {space}")
    for space in done.changes.restored:
        out.print(f"Espace personnel ramené de son archive (compte revenu) : {space}")
    for space in done.changes.foreign:
        out.print(f"[yellow]Laissé tel quel[/] : {space} existe et n'a pas été créé par bascule.")
    if done.changes.acl:
        out.print(done.changes.acl)
    if not done.capacity.enough:
        out.print(f"[yellow]Attention[/] : les quotas cumulés ({human_size(done.capacity.quotas)})"
                  f" dépassent la place libre ({human_size(done.capacity.free)}) ; "
                  "agrandissez le volume ou baissez les quotas (\\[spaces] dans bascule.toml).")


@spaces_app.command("usage")
def usage(
    ctx: typer.Context,
    as_json: Annotated[bool, typer.Option("--json", help="En JSON.")] = False,
    html: Annotated[Path | None, typer.Option(
        "--html", help="Écrit une page avec une barre par espace, pour le principal.")] = None,
    at: AtOption = None,
    uai: UaiOption = None,
) -> None:
    """L'occupation de chaque espace, avec son quota : dépassés et presque pleins d'abord."""
    from bascule.operations import campaign
    from bascule.operations import spaces as spaces_ops
    from bascule.operations.spaces import human_size, write_usage_page

    settings, school = school_settings(ctx, uai)
    with progress("Mesure des espaces", None):
        usages = spaces_ops.spaces_usage(settings, school, now=campaign.utc_now())
    if html is not None:
        write_usage_page(html, usages, school_name=campaign.school_name(settings, school),
                         generated_at=moment(at))
        say_written("Page de l'occupation des espaces", html)
    if as_json:
        write_json(json.dumps([u.as_json() for u in usages], ensure_ascii=False, indent=1))
        return
    table = SchoolTable("Espace", "Occupé", "Quota", "%", "État", title=f"Espaces de {school}")
    for item in sorted(usages, key=lambda u: (-(u.fraction or 0), u.space.relative)):
        percent = f"{item.fraction * 100:.0f}" if item.fraction is not None else "—"
        style = {"dépassé": "red", "presque plein": "yellow"}.get(item.state, "")
        table.add_row(item.space.relative, human_size(item.size), human_size(item.space.quota),
                      percent, item.state, style=style)
    out.print(table)


@spaces_app.command("quotas")
def quotas(
    ctx: typer.Context,
    fmt: Annotated[QuotaFormat, typer.Option(
        "--format", help="linux (setquota, xfs_quota) ou windows (FSRM).")] = QuotaFormat.LINUX,
    uai: UaiOption = None,
) -> None:
    """Les commandes qui posent les quotas sur le serveur de fichiers, à relire puis lancer."""
    from bascule.operations import spaces as spaces_ops
    from bascule.operations.spaces import powershell

    settings, school = school_settings(ctx, uai)
    if fmt is QuotaFormat.LINUX:
        out.print(spaces_ops.linux_quota_commands(settings, school), markup=False,
                  highlight=False, end="")
    else:
        script = powershell(spaces_ops.school_spaces(settings, school).spaces, school)
        out.print("\n".join(line for line in script.splitlines()
                            if line.startswith(("$", "New-Fsrm", "#"))), markup=False,
                  highlight=False)


@cleanup_app.command("plan")
def cleanup_plan(
    ctx: typer.Context,
    kind: Annotated[str, typer.Argument(
        metavar="TYPE", help="classes (espaces classes et Commun : mi-juillet ou fin août, par "
        "le département), personnels (Salle_des_profs et Mediaprof : fin d'année, par "
        "l'établissement), départs (dossiers personnels des comptes supprimés : septembre) ou "
        "imports (anciennes campagnes importées : on garde les plus récentes).")],
    at: AtOption = None,
    force: ForceOption = False,
    by: ByOption = None,
    uai: UaiOption = None,
) -> None:
    """Prépare un nettoyage : quoi, combien, où va l'archive ; rien n'est touché."""
    from bascule.operations import spaces as spaces_ops
    from bascule.operations.spaces import human_size

    settings, school = school_settings(ctx, uai)
    plan = spaces_ops.plan_cleanup(settings, school, kind, now=moment(at), force=force, by=by,
                                   actor=actor_name())
    what = labels.label(labels.CLEANUPS, plan.kind)
    if not plan.items:
        out.print(f"Nettoyage « {what} » de {school} : rien à nettoyer, il n'y a rien à "
                  "appliquer.")
        return
    out.print(f"Nettoyage « {what} » de {school} : {len(plan.items)} élément(s), "
              f"{human_size(plan.size)}, archivés dans "
              f"{spaces_ops.archives_root(settings, school) / plan.archive} avant d'être retirés.")
    for item in plan.items[:30]:
        out.print(f"  {item.source} ({'dossier entier' if item.whole else 'son contenu'}, "
                  f"{item.files} fichier(s), {human_size(item.size)})")
    if len(plan.items) > 30:
        out.print(f"  … et {len(plan.items) - 30} autres")
    out.print("Relisez, puis appliquez : bascule cleanup apply --yes")


@cleanup_app.command("apply")
def cleanup_apply(
    ctx: typer.Context,
    yes: Annotated[bool, typer.Option("--yes", help="Confirme le nettoyage relu.")] = False,
    at: AtOption = None,
    force: ForceOption = False,
    by: ByOption = None,
    uai: UaiOption = None,
) -> None:
    """Archive (compressé, vérifié) puis retire ce que le plan de nettoyage a listé."""
    from bascule.operations import campaign
    from bascule.operations import spaces as spaces_ops

    state: CliState = ctx.obj
    if not yes:
        raise UserError("Rien n'a été nettoyé : confirmez avec --yes, après avoir relu le plan.",
                        hint="bascule cleanup plan TYPE, puis bascule cleanup apply --yes")
    settings = state.settings()
    school = campaign.school_uai(settings, uai)
    with progress("Archivage", None) as advance:
        plan = spaces_ops.apply_saved_cleanup(settings, school, now=moment(at), force=force,
                                              by=by, actor=actor_name(), on_item=advance)
    what = labels.label(labels.CLEANUPS, plan.kind)
    out.print(f"Nettoyage « {what} » fait : {len(plan.items)} élément(s) archivé(s) dans "
              f"{spaces_ops.archives_root(settings, school) / plan.archive}, puis retiré(s).")


@cleanup_app.command("purge")
def cleanup_purge(ctx: typer.Context, at: AtOption = None, uai: UaiOption = None) -> None:
    """Supprime les archives de nettoyage plus vieilles que leur durée de garde."""
    from bascule.operations import spaces as spaces_ops

    settings, school = school_settings(ctx, uai)
    purged = spaces_ops.purge(settings, school, now=moment(at))
    out.print(f"{len(purged)} archive(s) purgée(s) (garde : "
              f"{settings.archive_retention.days} jours).")
