"""Fiches: an apply's slips given again without new passwords while they are handed out (each
download journaled), their destruction once handed out (confirmed), and the re-print of those
still on their initial password (new passwords, after the password tool's confirmation)."""

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response

from bascule.operations import slips as slip_ops
from bascule.web.pages.passwords import notice
from bascule.web.rendering import page
from bascule.web.requests import Posted, Refused, Staff, refusal

router = APIRouter(include_in_schema=False)


@router.get("/fiches", response_class=HTMLResponse)
def slips(request: Request, who: Staff) -> HTMLResponse:
    return page(request, "fiches_applications.html.j2", who, person=who.person, now=who.now(),
                applied=slip_ops.applied_slips(who.settings, who.school, who.person.login),
                reprints=slip_ops.still_initial(who.settings, who.school, who.person.login))


@router.get("/fiches/{dossier}/{fichier}")
def slips_file(who: Staff, dossier: str, fichier: str) -> Response:
    with refusal(404):
        data = slip_ops.slips_file(who.settings, who.school, dossier, fichier,
                                   by=who.person.login, now=who.now())
    return Response(data, media_type="application/pdf",
                    headers={"Content-Disposition": f'attachment; filename="{fichier}"'})


@router.post("/fiches/{dossier}/destruction")
def destroy(who: Posted, dossier: str,
            distribuees: Annotated[str, Form()] = "") -> Response:
    """Only once someone ticked that they were handed out."""
    if distribuees != "oui":
        raise Refused(400, "Cochez « Les fiches ont toutes été distribuées » : rien n'a été "
                           "détruit.")
    with refusal():
        count = slip_ops.destroy_slips(who.settings, who.school, dossier,
                                       by=who.person.login, now=who.now())
    return notice(who, "Fiches détruites",
                  f"Les {count} fichier(s) de fiches de l'application {dossier} sont détruits, "
                  "avec leurs mots de passe en clair.")
