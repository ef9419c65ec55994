"""What every command shares: the consoles, the state, the common options and helpers."""

from __future__ import annotations

import getpass
import shlex
import sys
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn
from rich.table import Table

from bascule.domain.acting import acting_through
from bascule.domain.dates import parse_shown_date
from bascule.domain.school import SCHOOL_TIMEZONE
from bascule.errors import UnknownValue, UserError
from bascule.settings import Settings, load_settings

out = Console(highlight=False)
err = Console(stderr=True, highlight=False)


@dataclass(slots=True)
class CliState:
    home: Path
    debug: bool

    def settings(self) -> Settings:
        return load_settings(self.home)


def known_school(ctx: typer.Context, uai: str | None) -> str | None:
    """--uai names a school of the folder, or the command stops there (exit 2) naming those it
    holds: no command runs on, or shows the dates of, a school the folder does not know."""
    from bascule.operations import campaign

    if uai is None or ctx.resilient_parsing:
        return uai
    state: CliState = ctx.find_root().obj
    return campaign.school_uai(state.settings(), uai)


def known_schools(ctx: typer.Context, uais: list[str] | None) -> list[str] | None:
    """A repeatable --uai: each one a school of the folder (known_school)."""
    return [known_school(ctx, uai) or uai for uai in uais] if uais else uais


def uai_option(help_text: str) -> Any:
    """The --uai option of a command, checked against the folder's schools as it is parsed."""
    return typer.Option("--uai", help=help_text, callback=known_school)


UaiOption = Annotated[str | None, uai_option(
    "L'établissement, quand le dossier en compte plusieurs.")]
AtOption = Annotated[str | None, typer.Option(
    "--at", help="Date et heure à prendre pour « maintenant » (AAAA-MM-JJTHH:MM, heure de "
    "Paris) : répétitions et tests.")]


def school_settings(ctx: typer.Context, uai: str | None) -> tuple[Settings, str]:
    """The folder's settings and the school a command is about (--uai, or the only one)."""
    from bascule.operations import campaign

    state: CliState = ctx.obj
    settings = state.settings()
    return settings, campaign.school_uai(settings, uai)


def actor_name() -> str:
    """Commands run by the département's IT team are journaled under their system account."""
    return f"cli:{getpass.getuser()}"


_FRENCH_DAY = "%d/%m/%Y"  # as bascule shows days: « 15/09/2026 »
_FRENCH_FORMS = (f"{_FRENCH_DAY} %H:%M", _FRENCH_DAY)  # and moments: « 15/09/2026 08:00 »


def moment(at: str | None, option: str = "--at") -> datetime:
    """The moment an option gives (ISO 8601, or as bascule shows it: « 15/09/2026 [08:00] »),
    in the school's time zone unless it says its own; now when not given."""
    from bascule.operations import campaign

    if at is None:
        return campaign.utc_now()
    try:
        moment = datetime.fromisoformat(at)
    except ValueError:
        moment = _french_moment(at, option)
    return moment if moment.tzinfo else moment.replace(tzinfo=SCHOOL_TIMEZONE)


def parse_day(text: str, option: str) -> date:
    """A day an option gives, as bascule shows it (« 31/08/2027 ») or in ISO (2027-08-31)."""
    with suppress(ValueError):
        return parse_shown_date(text)
    raise UnknownValue(f"{option} « {text} » n'est pas une date.",
                       hint=f"Écrivez-la ainsi : {option} 31/08/2027 (ou 2027-08-31)")


def _french_moment(at: str, option: str) -> datetime:
    for form in _FRENCH_FORMS:
        with suppress(ValueError):
            return datetime.strptime(at.strip(), form)
    raise UnknownValue(f"{option} « {at} » n'est pas une date et heure.",
                       hint="Écrivez-la ainsi : 01/09/2026 08:00 (ou 2026-09-01T08:00)")


def _in_the_name_of(ctx: typer.Context, by: str | None) -> str | None:
    """A command run in someone's name is journaled under them, with the system account that
    ran it beside them (domain/acting.py)."""
    if by:
        ctx.with_resource(acting_through(actor_name()))
    return by


ByOption = Annotated[str, typer.Option("--by", help="L'identifiant de qui le fait.",
                                       callback=_in_the_name_of)]


