"""Problems found in what users give us, with where they are and what to do.

A `Problem` is data (readers collect them and keep going); a `UserError` is raised
when the command cannot go on. The CLI turns both into French lines; nothing here
prints.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import Enum

from bascule.values import quick_init


class Severity(Enum):
    ERROR = "erreur"  # puts the whole import in doubt: nothing is written
    HELD = "fiche retenue"  # confined to one record: that record is held, the rest goes on
    WARNING = "avertissement"

    @property
    def heading(self) -> str:
        """The plural heading of a group of problems, in French."""
        return {Severity.ERROR: "Erreurs", Severity.HELD: "Fiches retenues",
                Severity.WARNING: "Avertissements"}[self]


@quick_init
@dataclass(frozen=True, slots=True, kw_only=True)
class Location:
    """Where a problem is: a file (``zip/inner.xml`` inside a zip), a line, a record, a field."""

    file: str
    line: int | None = None
    record: str | None = None
    field: str | None = None

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        return " · ".join(part for part in (where, self.record) if part)

    def at(self, *, field: str | None = None, line: int | None = None) -> Location:
        return Location(
            file=self.file,
            line=self.line if line is None else line,
            record=self.record,
            field=field or self.field,
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class Problem:
    """One finding about the input: what, where, and what to do about it."""

    severity: Severity
    code: str
    message: str
    location: Location
    hint: str = ""

    @property
    def is_error(self) -> bool:
        return self.severity is Severity.ERROR

    @property
    def is_held(self) -> bool:
        return self.severity is Severity.HELD

    def __str__(self) -> str:
        field_part = f"{self.location.field} " if self.location.field else ""
        return f"{self.location} · {field_part}{self.message}"


def error(code: str, message: str, location: Location, hint: str = "") -> Problem:
    return Problem(
        severity=Severity.ERROR, code=code, message=message, location=location, hint=hint
    )


def warning(code: str, message: str, location: Location, hint: str = "") -> Problem:
    return Problem(
        severity=Severity.WARNING, code=code, message=message, location=location, hint=hint
    )


@dataclass(slots=True)
class Problems:
    """An append-only list of problems, shared by the readers and checks of one import."""

    items: list[Problem] = field(default_factory=list)

    def add(self, problem: Problem) -> None:
        self.items.append(problem)

    def extend(self, problems: Iterable[Problem]) -> None:
        self.items.extend(problems)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.items if p.is_error]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.items if not p.is_error]


class UserError(Exception):
    """A mistake the user can fix: the CLI prints it in French and exits 1, no traceback.

    The console shows `console_message` and `console_hint` (by default the same): a hint
    naming a command or an option (« --reason ») has the console's words too (« le motif »).
    `field`: the console form's field at fault (its input's name), shown beside it."""

    def __init__(self, message: str, *, hint: str = "", location: Location | None = None,
                 console_message: str | None = None, console_hint: str | None = None,
                 field: str | None = None):
        super().__init__(message)
        self.message = message
        self.hint = hint
        self.location = location
        self.console_message = message if console_message is None else console_message
        self.console_hint = hint if console_hint is None else console_hint
        self.field = field


class NotAllowed(UserError):
    """The policy refuses it to this person (not a mistake in what was typed): the console
    answers 403 whatever a page answers its mistakes."""


class NotFound(UserError):
    """Something the user named (a login, a number) that nobody holds: a typing mistake more
    often than a forbidden act, answered 404 by the console, not 403."""


class UnknownValue(UserError):
    """An option's value outside its allowed set: a usage mistake, exit 2 like Click's own."""


NOT_AN_EXPORT = "fichier-inconnu"  # a file given to import that no reader recognises


def _what_to_do(errors: list[Problem]) -> str:
    """The errors' own hint when they all say the same (the exports of another school: choose
    its folder), else what fixes errors in the exports in general."""
    if all(p.code == NOT_AN_EXPORT for p in errors):
        return "Retirez de la commande ces fichiers, qui ne sont pas des exports, puis relancez " \
               "l'import."
    hints = {p.hint for p in errors}
    if len(hints) == 1 and (shared := hints.pop()):
        return shared
    return ("Corrigez les erreurs ci-dessus dans Siècle-BEE ou STS-Web, refaites les exports, "
            "puis relancez l'import.")


class ImportRejected(UserError):
    """The files hold error-level problems: nothing was written."""

    def __init__(self, problems: list[Problem], hint: str | None = None):
        errors = [p for p in problems if p.is_error]
        super().__init__(
            f"Import refusé : {len(errors)} erreur(s) dans les fichiers, rien n'a été enregistré.",
            hint=hint or _what_to_do(errors))
        self.problems = problems


# A SQLite store that another writer held longer than bascule waits for it (store/engine.py's
# SQLITE_WRITER_WAIT_S): said as what it is, not as a bug. Known by its text, so that the
# error boundaries need not import the database's libraries.
STORE_WAIT_MINUTES = 10  # how long a writer waits for another (store/engine.py)
STORE_BUSY = (f"la base de bascule est restée occupée plus de {STORE_WAIT_MINUTES} minutes par "
              "un autre traitement (une autre commande, ou la nuit d'un autre collège). Rien "
              "n'a été enregistré pour l'étape en cours.")
STORE_BUSY_HINT = "Relancez la commande quand l'autre traitement sera fini."


def is_store_busy(exc: BaseException) -> bool:
    """SQLite's « database is locked », through SQLAlchemy's OperationalError or not."""
    return type(exc).__name__ == "OperationalError" and "database is locked" in str(exc)


# Set by `bascule --debug` for the processes it starts (the night's): they print an internal
# error's trace on the terminal, which their report never holds.
DEBUG_VARIABLE = "BASCULE_DEBUG"
