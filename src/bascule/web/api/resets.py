"""/reinitialisations: a whole division's or group's passwords reset at once, a deliberate act:
asked without the number of élèves it touches, it answers that number (409) and does nothing."""

from fastapi import APIRouter, HTTPException
from fastapi.responses import Response
from pydantic import BaseModel

from bascule.operations import passwords as password_ops
from bascule.web.requests import PasswordResetter, api_refusal, api_resets_admitted

router = APIRouter()


class StructureReset(BaseModel):
    code: str  # a division or a group
    reimpression: bool = False  # only those still on their initial password
    nombre: int | None = None  # the élèves it touches, as confirmed: required to act


@router.post("/reinitialisations", response_class=Response,
             responses={200: {"content": {"application/pdf": {}},
                              "description": "Les fiches, une par élève."},
                        409: {"description": "À confirmer : renvoyez la requête avec "
                                             "« nombre », le nombre d'élèves indiqué."}})
def reset_structure(body: StructureReset, who: PasswordResetter) -> Response:
    """A whole division or group at once (or the re-print of those still on their initial
    password): new passwords, and the PDF of their slips; each reset counts in the rate
    limit."""
    with api_refusal():
        if body.nombre is None:
            asked = password_ops.preview(who.settings, who.school, body.code,
                                         by=who.person.login, reprint=body.reimpression)
            raise HTTPException(409, f"À confirmer : {asked.kind} « {asked.code} », "
                                     f"{asked.count} élève(s). Renvoyez la requête avec "
                                     f"\"nombre\": {asked.count} pour le faire.")
        done = password_ops.reset_structure(
            who.settings, who.school, body.code, by=who.person.login, now=who.now(),
            reprint=body.reimpression, expected=body.nombre,
            admit=lambda count: api_resets_admitted(who, count, bulk=True))
    return Response(done.pdf, media_type="application/pdf",
                    headers={"Content-Disposition": f'attachment; filename="{done.file_name}"'})
