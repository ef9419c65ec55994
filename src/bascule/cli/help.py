"""Click's own words in every --help, in French: « Utilisation », « Commandes », « Affiche cette
aide », the types of the values and what Click adds after an option's help.

Click writes these English words itself (typer vendors its click, whose gettext catalogue holds
no French), so the help formatter translates them as it writes them: one formatter, set on the
context of every command of the tree.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import typer

# typer's vendored click: its formatter is what every --help goes through.
from typer._click.formatting import HelpFormatter

_HEADINGS = {"Options": "Options", "Commands": "Commandes", "Arguments": "Arguments"}
_WORDS = (
    ("Show this message and exit.", "Affiche cette aide, puis s'arrête."),
    ("[env var: ", "[variable d'environnement : "),
    ("default: ", "par défaut : "),
    ("[required]", "[obligatoire]"),
    ("; required", " ; obligatoire"),
    ("COMMAND [ARGS]...", "COMMANDE [ARGUMENTS]..."),
)
# Value types Click prints after an option (« --limit <int range> »).
_TYPES = {"str": "texte", "path": "chemin", "int": "entier", "int range": "entier",
          "float": "nombre", "float range": "nombre", "text": "texte", "file": "fichier",
          "choice": "choix", "boolean": "oui/non", "datetime": "date",
          "list[Path]": "chemin", "list[str]": "texte"}
_TYPE = re.compile(r"<(" + "|".join(map(re.escape, sorted(_TYPES, key=len, reverse=True)))
                   + r")>")


_EXTRA = re.compile(r"\[[^\]]*\]$")  # what Click adds after the help: [défaut ; obligatoire]


# Click's ranges after an option's help (« x>=1 », « 1<=x<=200 »), in words.
_RANGES = ((re.compile(r"\b(\d[\d_]*)<=x<=(\d[\d_]*)"), r"de \1 à \2"),
           (re.compile(r"\bx>=(\d[\d_]*)"), r"au moins \1"),
           (re.compile(r"\bx<=(\d[\d_]*)"), r"au plus \1"))


def in_french(text: str) -> str:
    for english, french in _WORDS:
        text = text.replace(english, french)
    for shape, words in _RANGES:
        text = shape.sub(words, text)
    text = _EXTRA.sub(lambda found: found.group(0).replace("; ", " ; "), text)
    return _TYPE.sub(lambda found: f"<{_TYPES[found.group(1)]}>", text)


class FrenchHelpFormatter(HelpFormatter):
    def write_usage(self, prog: str, args: str = "", prefix: str | None = None) -> None:
        super().write_usage(prog, in_french(args), "Utilisation : " if prefix is None else prefix)

    def write_heading(self, heading: str) -> None:
        self.write(f"{'':>{self.current_indent}}{_HEADINGS.get(heading, heading)} :\n")

    def write_dl(self, rows: Sequence[tuple[str, str]], col_max: int = 30,
                 col_spacing: int = 2) -> None:
        super().write_dl([(in_french(term), in_french(text)) for term, text in rows],
                         col_max, col_spacing)


class FrenchContext(typer.Context):
    formatter_class = FrenchHelpFormatter


def speak_french(command: object) -> None:
    """Give a command and every command under it the French help (the tree is built anew at
    each run, so this changes nothing outside it)."""
    if hasattr(command, "context_class"):
        command.context_class = FrenchContext
    _whole_first_sentence(command)
    for child in getattr(command, "commands", {}).values():
        speak_french(child)


_SENTENCE_END = re.compile(r"(?<=[.!?])\s")
_CLAUSE_ENDS = (" : ", " ; ")
_LONG_SUMMARY = 110  # characters: past two lines of the list, keep the first clause only


def _whole_first_sentence(command: object) -> None:
    """A group's list of commands shows each one's summary whole, folded over lines: Click
    cuts it with « ... » to fit one line, which at 80 columns left half of every summary
    (« Vérifie que chaque enseignant atteint ce qu'il... »)."""
    text = getattr(command, "help", None)
    if text and getattr(command, "short_help", None) is None:
        command.short_help = summary(text)  # type: ignore[attr-defined]


def summary(help_text: str) -> str:
    """The first sentence of a command's help; when long, its first clause (up to « : » or
    « ; » outside brackets). French quotes keep their words on their line."""
    sentence = _SENTENCE_END.split(" ".join(help_text.split()), maxsplit=1)[0]
    if len(sentence) > _LONG_SUMMARY:
        sentence = _first_clause(sentence)
    return sentence.replace("« ", "«\u00a0").replace(" »", "\u00a0»")


def _first_clause(sentence: str) -> str:
    depth = 0
    for index, character in enumerate(sentence):
        depth += (character == "(") - (character == ")")
        if depth == 0 and sentence.startswith(_CLAUSE_ENDS, index):
            return sentence[:index] + "."
    return sentence
