"""Click's parser errors, said in French: what is wrong with the command line as typed.

typer vendors its own click, whose messages are English f-strings (no gettext catalogue to
translate): each kind of error is recognised by its class and the data it carries (the option,
the parameter, the value pydantic refused), never by translating its English sentence, except
for the few errors Click raises as a bare UsageError with only a message.
"""

from __future__ import annotations

import re
from typing import Any

_NO_COMMAND = re.compile(r"No such command '(?P<name>.*?)'\.(?: Did you mean (?P<close>.*)\?)?$")
_EXTRA = re.compile(r"Got unexpected extra argument(?:\(s\)|s)? \((?P<extra>.*)\)$")
_NEEDS_VALUE = re.compile(r"Option '(?P<option>.*?)' requires (?:an argument|\d+ arguments)\.")
_TAKES_NO_VALUE = re.compile(r"Option '(?P<option>.*?)' does not take a value\.")
_CHOICES = re.compile(r"is not one of (?P<choices>.*)\.$")
_PATH = re.compile(r"^\w+ '(?P<path>.*)' (?P<what>does not exist|is a file|is a directory"
                   r"|is not readable|is not writable)\.$")
_PATH_WORDS = {"does not exist": "n'existe pas", "is a file": "est un fichier",
               "is a directory": "est un dossier", "is not readable": "n'est pas lisible",
               "is not writable": "n'est pas modifiable"}


def usage_message(exc: Exception) -> str:
    """What is wrong with the command line, in French, for any of Click's usage errors."""
    kind = type(exc).__name__
    message = str(getattr(exc, "message", "") or "")
    if kind == "NoSuchOption":
        return _unknown("option", getattr(exc, "option_name", "?"),
                        sorted(getattr(exc, "possibilities", None) or []))
    if kind == "MissingParameter":
        return _missing(getattr(exc, "param", None))
    if kind == "BadParameter":
        return _bad_value(exc)
    return _from_message(message)


def _unknown(what: str, name: str, close: list[str]) -> str:
    return f"{what} inconnue « {name} »" + (
        f" (vouliez-vous dire {' ou '.join(close)} ?)" if close else "")


def _missing(param: Any) -> str:
    if param is None:
        return "il manque une valeur"
    if getattr(param, "param_type_name", "") == "argument":
        return f"il manque l'argument {_metavar(param)}"
    return f"il manque l'option « {_option_name(param)} »"


def _metavar(param: Any) -> str:
    """An argument as its help shows it: its French metavar (IDENTIFIANT), or its name."""
    return str(getattr(param, "metavar", None) or (param.name or "?").upper())


def _option_name(param: Any) -> str:
    names = list(getattr(param, "opts", None) or [])
    return max(names, key=len) if names else _metavar(param)


def _bad_value(exc: Exception) -> str:
    param = getattr(exc, "param", None)
    where = (f"l'argument {_metavar(param)}" if getattr(param, "param_type_name", "") ==
             "argument" else f"« {_option_name(param)} »") if param is not None else "une valeur"
    refused = _refused(exc)
    return f"valeur invalide pour {where}" + (f" : {refused}" if refused else "")


def _refused(exc: Exception) -> str:
    """Why the value was refused, from pydantic's error (typer checks values with pydantic) or
    Click's message about a path."""
    errors = getattr(exc.__cause__, "errors", None)
    if callable(errors) and (found := errors()):
        error = found[0]
        value, context = error.get("input"), error.get("ctx") or {}
        return _pydantic_refusal(str(error.get("type")), value, context, str(error.get("msg")))
    if found_path := _PATH.match(str(getattr(exc, "message", ""))):
        return f"« {found_path['path']} » {_PATH_WORDS[found_path['what']]}"
    return ""


def _pydantic_refusal(kind: str, value: object, context: dict[str, Any], message: str) -> str:
    if kind in ("int_parsing", "int_from_float"):
        return f"« {value} » n'est pas un nombre entier"
    if kind == "float_parsing":
        return f"« {value} » n'est pas un nombre"
    if kind == "bool_parsing":
        return f"« {value} » n'est ni oui ni non"
    if kind in ("greater_than_equal", "greater_than"):
        return f"{value} est trop petit (au moins {context.get('ge', context.get('gt'))})"
    if kind in ("less_than_equal", "less_than"):
        return f"{value} est trop grand (au plus {context.get('le', context.get('lt'))})"
    if choices := _CHOICES.search(message):
        allowed = ", ".join(choice.strip("' ") for choice in choices["choices"].split(","))
        return f"« {value} » n'est pas possible ; les valeurs possibles sont : {allowed}"
    return f"« {value} » n'est pas une valeur possible ici"


def _from_message(message: str) -> str:
    """The errors Click raises with a sentence only (ctx.fail, the parser's option usage)."""
    if found := _NO_COMMAND.match(message):
        close = [name.strip("' ") for name in (found["close"] or "").split(",") if name.strip()]
        return _unknown("commande", found["name"], close)
    if found := _EXTRA.match(message):
        return f"en trop à la fin de la commande : {found['extra']}"
    if found := _NEEDS_VALUE.match(message):
        return f"l'option « {found['option']} » attend une valeur après elle"
    if found := _TAKES_NO_VALUE.match(message):
        return f"l'option « {found['option']} » ne prend pas de valeur"
    if message == "Missing command.":
        return "il manque la commande"
    return "commande mal formée"
