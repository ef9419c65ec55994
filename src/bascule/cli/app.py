"""bascule's commands. Thin: parse options, call the pipeline, hand the result to render."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn
from typer.core import TyperGroup

from bascule import __version__, pipeline
from bascule.cli import render
from bascule.domain.school import SchoolYear
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
                                              on_file=advance)
        except ImportRejected as rejected:
            _write_report(report, settings, None, rejected.problems, now)
            if as_json:
                out.print_json(render.import_json(None, rejected.problems))
                raise typer.Exit(1) from None
            raise
    if as_json:
        out.print_json(render.import_json(outcome, outcome.problems))
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


@app.command()
def status(ctx: typer.Context) -> None:
    """Montre les établissements du dossier et les campagnes importées."""
    state: CliState = ctx.obj
    settings = state.settings()
    render.status(out, settings, pipeline.campaigns(settings))


@contextmanager
def _progress(title: str, total: int) -> Iterator[Callable[[object], None]]:
    """A progress bar on stderr (stdout stays clean for --json), gone once the step is done."""
    columns = (TextColumn(title), BarColumn(), MofNCompleteColumn(),
               TextColumn("{task.description}"))
    with Progress(*columns, console=err, transient=True) as progress:
        task = progress.add_task("", total=total)

        def advance(item: object) -> None:
            progress.update(task, advance=1, description=str(getattr(item, "name", item)))

        yield advance


def main() -> None:
    app(prog_name="bascule")


if __name__ == "__main__":  # pragma: no cover
    main()
