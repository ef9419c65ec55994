"""Mots de passe: the accounts one may reset (the policy decides, row by row), one reset, and
a whole division or group at once with its PDF of slips."""

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import FileResponse, HTMLResponse

from bascule.domain.policy import Permission, Subject
from bascule.operations import school as school_ops
from bascule.web.rendering import page
from bascule.web.requests import Posted, SignedIn, Staff, refusal

router = APIRouter(include_in_schema=False)


@router.get("/mots-de-passe", response_class=HTMLResponse)
def password_tool(request: Request, who: Staff, q: str = "") -> HTMLResponse:
    settings, person = who.settings, who.person
    rows = school_ops.search_accounts(settings, who.school, q, limit=50, status="active")
    shown = [(row, school_ops.may_reset(
        settings, person, row.profile, row.login,
        frozenset({f"D:{row.division}"} | {f"G:{g}" for g in row.groups})))
        for row in rows]
    structures = [code for code in school_ops.structures_of_eleves(settings, who.school)
                  if school_ops.may_reset(settings, person, "eleve", "",
                                          frozenset({f"D:{code}", f"G:{code}"}))]
    may_end_sessions = any(who.may(Permission.END_SESSIONS, Subject(profile=profile))
                           for profile in ("eleve", "enseignant"))
    return page(request, "mots_de_passe.html.j2", who, person=person, q=q, rows=shown,
                structures=structures, may_end_sessions=may_end_sessions)


def slips_pdf(who: SignedIn, code: str, *, initial_only: bool) -> FileResponse:
    """New passwords for a division's or group's élèves (or only those still on their
    initial one), as the PDF of their slips."""
    who.admit_reset()
    with refusal():
        done = school_ops.reset_structure(who.settings, who.school, code.strip(),
                                          by=who.person.login, now=who.now(),
                                          initial_only=initial_only)
    return FileResponse(done.slips, media_type="application/pdf", filename=done.slips.name)


@router.post("/mots-de-passe/structure")
def reset_structure(who: Posted, code: Annotated[str, Form()]) -> FileResponse:
    """A whole division or group at once: new passwords, one PDF of slips."""
    return slips_pdf(who, code, initial_only=False)


@router.post("/mots-de-passe/reinitialiser", response_class=HTMLResponse)
def reset(request: Request, who: Posted, identifiant: Annotated[str, Form()]) -> HTMLResponse:
    who.admit_reset()
    with refusal():
        subject, password = school_ops.reset_password(who.settings, who.school, identifiant,
                                                      by=who.person.login, now=who.now())
    return page(request, "nouveau_mot_de_passe.html.j2", who, subject=subject,
                password=password)


@router.post("/sessions/fermer", response_class=HTMLResponse)
def end_sessions(request: Request, who: Posted,
                 identifiant: Annotated[str, Form()]) -> HTMLResponse:
    """Every open session of an account ended at once: one's own (Mon compte), or those of an
    account whose password one may reset (the policy says whose); journaled."""
    with refusal():
        subject, ended = school_ops.end_sessions(who.settings, who.school, identifiant.strip(),
                                                 by=who.person.login, now=who.now())
    return page(request, "message.html.j2", who, person=who.person, kind="ok",
                title="Sessions fermées", hint="",
                message=f"{ended} session(s) de {subject.label} ({subject.login}) fermée(s).")
