"""bascule's commands. Thin: parse options, call the operations, hand the result to render."""

from __future__ import annotations

import errno
import os
import socket
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from typer.core import TyperGroup

from bascule import __version__
from bascule.cli import (
    failures,
    feeds,
    history,
    holds,
    mail,
    night,
    operators,
    queued,
    reviews,
    school,
    schools,
    service,
    spaces,
    targets,
)
from bascule.cli.common import (
    AtOption,
    CliState,
    UaiOption,
    actor_name,
    apply_command,
    err,
    moment,
    one_form_only,
    out,
    progress,
    say_written,
    school_settings,
    write_csv_for_people,
    write_json,
)
from bascule.cli.help import FrenchContext, speak_french
from bascule.domain import labels
from bascule.domain.school import TYPICAL_COLLEGE_SIZE, SchoolYear, describe_moment
from bascule.errors import DEBUG_VARIABLE, ImportRejected, UnknownValue, UserError
from bascule.settings import Settings

if TYPE_CHECKING:
    from bascule.operations.campaign import ImportOutcome

# Each command imports the operations it calls, and what renders their result, when it runs:
# they bring SQLAlchemy, Alembic, lxml, fpdf2, argon2… which `bascule version` and every
# --help do without (tests/cli/test_startup.py).

PRIVATE_UMASK = 0o077  # files 0600, folders 0700


class BasculeGroup(TyperGroup):
    """The one error boundary: a user mistake prints what, where and what to do, and exits 1.
    Every --help of the tree under it is in French."""

    context_class = FrenchContext

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        speak_french(self)
        _plain_values(self)

    def make_context(self, info_name: str | None, args: list[str], parent: Any = None,
                     **extra: Any) -> Any:
        """The root's own options and the command's name are parsed here, before invoke: their
        mistakes are said in French too (« bascule --verbose »)."""
        try:
            return super().make_context(info_name, args, parent, **extra)
        except Exception as exc:
            if type(exc).__name__ == "NoArgsIsHelpError" or not _is_usage_error(exc):
                raise
            failures.usage_error(err, exc)
            raise typer.Exit(2) from None

    # typer declares its private vendored click Context here; typer.Context is what it passes.
    def invoke(self, ctx: typer.Context) -> Any:  # type: ignore[override]
        # Whatever the user's umask, what bascule writes (the store and its journal, reports,
        # feeds, passwords) is readable by its owner only; the spaces set their own modes.
        previous_umask = os.umask(PRIVATE_UMASK)
        try:
            return super().invoke(ctx)
        except UserError as exc:
            if isinstance(ctx.obj, CliState) and ctx.obj.debug:
                raise
            failures.user_error(err, exc)
            raise typer.Exit(2 if isinstance(exc, UnknownValue) else 1) from None
        except KeyboardInterrupt:
            err.print("Interrompu : rien n'a été enregistré pour l'étape en cours.")
            raise typer.Exit(130) from None
        except typer.Abort:  # a question left without answer (Ctrl+D)
            err.print("Abandon : pas de réponse, rien n'a été fait.")
            raise typer.Exit(1) from None
        except OSError as exc:
            # A folder without rights, a full disk: the user's to fix, not a bug.
            if isinstance(ctx.obj, CliState) and ctx.obj.debug:
                raise
            failures.file_error(err, exc)
            raise typer.Exit(1) from None
        except Exception as exc:
            if type(exc).__name__ == "NoArgsIsHelpError":  # « bascule password » alone
                err.print(getattr(exc, "message", ""), markup=False, highlight=False)
                raise typer.Exit(2) from None
            if _is_usage_error(exc):
                failures.usage_error(err, exc)
                raise typer.Exit(2) from None
            if _is_cli_exception(exc) or (isinstance(ctx.obj, CliState) and ctx.obj.debug):
                raise
            failures.internal_error(err, exc)
            raise typer.Exit(2) from None
        finally:
            os.umask(previous_umask)


