"""A form's refusal shown in the form itself: the page is rendered again with what was typed
(never a password) and, beside the field at fault, what is wrong and what to do. The refusals
that are not a form's (a forged request, a page one may not see) stay web.requests.Refused's
French page."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from bascule.errors import UserError


@dataclass(frozen=True, slots=True)
class FormError:
    """What is wrong with a form (templates/web/_formulaire.html.j2 shows it)."""

    message: str
    hint: str = ""
    field: str | None = None  # the input's name, when one is at fault

    @classmethod
    def of(cls, exc: UserError, field: str | None = None) -> FormError:
        """The refusal in the console's words, beside `field` (else the one it names)."""
        return cls(exc.console_message, exc.console_hint, field or exc.field)


def parsed_fields(values: Mapping[str, str], parsers: Mapping[str, Callable[[str], str]]
                  ) -> tuple[dict[str, str], dict[str, FormError]]:
    """Each filled field read by its parser (a UserError is that field's error): the codes
    read, and the errors by field."""
    codes: dict[str, str] = {}
    errors: dict[str, FormError] = {}
    for name, parse in parsers.items():
        if not values.get(name):
            continue
        try:
            codes[name] = parse(values[name])
        except UserError as exc:
            errors[name] = FormError.of(exc, name)
    return codes, errors
