"""bascule's commands. Thin: parse options, call the pipeline, hand the result to render."""

from __future__ import annotations

import getpass
import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn
from typer.core import TyperGroup

from bascule import __version__, pipeline
from bascule.calendars import calendar_files, load_calendar, shipped_calendar
from bascule.cli import render, render_admin, render_plan
from bascule.directory.audit import AuditFilter
from bascule.domain.calendar import allowed_at, rentree_year_of
from bascule.domain.policy import matrix
from bascule.domain.school import SCHOOL_TIMEZONE, SchoolYear, describe_moment
from bascule.errors import ImportRejected, UserError
from bascule.reports.quality import write_quality_report
from bascule.settings import Settings, load_settings
from bascule.synthetic.generate import DEFAULT_SIZE, generate_campaigns

out = Console(highlight=False)
err = Console(stderr=True, highlight=False)


@dataclass(slots=True)
class CliState:
    home: Path
    debug: bool

    def settings(self) -> Settings:
        return load_settings(self.home)


class BasculeGroup(TyperGroup):
    """The one error boundary: a user mistake prints what, where and what to do, and exits 1."""

    # typer declares its private vendored click Context here; typer.Context is what it passes.
    def invoke(self, ctx: typer.Context) -> Any:  # type: ignore[override]
        try:
            return super().invoke(ctx)
        except UserError as exc:
            if isinstance(ctx.obj, CliState) and ctx.obj.debug:
                raise
            render.user_error(err, exc)
            raise typer.Exit(1) from None
        except KeyboardInterrupt:
            err.print("Interrompu : rien n'a été enregistré pour l'étape en cours.")
            raise typer.Exit(130) from None
        except Exception as exc:
            if _is_cli_exception(exc) or (isinstance(ctx.obj, CliState) and ctx.obj.debug):
                raise
            render.internal_error(err, exc)
            raise typer.Exit(2) from None


def _is_cli_exception(exc: Exception) -> bool:
    """Typer's own exits and usage errors, which it prints itself."""
    return isinstance(exc, typer.Exit | typer.Abort) or type(exc).__module__.startswith(
        ("typer", "click"))


app = typer.Typer(
    cls=BasculeGroup,
    help="bascule : la bascule d'année des collèges, des exports Siècle-BEE et STS-Web aux "
    "annuaires, espaces et flux.",
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,  # locals can hold passwords
    rich_markup_mode=None,
    add_completion=False,
)


@app.callback()
def main_options(
    ctx: typer.Context,
    home: Annotated[Path, typer.Option(
        "--home", envvar="BASCULE_HOME",
        help="Dossier bascule : configuration bascule.toml, base et résultats.")
    ] = Path("bascule-data"),
    debug: Annotated[bool, typer.Option(
        "--debug", help="Affiche la trace complète des erreurs (pour l'équipe technique).")
    ] = False,
) -> None:
    ctx.obj = CliState(home=home, debug=debug)


@app.command()
def version() -> None:
    """Affiche la version de bascule."""
    out.print(f"bascule {__version__}")


@app.command()
def init(
    ctx: typer.Context,
    uai: Annotated[str, typer.Option(help="UAI de l'établissement, par exemple 0860999X.")],
    name: Annotated[str, typer.Option(help="Nom de l'établissement.")],
) -> None:
    """Crée le dossier bascule d'un établissement (ou y ajoute un établissement)."""
    state: CliState = ctx.obj
    settings, changed = pipeline.initialise(state.home, uai, name)
    render.initialised(out, settings, changed)


@app.command("import")
def import_(
    ctx: typer.Context,
    files: Annotated[list[Path], typer.Argument(
        help="Exports Siècle-BEE (.xml ou .zip), STS-Web sts_emp, CSV des personnes locales ; "
        "un dossier vaut pour les exports qu'il contient.",
        show_default=False)],
    report: Annotated[Path | None, typer.Option(
        help="Écrit le rapport de qualité des données (HTML) pour le secrétariat.")] = None,
    check: Annotated[bool, typer.Option(
        "--check", help="Vérifie seulement : n'enregistre rien.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Résultat en JSON.")] = False,
) -> None:
    """Lit, vérifie et enregistre une campagne (les exports d'un établissement)."""
    state: CliState = ctx.obj
    settings = state.settings()
    now = pipeline.utc_now()
    files = pipeline.export_paths(files)
    with _progress("Lecture des exports", len(files)) as advance:
        try:
            outcome = pipeline.import_exports(settings, files, now=now, stage=not check,
                                              actor=_actor(), on_file=advance)
        except ImportRejected as rejected:
            _write_report(report, settings, None, rejected.problems, now)
            if as_json:
                _write_json(render.import_json(None, rejected.problems))
                raise typer.Exit(1) from None
            raise
    if as_json:
        _write_json(render.import_json(outcome, outcome.problems))
    else:
        render.import_outcome(out, outcome, settings.max_problems_shown)
    _write_report(report, settings, outcome, outcome.problems, now)


