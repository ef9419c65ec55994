"""Names of the groups on the pedagogical server, from the verbatim codes of Siècle and STS.

A code like « 5 ESP 1 » or « 3ème/A » becomes a name every directory and file server accepts
(lower-case ASCII letters, digits and dashes); two codes that would give the same name are
told apart by a number, the same way every year (the codes are taken in order).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from anyascii import anyascii

MAX_LENGTH = 60  # under AD's 64-character limit for a group's cn, with room for "-2"
_NOT_ALLOWED = re.compile(r"[^a-z0-9]+")


def sanitise(text: str) -> str:
    cleaned = _NOT_ALLOWED.sub("-", anyascii(text).lower()).strip("-")
    return cleaned[:MAX_LENGTH].rstrip("-") or "sans-nom"


def group_names(wanted: Iterable[tuple[str, str, str]]) -> dict[tuple[str, str], str]:
    """(prefix, verbatim code, text to name it by) -> a unique name "prefix-text", by
    (prefix, code); collisions get -2, -3…"""
    names: dict[tuple[str, str], str] = {}
    taken: set[str] = set()
    for prefix, code, text in sorted(set(wanted)):
        base = f"{prefix}-{sanitise(text)}"
        name, number = base, 2
        while name in taken:
            name, number = f"{base}-{number}", number + 1
        taken.add(name)
        names[prefix, code] = name
    return names
