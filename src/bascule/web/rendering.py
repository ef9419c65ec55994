"""The console's pages rendered: the Jinja2 templates (templates/web), the menu a person sees
(only the pages their gates open), and the school's name in every header."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse, Response
from jinja2 import Environment, PackageLoader, select_autoescape

from bascule.domain import formats, labels
from bascule.domain.policy import Permission, holds
from bascule.domain.school import describe_moment
from bascule.operations.campaign import school_name
from bascule.operations.school import Person
from bascule.web.access import GATES, passes
from bascule.web.requests import SignedIn, console_of

_templates = Environment(loader=PackageLoader("bascule", "templates/web"),
                         autoescape=select_autoescape(default=True), trim_blocks=True,
                         lstrip_blocks=True)
_templates.globals["describe"] = describe_moment  # every date shown in the school's time
_templates.filters["capitalize_first"] = lambda text: text[:1].upper() + text[1:]
_templates.filters["decimal"] = formats.decimal  # « 12,5 » (a decimal comma)
# An action's verb, and an apply's counts' (the divisions and groups apart: labels.COUNTED).
_templates.globals["action_label"] = lambda name: labels.COUNTED.get(name, name)
# The label table's words for every code a page shows (a fact's kind stands in the profile's
# column of the plan's counts).
_templates.globals.update(
    profile_label=lambda code: labels.PROFILES.get(code) or labels.label(labels.FACTS, code),
    status_label=labels.status_label, change_text=labels.change_text,
    journal_action=lambda code: labels.label(labels.JOURNAL_ACTIONS, code),
    applied_purpose=labels.applied_purpose_text, done_counts=labels.done_counts_text,
    store_table=lambda code: labels.label(labels.STORE_TABLES, code),
    store_column=lambda code: labels.label(labels.STORE_COLUMNS, code),
    stored_value=labels.stored_value_text)


def menu(person: Person | None) -> list[tuple[str, str]]:
    """The links a person sees: none before their own password is chosen, and only the pages
    their gates let them open (web/access.py; none for élèves and responsables, whose page is
    Mon compte)."""
    if person is None or person.must_change_password:
        return []
    return [(gate.path, gate.label) for gate in GATES if gate.menu and passes(gate, person.roles)]


def page(request: Request, template: str, who: SignedIn | None = None, *, status: int = 200,
         **values: Any) -> HTMLResponse:
    """templates/web/`template` with these values; the menu is that of `values["person"]`
    (none without), the header names the session's school (a refusal's page too: the school
    its session was found for), else the only one of a one-school console, else none."""
    console = console_of(request)
    school = (who.school if who else getattr(request.state, "school", None)
              or (console.schools[0] if len(console.schools) == 1 else None))
    html = _templates.get_template(template).render(
        school=school_name(console.settings, school) if school else None, uai=school,
        session=who.session if who else None, secure=request.url.scheme == "https",
        own_account=who is not None and holds(who.session.person.roles,
                                              Permission.SEE_OWN_ACCOUNT),
        current_path=request.url.path,
        menu=menu(values.get("person")), **values)
    return HTMLResponse(html, status_code=status)


def csv_download(text: str, file_name: str) -> Response:
    """A CSV file to save, as spreadsheets open it: UTF-8 with its BOM."""
    return Response(("\ufeff" + text).encode("utf-8"), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{file_name}"'})