def _write_report(
    path: Path | None,
    settings: Settings,
    outcome: pipeline.ImportOutcome | None,
    problems: list[Any],
    now: Any,
) -> None:
    if path is None:
        return
    names = {school.uai: school.name for school in settings.schools}
    write_quality_report(
        path,
        school_name=names.get(outcome.snapshot.uai, "") if outcome else ", ".join(names.values()),
        snapshot=outcome.snapshot if outcome else None,
        summary=outcome.summary if outcome else None,
        findings=outcome.findings if outcome else (),
        problems=problems,
        generated_at=now,
    )
    err.print(f"Rapport de qualité : {path}", soft_wrap=True)


@app.command()
def generate(
    out_dir: Annotated[Path, typer.Option("--out", help="Dossier où écrire les exports.")],
    colleges: Annotated[int, typer.Option(min=1, max=200, help="Nombre de collèges.")] = 1,
    seed: Annotated[int, typer.Option(help="Graine : mêmes fichiers pour la même graine.")] = 1,
    year: Annotated[int | None, typer.Option(
        help="Première année scolaire (année de début) ; la suivante est générée aussi. "
        "Par défaut : l'année scolaire précédente.")] = None,
    size: Annotated[int, typer.Option(min=8, help="Élèves par collège.")] = DEFAULT_SIZE,
) -> None:
    """Génère des exports fictifs réalistes (Siècle-BEE, STS-Web, CSV) sur deux années."""
    first = year if year is not None else SchoolYear.containing(pipeline.utc_now().date()).start - 1
    with _progress("Génération des collèges", colleges) as advance:
        made = generate_campaigns(out_dir, colleges=colleges, seed=seed, year=first, size=size,
                                  on_college=advance)
    render.generated(out, made, out_dir)


UaiOption = Annotated[str | None, typer.Option(
    "--uai", help="L'établissement, quand le dossier en compte plusieurs.")]
AtOption = Annotated[str | None, typer.Option(
    "--at", help="Date et heure à prendre pour « maintenant » (AAAA-MM-JJTHH:MM, heure de "
    "Paris) : répétitions et tests.")]


def _actor() -> str:
    """Commands run by the département's IT team are journaled under their system account."""
    return f"cli:{getpass.getuser()}"


def _moment(at: str | None) -> datetime:
    if at is None:
        return pipeline.utc_now()
    try:
        moment = datetime.fromisoformat(at)
    except ValueError:
        raise UserError(f"--at « {at} » n'est pas une date et heure.",
                        hint="Écrivez-la ainsi : 2026-09-01T08:00") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=SCHOOL_TIMEZONE)


@app.command()
def plan(
    ctx: typer.Context,
    uai: UaiOption = None,
    at: AtOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Le plan en JSON.")] = False,
) -> None:
    """Calcule, sans rien modifier, ce qu'il faut faire pour mettre l'annuaire à jour de la
    campagne importée, et l'enregistre pour « apply »."""
    state: CliState = ctx.obj
    settings = state.settings()
    computed = pipeline.plan_campaign(settings, pipeline.school_uai(settings, uai),
                                      now=_moment(at))
    if as_json:
        _write_json(render_plan.plan_json(computed))
    else:
        render_plan.plan_text(out, computed)


@app.command()
def apply(
    ctx: typer.Context,
    yes: Annotated[bool, typer.Option("--yes", help="Confirme : le plan a été relu.")] = False,
    allow_mass_leave: Annotated[bool, typer.Option(
        "--allow-mass-leave", help="Confirme que de nombreux départs sont réels.")] = False,
    uai: UaiOption = None,
    at: AtOption = None,
) -> None:
    """Applique exactement le plan enregistré, en une fois ; refuse un plan périmé."""
    if not yes:
        raise UserError("Rien n'a été appliqué : confirmez avec --yes, après avoir relu le plan.",
                        hint="bascule plan, puis bascule apply --yes")
    state: CliState = ctx.obj
    settings = state.settings()
    school = pipeline.school_uai(settings, uai)
    with _progress("Empreintes des mots de passe", None) as advance:
        outcome = pipeline.apply_saved_plan(settings, school, now=_moment(at),
                                            actor=_actor(),
                                            allow_mass_leave=allow_mass_leave,
                                            on_hashed=lambda count: advance(count))
    render_plan.applied(out, outcome)


