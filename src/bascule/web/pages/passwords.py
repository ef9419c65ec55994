"""Mots de passe: the accounts one may reset (the policy decides, row by row: a teacher sees the
élèves they teach), one reset, and a whole division or group at once after a confirmation
naming it and its number of élèves. Every form answers with a redirect (POST → 303 → GET): the
password just set, or the PDF of slips, waits in a read-once slot (web/slots.py), so a reload
neither resets again nor shows it again."""

from dataclasses import dataclass
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from bascule.domain.policy import Permission, Subject
from bascule.operations import passwords as password_ops
from bascule.operations import school as school_ops
from bascule.operations.passwords import BulkReset
from bascule.web.access import home_path
from bascule.web.rendering import page
from bascule.web.requests import Posted, SignedIn, Staff, Who, refusal

router = APIRouter(include_in_schema=False)
GONE = 410  # a slot already read, or expired


@dataclass(frozen=True, slots=True)
class NewPassword:
    label: str
    login: str
    password: str


@router.get("/mots-de-passe", response_class=HTMLResponse)
def password_tool(request: Request, who: Staff, q: str = "") -> HTMLResponse:
    settings, person = who.settings, who.person
    found = school_ops.search_accounts(settings, who.school, q, limit=50, status="active")
    rows = [row for row in found if school_ops.may_reset(settings, person, row)]
    may_end_sessions = any(who.may(Permission.END_SESSIONS, Subject(profile=profile))
                           for profile in ("eleve", "enseignant"))
    return page(request, "mots_de_passe.html.j2", who, person=person, q=q, rows=rows,
                structures=password_ops.resettable_structures(settings, who.school, person),
                may_end_sessions=may_end_sessions)


@router.post("/mots-de-passe/reinitialiser")
def reset(who: Posted, identifiant: Annotated[str, Form()]) -> Response:
    who.admit_resets()
    with refusal():
        subject, password = school_ops.reset_password(who.settings, who.school, identifiant,
                                                      by=who.person.login, now=who.now())
    slot = who.console.slots.put(who.owner, NewPassword(subject.label, subject.login, password))
    return RedirectResponse(f"/mots-de-passe/nouveau/{slot}", status_code=303)


@router.get("/mots-de-passe/nouveau/{numero}", response_class=HTMLResponse)
def new_password(request: Request, who: Staff, numero: str) -> HTMLResponse:
    """The password just set, shown once: a reload finds the slot empty."""
    shown = who.console.slots.take(who.owner, numero)
    if not isinstance(shown, NewPassword):
        return page(request, "message.html.j2", who, person=who.person, status=GONE,
                    title="Mot de passe déjà affiché",
                    message="Ce mot de passe a déjà été affiché (il ne l'est qu'une fois) : "
                            "rien n'a été réinitialisé de nouveau.",
                    hint="Perdu avant d'être remis ? Réinitialisez-le encore depuis la page "
                         "Mots de passe.")
    return page(request, "nouveau_mot_de_passe.html.j2", who, subject=shown,
                password=shown.password)


def confirmation_url(code: str, reprint: bool) -> str:
    query = {"code": code, **({"reimpression": "oui"} if reprint else {})}
    return "/mots-de-passe/structure?" + urlencode(query)


@router.get("/mots-de-passe/structure", response_class=HTMLResponse)
def confirm_structure(request: Request, who: Staff, code: str = "",
                      reimpression: str = "") -> HTMLResponse:
    """The confirmation of a whole division's or group's reset: what, and how many élèves."""
    with refusal():
        asked = password_ops.preview(who.settings, who.school, code.strip(),
                                     by=who.person.login, reprint=reimpression == "oui")
    return page(request, "confirmer_structure.html.j2", who, person=who.person, asked=asked)


@router.post("/mots-de-passe/structure")
def reset_structure(who: Posted, code: Annotated[str, Form()],
                    nombre: Annotated[int | None, Form()] = None,
                    reimpression: Annotated[str, Form()] = "") -> Response:
    """Done only with the number of élèves the confirmation named; without it, the
    confirmation is shown first."""
    reprint = reimpression == "oui"
    if nombre is None:
        return RedirectResponse(confirmation_url(code.strip(), reprint), status_code=303)
    with refusal():
        done = password_ops.reset_structure(
            who.settings, who.school, code.strip(), by=who.person.login, now=who.now(),
            reprint=reprint, expected=nombre,
            admit=lambda count: who.admit_resets(count, bulk=True))
    return slips_ready(who, done)


def slips_ready(who: SignedIn, done: BulkReset) -> Response:
    """The slips kept for their page (read once), where the person fetches them."""
    slot = who.console.slots.put(who.owner, done)
    return RedirectResponse(f"/mots-de-passe/fiches/{slot}", status_code=303)


@router.get("/mots-de-passe/fiches/{numero}", response_class=HTMLResponse)
def slips_page(request: Request, who: Staff, numero: str) -> HTMLResponse:
    done = who.console.slots.peek(who.owner, numero)
    return page(request, "fiches.html.j2", who, person=who.person, numero=numero,
                done=done if isinstance(done, BulkReset) else None)


@router.get("/mots-de-passe/fiches/{numero}/pdf")
def slips_pdf(request: Request, who: Staff, numero: str) -> Response:
    """The PDF, once: then the slot is empty (the passwords are in clear in it)."""
    done = who.console.slots.take(who.owner, numero)
    if not isinstance(done, BulkReset):
        return page(request, "fiches.html.j2", who, person=who.person, numero=numero,
                    done=None, status=GONE)
    return Response(done.pdf, media_type="application/pdf",
                    headers={"Content-Disposition": f'attachment; filename="{done.file_name}"'})


@router.post("/sessions/fermer")
def end_sessions(who: Posted, identifiant: Annotated[str, Form()]) -> Response:
    """Every open session of an account ended at once: one's own (Mon compte), or those of an
    account whose password one may reset (the policy says whose); journaled."""
    with refusal():
        subject, ended = school_ops.end_sessions(who.settings, who.school, identifiant.strip(),
                                                 by=who.person.login, now=who.now())
    if subject.login == who.person.login:
        return RedirectResponse("/connexion", status_code=303)  # this session ended too
    return notice(who, "Sessions fermées",
                  f"{ended} session(s) de {subject.label} ({subject.login}) fermée(s).")


@dataclass(frozen=True, slots=True)
class Notice:
    title: str
    message: str


def notice(who: SignedIn, title: str, message: str) -> Response:
    """What a form did, told on the page it redirects to (once)."""
    slot = who.console.slots.put(who.owner, Notice(title, message))
    return RedirectResponse(f"/avis/{slot}", status_code=303)


@router.get("/avis/{numero}", response_class=HTMLResponse)
def notice_page(request: Request, who: Who, numero: str) -> Response:
    """Read once: a reload goes to the person's first page."""
    told = who.console.slots.take(who.owner, numero)
    if not isinstance(told, Notice):
        return RedirectResponse(home_path(who.person.roles), status_code=303)
    return page(request, "message.html.j2", who, person=who.person, kind="ok",
                title=told.title, message=told.message, hint="")