class _Plain:
    """A value taken as it is typed, without pydantic (typer's RuntimeParam, duck-typed)."""

    def __init__(self, kind: type) -> None:
        self.kind = kind

    def coerce(self, value: object, param: object, ctx: object) -> object:
        return None if value is None else self.kind(value)


def _plain_values(command: Any) -> None:
    """typer checks every value with pydantic, whose import alone costs 0.1 s of CPU to every
    command, `bascule version` included: the flags (--help, --debug, --json…) and --home are
    plain values, taken as they are (typer keeps a parameter's checker in `_runtime_param`;
    were that to change, they would only be checked by pydantic again)."""
    # --help too: each command makes it once, then keeps it.
    help_option = command.get_help_option(typer.Context(command))
    for param in [*getattr(command, "params", ()), help_option]:
        annotation = getattr(getattr(param, "type_descriptor", None), "annotation", None)
        if hasattr(param, "_runtime_param") and (annotation is bool or param.name == "home"):
            param._runtime_param = _Plain(bool if annotation is bool else Path)
    for child in getattr(command, "commands", {}).values():
        _plain_values(child)


def _is_usage_error(exc: Exception) -> bool:
    """Click's usage errors (typer vendors its own click: known by their class names)."""
    return any(kind.__name__ == "UsageError" for kind in type(exc).__mro__)


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
    if debug:  # the night's processes show their internal errors' traces too
        os.environ[DEBUG_VARIABLE] = "1"


@app.command()
def serve(
    ctx: typer.Context,
    host: Annotated[str, typer.Option("--host", help="Adresse d'écoute.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", min=0, max=65535,
                                      help="Port d'écoute (0 : un port libre).")] = 8000,
    uai: UaiOption = None,
    at: AtOption = None,
) -> None:
    """Lance la console web (pages en français) pour les personnels des établissements du
    dossier (de celui de --uai seulement, s'il est donné) : chacun choisit le sien à la
    connexion. Avec --at, la console répète cette date : son « maintenant » part de là et
    avance avec l'horloge."""
    # The server's dependencies load only for this command: every other one starts faster.
    import uvicorn

    from bascule.operations import campaign
    from bascule.operations.locks import console_running
    from bascule.web.app import create_app

    state: CliState = ctx.obj
    _check_port_free(host, port)
    clock = rehearsal_clock(moment(at)) if at else campaign.utc_now
    out.print(f"Console bascule : http://{host}:{port}/connexion (Ctrl+C pour l'arrêter)")
    if at:
        out.print(f"Répétition : la console se croit le {describe_moment(clock())}.")
    with console_running(state.home):  # a restore of the store waits for it to stop
        uvicorn.run(create_app(state.home, uai=uai, clock=clock), host=host, port=port,
                    log_level="warning")


def rehearsal_clock(start: datetime) -> Callable[[], datetime]:
    """A console rehearsing `start`: its time begins there and runs on at the wall clock's
    pace (sessions, journal entries and apply runs keep their order), in UTC."""
    from bascule.operations import campaign

    began = campaign.utc_now()
    return lambda: start.astimezone(UTC) + (campaign.utc_now() - began)


def _check_port_free(host: str, port: int) -> None:
    """uvicorn says a taken port in English, in a log line: say it in French, before it tries."""
    try:
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        with socket.socket(family, socket.SOCK_STREAM) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            probe.bind((host, port))
    except OSError as exc:
        taken = exc.errno == errno.EADDRINUSE
        raise UserError(
            f"La console ne peut pas écouter sur {host}:{port} : "
            + ("ce port est déjà pris (une autre console, ou un autre programme)." if taken
               else f"adresse impossible ({_BIND_REASONS.get(exc.errno or 0, exc.strerror)})."),
            hint=f"Choisissez un autre port : bascule serve --port {port + 1}" if taken
            else "Vérifiez l'adresse donnée à --host.") from None


_BIND_REASONS = {  # the system's English, for a --host or --port that cannot be listened on
    errno.EADDRNOTAVAIL: "aucune interface de cette machine n'a cette adresse",
    errno.EACCES: "un port sous 1024 demande les droits d'administrateur",
}


