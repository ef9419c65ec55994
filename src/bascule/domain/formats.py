"""Numbers as French readers write them: a decimal comma, and a non-breaking space between
thousands (« 1 746,0 Go »). Dates and times have their one function in domain/school.py
(describe_moment, always in Paris time)."""

from __future__ import annotations

_NBSP = "\u00a0"  # printable in the slips' Windows-1252 fonts, unlike the narrow one


def decimal(value: float, digits: int = 1) -> str:
    """« 20,0 », « 1 746,5 », « -3,25 »."""
    text = f"{value:,.{digits}f}"
    return text.replace(",", _NBSP).replace(".", ",")


def whole(value: int) -> str:
    """« 21 000 »."""
    return f"{value:,}".replace(",", _NBSP)


def size(value: int | None) -> str:
    """A size in bytes, in the largest unit that keeps it above 1: « 512 o », « 20,0 Go »;
    « — » when unknown."""
    if value is None:
        return "—"
    amount = float(value)
    for unit in ("o", "Ko", "Mo", "Go"):
        if amount < 1024 or unit == "Go":
            return f"{whole(int(amount))} o" if unit == "o" else f"{decimal(amount)} {unit}"
        amount /= 1024
    raise AssertionError("unreachable: Go is the last unit")
