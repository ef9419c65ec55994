"""/reinitialisations: a whole division's or group's passwords reset at once."""

from fastapi import APIRouter
from fastapi.responses import FileResponse
from pydantic import BaseModel

from bascule.operations import school as school_ops
from bascule.web.requests import PasswordResetter, api_refusal, api_reset_admitted

router = APIRouter()


class StructureReset(BaseModel):
    code: str  # a division or a group
    reimpression: bool = False  # only those still on their initial password


@router.post("/reinitialisations", response_class=FileResponse,
             responses={200: {"content": {"application/pdf": {}},
                              "description": "Les fiches, une par élève."}})
def reset_structure(body: StructureReset, who: PasswordResetter) -> FileResponse:
    """A whole division or group at once (or the re-print of those still on their initial
    password): new passwords, and the PDF of their slips."""
    api_reset_admitted(who)
    with api_refusal():
        done = school_ops.reset_structure(who.settings, who.school, body.code,
                                          by=who.person.login, now=who.now(),
                                          initial_only=body.reimpression)
    return FileResponse(done.slips, media_type="application/pdf", filename=done.slips.name)