@app.command()
def version() -> None:
    """Affiche la version de bascule."""
    out.print(f"bascule {__version__}")


@app.command()
def init(
    ctx: typer.Context,
    uai: Annotated[str, typer.Option(help="UAI de l'établissement, par exemple 0860999U.")],
    name: Annotated[str, typer.Option(help="Nom de l'établissement.")],
    rename: Annotated[bool, typer.Option(
        "--rename", help="Renomme un établissement déjà dans le dossier.")] = False,
) -> None:
    """Crée le dossier bascule d'un établissement (ou y ajoute un établissement)."""
    from bascule.cli import render
    from bascule.operations import campaign

    state: CliState = ctx.obj
    settings, change = campaign.initialise(state.home, uai, name, rename=rename)
    render.initialised(out, settings, change)


@app.command("import")
def import_(
    ctx: typer.Context,
    files: Annotated[list[Path], typer.Argument(
        metavar="FICHIERS", help="Exports Siècle-BEE (.xml ou .zip), STS-Web sts_emp, CSV des "
        "personnes locales, ou fichiers AAF de l'académie ; un dossier vaut pour les exports "
        "qu'il contient.",
        show_default=False)],
    report: Annotated[Path | None, typer.Option(
        help="Écrit le rapport de qualité des données (HTML) pour le secrétariat.")] = None,
    check: Annotated[bool, typer.Option(
        "--check", help="Vérifie seulement : n'enregistre rien.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Résultat en JSON.")] = False,
    at: AtOption = None,
) -> None:
    """Lit, vérifie et enregistre une campagne (les exports d'un établissement)."""
    from bascule.cli import render
    from bascule.operations import campaign

    state: CliState = ctx.obj
    settings = state.settings()
    now = moment(at)
    files = campaign.export_paths(files)
    with progress("Lecture des exports", len(files)) as advance:
        try:
            outcome = campaign.import_exports(settings, files, now=now, stage=not check,
                                              actor=actor_name(), on_file=advance)
        except ImportRejected as rejected:
            _write_report(report, settings, None, rejected.problems, now)
            if as_json:
                write_json(render.import_json(None, rejected.problems))
                raise typer.Exit(1) from None
            raise
    if as_json:
        write_json(render.import_json(outcome, outcome.problems))
    else:
        for one in (outcome, *outcome.other_schools):  # an AAF delivery feeds several schools
            render.import_outcome(out, one, settings.max_problems_shown)
    _write_report(report, settings, outcome, outcome.problems, now)


def _write_report(
    path: Path | None,
    settings: Settings,
    outcome: ImportOutcome | None,
    problems: list[Any],
    now: Any,
) -> None:
    from bascule.operations.campaign import write_quality_report

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
    say_written("Rapport de qualité", path)


@app.command()
def generate(
    out_dir: Annotated[Path, typer.Option("--out", help="Dossier où écrire les exports.")],
    colleges: Annotated[int, typer.Option(min=1, max=200, help="Nombre de collèges.")] = 1,
    seed: Annotated[int, typer.Option(help="Graine : mêmes fichiers pour la même graine.")] = 1,
    year: Annotated[int | None, typer.Option(
        min=2000, max=2100, help="Première année scolaire (année de début) ; la suivante est "
        "générée aussi. Par défaut : l'année scolaire précédente.")] = None,
    size: Annotated[int, typer.Option(min=8, help="Élèves par collège.")] = TYPICAL_COLLEGE_SIZE,
) -> None:
    """Génère des exports fictifs réalistes (Siècle-BEE, STS-Web, CSV) sur deux années."""
    from bascule.cli import render
    from bascule.operations.campaign import utc_now
    from bascule.operations.generation import generate_campaigns

    first = year if year is not None else SchoolYear.containing(utc_now().date()).start - 1
    with progress("Génération des collèges", colleges) as advance:
        made = generate_campaigns(out_dir, colleges=colleges, seed=seed, year=first, size=size,
                                  on_college=advance)
    render.generated(out, made, out_dir)