@app.command()
def accounts(
    ctx: typer.Context,
    uai: UaiOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Liste JSON.")] = False,
    as_csv: Annotated[bool, typer.Option("--csv", help="CSV séparé par « ; ».")] = False,
    as_summary: Annotated[bool, typer.Option(
        "--summary", help="Seulement les nombres, par profil et par état.")] = False,
    profile: Annotated[str | None, typer.Option(help="Seulement ce profil (eleve, …).")] = None,
    account_status: Annotated[str | None, typer.Option(
        "--status", help="Seulement cet état : active, disabled, deleted.")] = None,
) -> None:
    """Liste les comptes de l'établissement."""
    state: CliState = ctx.obj
    settings = state.settings()
    rows = [row for row in pipeline.accounts(settings, pipeline.school_uai(settings, uai))
            if (profile is None or row.profile == profile)
            and (account_status is None or row.status == account_status)]
    if as_json:
        _write_json(render_plan.accounts_json(rows))
    elif as_csv:
        sys.stdout.write(render_plan.accounts_csv(rows))
    elif as_summary:
        render_plan.accounts_summary(out, rows)
    else:
        render_plan.accounts_table(out, rows)


@app.command()
def calendar(
    ctx: typer.Context,
    at: AtOption = None,
    year: Annotated[int | None, typer.Option(
        help="L'année de la rentrée (2026 pour la bascule vers 2026-2027).")] = None,
    uai: Annotated[str | None, typer.Option(
        "--uai", help="Avec les dates propres à cet établissement.")] = None,
) -> None:
    """Montre le calendrier de la bascule, l'étape du moment et ce qui est permis."""
    state: CliState = ctx.obj
    moment = _moment(at)
    rentree = year if year is not None else rentree_year_of(moment)
    shown = load_calendar(state.home, rentree, uai)
    derived = not calendar_files(state.home, rentree, uai) and not shipped_calendar(rentree)
    render_admin.calendar_table(out, shown, moment, derived)
    render_admin.allowed_table(out, shown, allowed_at(shown, moment), moment)


@app.command()
def lifecycle(
    ctx: typer.Context,
    uai: UaiOption = None,
    at: AtOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Le plan en JSON.")] = False,
) -> None:
    """Prépare la suppression des comptes désactivés avant la date du calendrier (septembre) ;
    « apply » l'exécute."""
    state: CliState = ctx.obj
    settings = state.settings()
    outcome = pipeline.lifecycle_plan(settings, pipeline.school_uai(settings, uai),
                                      now=_moment(at))
    if as_json:
        _write_json(render_plan.plan_json(outcome.plan))
    else:
        render_admin.lifecycle_text(out, outcome)


policy_app = typer.Typer(help="Qui peut faire quoi (rôles, délégations, permissions).",
                         no_args_is_help=True)
app.add_typer(policy_app, name="policy")


@policy_app.command("matrix")
def policy_matrix(
    as_json: Annotated[bool, typer.Option("--json", help="La matrice en JSON.")] = False,
) -> None:
    """Affiche, pour chaque permission, les rôles qui l'ont et sur qui."""
    rows = matrix()
    if as_json:
        _write_json(json.dumps([{"permission": p.name.lower(), "role": r.name.lower(),
                                 "scope": scope} for p, r, scope in rows],
                               ensure_ascii=False, indent=2))
    else:
        render_admin.policy_table(out, rows)


password_app = typer.Typer(help="Mots de passe (l'outil KoXo Password du mémo).",
                           no_args_is_help=True)
app.add_typer(password_app, name="password")
ByOption = Annotated[str, typer.Option("--by", help="L'identifiant de qui le fait.")]


@password_app.command("reset")
def password_reset(
    ctx: typer.Context,
    login_name: Annotated[str, typer.Argument(metavar="IDENTIFIANT",
                                              help="Le compte à réinitialiser.")],
    by: ByOption,
    uai: UaiOption = None,
    at: AtOption = None,
) -> None:
    """Donne un nouveau mot de passe à un compte, si votre rôle le permet ; affiché une fois."""
    state: CliState = ctx.obj
    settings = state.settings()
    subject, password = pipeline.reset_password(
        settings, pipeline.school_uai(settings, uai), login_name, by=by, now=_moment(at))
    out.print(f"Nouveau mot de passe de {subject.label} ({subject.login}) : {password}")
    out.print("Il n'est affiché qu'une fois ; il devra être changé à la prochaine connexion.")


