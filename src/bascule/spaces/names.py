"""Folder names from logins and verbatim Siècle codes, safe on Linux and on a Windows share:
no separator, no "." or "..", no control or reserved character, no reserved device name, no
trailing dot or space; two codes that would give the same folder (whatever the case, as Windows
compares names) are told apart by a number, the same way every year."""

from __future__ import annotations

import re
from collections.abc import Iterable

from anyascii import anyascii

MAX_LENGTH = 64
_NOT_ALLOWED = re.compile(r"[^A-Za-z0-9._-]+")
_WINDOWS_DEVICES = frozenset({"CON", "PRN", "AUX", "NUL", *(f"COM{n}" for n in range(1, 10)),
                              *(f"LPT{n}" for n in range(1, 10))})


def safe_name(text: str) -> str:
    cleaned = _NOT_ALLOWED.sub("_", anyascii(text)).strip("._ ")[:MAX_LENGTH].rstrip("._ ")
    if not cleaned:
        return "sans-nom"
    return f"_{cleaned}" if cleaned.split(".")[0].upper() in _WINDOWS_DEVICES else cleaned


def folder_names(items: Iterable[tuple[str, str]]) -> dict[str, str]:
    """(verbatim code, text to name it by) -> a unique safe folder name, by code."""
    names: dict[str, str] = {}
    taken: set[str] = set()
    for code, text in sorted(set(items)):
        base = safe_name(text)
        name, number = base, 2
        while name.lower() in taken:
            name, number = f"{base}-{number}", number + 1
        taken.add(name.lower())
        names[code] = name
    return names