@app.command()
def plan(
    ctx: typer.Context,
    uai: UaiOption = None,
    at: AtOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Le plan en JSON.")] = False,
    details: Annotated[bool, typer.Option(
        "--details", help="Ajoute le tableau des différences, champ par champ (avant → "
        "après), de chaque compte.")] = False,
    as_csv: Annotated[bool, typer.Option(
        "--csv", help="Les différences champ par champ en CSV séparé par « ; », pour un "
        "tableur.")] = False,
) -> None:
    """Calcule, sans rien modifier, ce qu'il faut faire pour mettre l'annuaire à jour de la
    campagne importée, et l'enregistre pour « apply »."""
    from bascule.cli import render, render_plan
    from bascule.operations import campaign
    from bascule.operations import school as school_ops
    from bascule.operations.night.holds import plan_again_keeping_the_nights_hold
    from bascule.operations.plan_review import plan_csv

    one_form_only({"--json": as_json, "--csv": as_csv, "--details": details},
                  "le plan se lit d'une seule façon à la fois. Rien n'a été calculé",
                  example="bascule plan --details")
    settings, school = school_settings(ctx, uai)
    render.attention(err, campaign.credentials_notices(settings, school))
    replaced = school_ops.pending(settings, school)
    computed = plan_again_keeping_the_nights_hold(settings, school, now=moment(at))
    if replaced is not None and replaced.plan.undoes is not None:
        render.attention(err, [f"l'annulation de l'application n° {replaced.plan.undoes} qui "
                               "attendait est remplacée par ce plan de la campagne ; pour la "
                               f"préparer de nouveau : bascule undo {replaced.plan.undoes}"])
    render.attention(err, campaign.past_year_notices(computed, moment(at)))
    render.attention(err, campaign.future_year_notices(computed, moment(at)))
    if as_json:
        write_json(render_plan.plan_json(computed))
    elif as_csv:
        write_csv_for_people(plan_csv(computed))
    else:
        render_plan.plan_text(out, computed, apply_command=apply_command(settings, school, at))
        if details:
            render_plan.details_table(out, computed)