@password_app.command("change")
def password_change(
    ctx: typer.Context,
    login_name: Annotated[str, typer.Argument(metavar="IDENTIFIANT", help="Votre identifiant.")],
    uai: UaiOption = None,
    at: AtOption = None,
) -> None:
    """Changer son propre mot de passe, avec l'actuel (élèves et responsables compris)."""
    state: CliState = ctx.obj
    settings = state.settings()
    current = typer.prompt("Mot de passe actuel", hide_input=True)
    new = typer.prompt("Nouveau mot de passe", hide_input=True, confirmation_prompt=True)
    person = pipeline.change_own_password(settings, pipeline.school_uai(settings, uai),
                                          login_name, current=current, new=new, now=_moment(at))
    out.print(f"Mot de passe de {person.label} ({person.login}) changé.")


StructureArgument = Annotated[str, typer.Argument(metavar="DIVISION_OU_GROUPE",
                                                  help="Le code, tel que Siècle l'écrit.")]


@password_app.command("reset-group")
def password_reset_group(ctx: typer.Context, code: StructureArgument, by: ByOption,
                         uai: UaiOption = None, at: AtOption = None) -> None:
    """Réinitialise les mots de passe de tous les élèves d'une division ou d'un groupe, et écrit
    un PDF de fiches à distribuer."""
    _reset_structure(ctx, code, by, uai, at, initial_only=False)


@password_app.command("reprint")
def password_reprint(ctx: typer.Context, code: StructureArgument, by: ByOption,
                     uai: UaiOption = None, at: AtOption = None) -> None:
    """Réimprime les fiches des élèves d'une division ou d'un groupe encore au mot de passe
    initial (avec un nouveau mot de passe : l'ancien n'est conservé nulle part)."""
    _reset_structure(ctx, code, by, uai, at, initial_only=True)


def _reset_structure(ctx: typer.Context, code: str, by: str, uai: str | None, at: str | None,
                     *, initial_only: bool) -> None:
    state: CliState = ctx.obj
    settings = state.settings()
    done = pipeline.reset_structure(settings, pipeline.school_uai(settings, uai), code, by=by,
                                    now=_moment(at), initial_only=initial_only)
    out.print(f"{done.count} mot(s) de passe réinitialisé(s) pour « {code} ». Fiches à "
              f"distribuer (lisibles par vous seul) : {done.slips}", soft_wrap=True)


delegation_app = typer.Typer(help="Délégations (Pilotage > Autorisations).",
                             no_args_is_help=True)
app.add_typer(delegation_app, name="delegation")
NameArgument = Annotated[str, typer.Argument(metavar="DELEGATION",
                                             help="Par exemple « Affecter des ressources GAR ».")]
LoginArgument = Annotated[str, typer.Argument(metavar="IDENTIFIANT", help="Le personnel.")]


@delegation_app.command("grant")
def delegation_grant(ctx: typer.Context, login_name: LoginArgument, name: NameArgument,
                     by: ByOption, uai: UaiOption = None, at: AtOption = None) -> None:
    """Accorde une délégation à un personnel (principal et adjoint seulement)."""
    _change_delegation(ctx, login_name, name, by, uai, at, granted=True)


@delegation_app.command("revoke")
def delegation_revoke(ctx: typer.Context, login_name: LoginArgument, name: NameArgument,
                      by: ByOption, uai: UaiOption = None, at: AtOption = None) -> None:
    """Retire une délégation (principal et adjoint seulement)."""
    _change_delegation(ctx, login_name, name, by, uai, at, granted=False)


@delegation_app.command("list")
def delegation_list(ctx: typer.Context, uai: UaiOption = None) -> None:
    """Les délégations en cours, et celles à renouveler (leur titulaire est parti)."""
    state: CliState = ctx.obj
    settings = state.settings()
    render_admin.delegations_table(out, pipeline.delegations(settings,
                                                              pipeline.school_uai(settings, uai)))


def _change_delegation(ctx: typer.Context, login_name: str, name: str, by: str,
                       uai: str | None, at: str | None, *, granted: bool) -> None:
    state: CliState = ctx.obj
    settings = state.settings()
    subject, changed = pipeline.change_delegation(
        settings, pipeline.school_uai(settings, uai), login_name, name, by=by, now=_moment(at),
        granted=granted)
    verb = "accordée à" if granted else "retirée à"
    out.print(f"Délégation « {name} » {verb} {subject.label} ({subject.login})"
              + ("." if changed else " : rien n'a changé, c'était déjà le cas."))


access_app = typer.Typer(help="Accès à l'ENT et fermeture rentrée.", no_args_is_help=True)
app.add_typer(access_app, name="access")
ProfileOption = Annotated[str, typer.Option(help="eleve ou responsable.")]