def by_option(help_text: str) -> Any:
    """An optional --by (without it, the operator acts), journaled as `ByOption` is."""
    return typer.Option("--by", help=help_text, callback=_in_the_name_of)


def write_json(document: str) -> None:
    """JSON for other programs: plain, unstyled, on stdout."""
    sys.stdout.write(document + "\n")


@contextmanager
def progress(title: str, total: int | None) -> Iterator[Callable[[object], None]]:
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


def one_form_only(forms: dict[str, bool], why: str, *, example: str) -> None:
    """Refuse (UnknownValue, exit 2) options of output that exclude each other, given together
    (« --json, --csv et --details ne vont pas ensemble »)."""
    given = [option for option, wanted in forms.items() if wanted]
    if len(given) > 1:
        together = ", ".join(given[:-1]) + " et " + given[-1]
        raise UnknownValue(f"{together} ne vont pas ensemble : {why}.",
                           hint=f"Gardez-en une seule, par exemple : {example}")


def write_csv_for_people(document: str) -> None:
    """A CSV for a spreadsheet, on stdout: UTF-8 with a BOM, as the credentials' comptes.csv
    and the console's export (without it, French Excel reads « dÃ©sactiver »)."""
    sys.stdout.write("\ufeff" + document)


def say_written(what: str, path: Path) -> None:
    """Where a page or report was written (« Rapport de qualité : rapports/q.html »), on
    stderr so that --json stays clean."""
    err.print(f"{what} : {path}", soft_wrap=True, markup=False, highlight=False)


LONG_TABLE_ROWS = 500  # Rich lays out some 2,000 rows a second: above this, say it is working


def print_table(console: Console, table: Table) -> None:
    """Print a table; a long one is laid out under a spinner on stderr (a field-by-field
    history of a whole apply is thousands of rows, seconds of silence otherwise)."""
    if table.row_count < LONG_TABLE_ROWS:
        console.print(table)
        return
    with err.status(f"Mise en forme de {table.row_count} lignes…"), console.capture() as laid:
        console.print(table)
    console.file.write(laid.get())


def confirmed(question: str) -> bool:
    """A yes-or-no question at the terminal, in French: « o » or « oui » says yes; anything
    else, or nothing, says no."""
    answer = typer.prompt(f"{question} [o/N]", default="", show_default=False)
    return str(answer).strip().lower() in ("o", "oui")


def secret_prompt(text: str, *, stdin_option: str | None = None) -> str:
    """A password typed at the terminal without echo. Without a terminal (a pipe, a script,
    cron) it could only be read with echo: refused in French, naming the option that reads it
    from standard input when the command has one."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", getpass.GetPassWarning)
        try:
            return str(typer.prompt(text, hide_input=True))
        except getpass.GetPassWarning:
            raise UserError(
                "Pas de terminal pour taper le mot de passe sans qu'il s'affiche : rien n'a "
                "été fait.", hint=f"Dans un script, donnez-le par l'entrée standard avec "
                f"{stdin_option}." if stdin_option else "Lancez la commande dans un "
                "terminal.") from None


def apply_command(settings: Settings, school: str, at: str | None = None) -> str:
    """The command that applies a school's saved plan, as people copy it: with --uai when the
    folder holds several schools (apply would refuse to guess which), with the plan's --at
    when it was rehearsed for another moment (apply refuses it before that day)."""
    return ("bascule apply --yes" + (f" --uai {school}" if len(settings.uais) > 1 else "")
            + (f" --at {shlex.quote(at)}" if at else ""))


def secret_typed_twice(prompt: str, *, which: str = "du mot de passe",
                       stdin_option: str | None = None) -> str:
    """A new password typed twice at the terminal without echo (`secret_prompt`); the two
    entries differ: a French refusal, nothing changed (`which` names it in the message)."""
    typed = secret_prompt(prompt, stdin_option=stdin_option)
    if secret_prompt("Le même, pour confirmer", stdin_option=stdin_option) != typed:
        raise UserError(f"Les deux saisies {which} diffèrent : rien n'a changé.",
                        hint="Recommencez, en tapant deux fois le même.")
    return typed