@app.command()
def apply(
    ctx: typer.Context,
    yes: Annotated[bool, typer.Option("--yes", help="Confirme : le plan a été relu.")] = False,
    allow_mass_leave: Annotated[bool, typer.Option(
        "--allow-mass-leave", help="Confirme que de nombreux départs sont réels.")] = False,
    reason: Annotated[str | None, typer.Option(
        "--reason", help="Avec --allow-mass-leave : pourquoi ces départs sont réels "
        "(journalisé).")] = None,
    allow_future_year: Annotated[bool, typer.Option(
        "--allow-future-year", help="Confirme le plan d'une année scolaire qui n'a pas encore "
        "commencé.")] = False,
    uai: UaiOption = None,
    at: AtOption = None,
) -> None:
    """Applique exactement le plan enregistré, en une fois ; refuse un plan périmé."""
    from bascule.cli import render, render_plan
    from bascule.operations import campaign
    from bascule.operations import school as school_ops
    from bascule.operations.campaign import ActionKind

    if not yes:
        raise UserError("Rien n'a été appliqué : confirmez avec --yes, après avoir relu le plan.",
                        hint="bascule plan, puis bascule apply --yes")
    if allow_mass_leave and not (reason or "").strip():
        raise UserError("Rien n'a été appliqué : --allow-mass-leave demande la raison de ces "
                        "départs.", hint="Ajoutez --reason \"…\" (par exemple « fermeture "
                        "de la SEGPA ») : elle est journalisée.")
    settings, school = school_settings(ctx, uai)
    render.attention(err, campaign.future_apply_notices(moment(at)))
    # The bar counts the new accounts' passwords hashed (the plan read once: the apply takes
    # the same decoded plan); no plan waiting is said before any bar is drawn.
    waiting = school_ops.waiting_plan(settings, school, None, outcome="rien n'a été appliqué.")
    render.attention(err, campaign.earlier_day_notices(waiting.plan, waiting.approval,
                                                          moment(at)))
    if allow_future_year:
        render.attention(err, campaign.future_year_notices(waiting.plan, moment(at)))
    creations = sum(action.kind is ActionKind.CREATE for action in waiting.plan.actions)
    with progress("Empreintes des mots de passe, puis fiches", creations) as advance:
        outcome = campaign.apply_saved_plan(settings, school, now=moment(at),
                                            actor=actor_name(),
                                            allow_mass_leave=allow_mass_leave,
                                            mass_leave_reason=reason,
                                            allow_future_year=allow_future_year,
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
    profile: Annotated[str | None, typer.Option(
        help="Seulement ce profil : " + ", ".join(labels.PROFILES.values()) + ".")] = None,
    account_status: Annotated[str | None, typer.Option(
        "--status", help="Seulement cet état : " + ", ".join(labels.STATUSES.values()) + ".")
    ] = None,
) -> None:
    """Liste les comptes de l'établissement."""
    from bascule.cli import render_plan
    from bascule.operations import campaign
    from bascule.operations.school import accounts_csv

    one_form_only({"--json": as_json, "--csv": as_csv, "--summary": as_summary},
                  "la liste se donne d'une seule façon à la fois", example="bascule accounts --csv")
    wanted_profile = (labels.parse_choice(profile, labels.PROFILES, "profil", "--profile")
                      if profile is not None else None)
    wanted_status = (labels.parse_choice(account_status, labels.STATUSES, "état", "--status")
                     if account_status is not None else None)
    settings, school = school_settings(ctx, uai)
    rows = [row for row in campaign.accounts(settings, school)
            if (wanted_profile is None or row.profile == wanted_profile)
            and (wanted_status is None or row.status == wanted_status)]
    if as_json:
        write_json(render_plan.accounts_json(rows))
    elif as_csv:
        write_csv_for_people(accounts_csv(rows))
    elif as_summary:
        render_plan.accounts_summary(out, rows)
    else:
        render_plan.accounts_table(out, rows)


@app.command()
def status(ctx: typer.Context) -> None:
    """Montre les établissements du dossier : campagne importée, plan en attente, dernière
    application."""
    from bascule.cli import render
    from bascule.operations import campaign
    from bascule.operations.folder_status import school_statuses

    state: CliState = ctx.obj
    settings = state.settings()
    render.status(out, settings, school_statuses(settings))
    for each in settings.schools:
        render.attention(out, campaign.credentials_notices(settings, each.uai))


# School life: registered here, written in cli/school.py.
app.command()(school.calendar)
app.command()(school.lifecycle)
app.command()(school.audit)
app.command()(school.verify)
app.command()(school.notices)
app.command()(history.history)
app.command()(history.undo)
app.add_typer(history.backup_app, name="backup")
app.add_typer(school.policy_app, name="policy")
app.add_typer(school.password_app, name="password")
app.add_typer(school.delegation_app, name="delegation")
app.add_typer(school.access_app, name="access")
app.add_typer(school.token_app, name="token")
app.add_typer(targets.target_app, name="target")
app.add_typer(targets.sync_app, name="sync")
app.add_typer(spaces.spaces_app, name="spaces")
app.add_typer(spaces.cleanup_app, name="cleanup")
app.add_typer(feeds.feed_app, name="feed")
app.add_typer(reviews.review_app, name="review")
app.add_typer(holds.hold_app, name="hold")
app.command("approve-plan")(holds.approve)
app.add_typer(schools.school_app, name="school")
app.add_typer(mail.mail_app, name="mail")
# The département's operators, who sign in to the console (issue 21): cli/operators.py.
app.add_typer(operators.operator_app, name="operator")
app.command("install-service")(service.install_service)
# The night's run (issue 18): written in cli/night.py.
app.command()(night.run)
app.command()(night.approve)
# The night on workers (issue 21): written in cli/queued.py.
app.command()(queued.worker)


def main() -> None:
    app(prog_name="bascule")


if __name__ == "__main__":  # pragma: no cover
    main()