@access_app.command("reopen")
def access_reopen(ctx: typer.Context, profile: ProfileOption, by: ByOption,
                  uai: UaiOption = None, at: AtOption = None) -> None:
    """Rouvre l'ENT avant la fin de la fermeture rentrée, pour un profil (principal, adjoint)."""
    _set_closure(ctx, profile, by, uai, at, reopen=True)


@access_app.command("close")
def access_close(ctx: typer.Context, profile: ProfileOption, by: ByOption,
                 uai: UaiOption = None, at: AtOption = None) -> None:
    """Referme l'ENT jusqu'à la fin de la fermeture rentrée, pour un profil."""
    _set_closure(ctx, profile, by, uai, at, reopen=False)


def _set_closure(ctx: typer.Context, profile: str, by: str, uai: str | None, at: str | None,
                 *, reopen: bool) -> None:
    state: CliState = ctx.obj
    settings = state.settings()
    closure = pipeline.set_closure(settings, pipeline.school_uai(settings, uai), profile,
                                   reopen=reopen, by=by, now=_moment(at))
    assert closure.end is not None  # the closure is a period
    done = "rouvert" if reopen else "refermé"
    out.print(f"ENT {done} pour les {profile}s, jusqu'à la fin de la fermeture rentrée "
              f"({describe_moment(closure.end)}).")


@access_app.command("check")
def access_check(
    ctx: typer.Context,
    login_name: Annotated[str, typer.Argument(metavar="IDENTIFIANT")],
    uai: UaiOption = None,
    at: AtOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="La réponse en JSON.")] = False,
) -> None:
    """Dit si ce compte peut entrer dans l'ENT maintenant, et pourquoi."""
    state: CliState = ctx.obj
    settings = state.settings()
    decision = pipeline.check_access(settings, pipeline.school_uai(settings, uai), login_name,
                                     now=_moment(at))
    if as_json:
        _write_json(json.dumps({"login": login_name, "allowed": decision.allowed,
                                "reason": decision.reason}, ensure_ascii=False))
    else:
        out.print(f"{login_name} : {'autorisé' if decision.allowed else 'refusé'} "
                  f"({decision.reason}).")


@app.command()
def audit(
    ctx: typer.Context,
    since: AtOption = None,
    actor: Annotated[str | None, typer.Option(help="Seulement ce qu'a fait cet acteur.")] = None,
    target: Annotated[str | None, typer.Option(
        help="Seulement ce qui concerne cet identifiant ou cette personne.")] = None,
    action: Annotated[str | None, typer.Option(
        help="Seulement cette action : import, create, disable, password_reset, …")] = None,
    limit: Annotated[int, typer.Option(min=1, help="Nombre de lignes au plus.")] = 200,
    uai: UaiOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Le journal en JSON.")] = False,
) -> None:
    """Liste le journal : imports, applications, délégations, réinitialisations… (le plus
    récent d'abord). Aucun mot de passe n'y figure jamais."""
    state: CliState = ctx.obj
    settings = state.settings()
    wanted = AuditFilter(since=_moment(since) if since else None, actor=actor, target=target,
                         action=action, limit=limit)
    entries = pipeline.audit(settings, pipeline.school_uai(settings, uai), wanted)
    if as_json:
        _write_json(json.dumps([{"at": e.at.isoformat(), "actor": e.actor, "action": e.action,
                                 "subject": e.subject, "detail": e.detail} for e in entries],
                               ensure_ascii=False, indent=2))
    else:
        render_admin.audit_table(out, entries)


@app.command()
def status(ctx: typer.Context) -> None:
    """Montre les établissements du dossier et les campagnes importées."""
    state: CliState = ctx.obj
    settings = state.settings()
    render.status(out, settings, pipeline.campaigns(settings))


def _write_json(document: str) -> None:
    """JSON for other programs: plain, unstyled, on stdout."""
    sys.stdout.write(document + "\n")


@contextmanager
def _progress(title: str, total: int | None) -> Iterator[Callable[[object], None]]:
    """A progress bar on stderr (stdout stays clean for --json), gone once the step is done.
    Advanced by one per item, or by a count when given an int."""
    columns = (TextColumn(title), BarColumn(), MofNCompleteColumn(),
               TextColumn("{task.description}"))
    with Progress(*columns, console=err, transient=True) as progress:
        task = progress.add_task("", total=total)

        def advance(item: object) -> None:
            if isinstance(item, int):
                progress.update(task, advance=item)
            else:
                progress.update(task, advance=1, description=str(getattr(item, "name", item)))

        yield advance


def main() -> None:
    app(prog_name="bascule")


if __name__ == "__main__":  # pragma: no cover
    main()
